import type { OrgConfig } from '../config/org.js';
import { attachFields } from '../config/org-diff.js';
import { applyOrg, type ApplyResult, type PlannedChange } from './apply-org.js';
import { audit } from './audit.js';
import type { Actor, Ctx } from './context.js';
import { exportOrg } from './export-org.js';

export type DetailedChange = PlannedChange & { fields: NonNullable<PlannedChange['fields']> };
export type DetailedApplyResult = ApplyResult & { changes: DetailedChange[] };

/**
 * Applies (or, with dryRun, plans) an organisation file and says what changed field by field:
 * `services["Clipper Backend"].escalation_policy "a" → "b"`. The organisation is exported before
 * and after the apply inside the same transaction and the two exports are compared, so every
 * section the exporter writes is covered, and the paths are the file's own. A real apply also
 * writes the whole diff to the audit log as one `organisation.apply` entry, next to the entry per
 * changed thing that applyOrg writes.
 */
export async function applyOrgWithDiff(ctx: Ctx, config: OrgConfig, actor: Actor, opts: { dryRun?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<DetailedApplyResult> {
  const result = await applyOrg(ctx, config, actor, {
    ...opts,
    around: async (trx, apply) => {
      const before = await exportOrg(trx);
      const r = await apply();
      if (r.changes.length === 0) return r;
      const after = await exportOrg(trx);
      const changes = attachFields(r.changes, before, after);
      // A dry run is rolled back, this entry with it.
      await audit(trx, actor, ctx.clock.now(), 'organisation.apply', 'organisation', null, null, { changes });
      return { ...r, changes };
    },
  });
  return { ...result, changes: result.changes.map((c) => ({ ...c, fields: c.fields ?? [] })) };
}
