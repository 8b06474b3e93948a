import { firstApplicableLevel, levelApplies } from '../domain/escalation/policy.js';
import type { Conn } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { levelOverrides, notifyLevel } from './notify-level.js';

/**
 * Policy lint: what would make a page go nowhere, found before an alert does. Each finding names
 * the policy or service and says how to fix it. Reachability is checked at `now` (schedules are
 * resolved then), once per severity a level applies to, because notification rules differ by
 * urgency: a level can reach someone for critical alerts and nobody for warnings.
 */
export type PolicyLintKind = 'service_without_policy' | 'never_pages' | 'empty_level' | 'unreachable_level' | 'unused_policy';

export interface PolicyLintFinding {
  kind: PolicyLintKind;
  policy?: string;
  service?: string;
  /** 1-based level, for level findings. */
  level?: number;
  severities?: string[];
  message: string;
}

export async function lintPolicies(conn: Conn, org: OrgSnapshot, now: number): Promise<PolicyLintFinding[]> {
  const findings: PolicyLintFinding[] = [];
  const severities = org.severities.names();
  const used = new Set<string>();
  for (const s of [...org.services.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (s.escalation_policy_id) used.add(s.escalation_policy_id);
    else findings.push({ kind: 'service_without_policy', service: s.name, message: `service "${s.name}" has no escalation policy: its alerts page nobody; set escalation_policy` });
  }
  // A routing rule that names a policy uses it too.
  const routed = new Set(org.routes.flatMap((r) => (r.escalationPolicy ? [r.escalationPolicy] : [])));
  const actor = { kind: 'system' as const, id: null, name: 'lint', surface: 'engine' as const };
  for (const p of [...org.policies.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const { spec } = p;
    const never = severities.filter((sev) => firstApplicableLevel(spec, sev, 0) === null);
    if (never.length) {
      findings.push({
        kind: 'never_pages',
        policy: p.name,
        severities: never,
        message: `policy "${p.name}" pages nobody for ${never.join(', ')} alerts: no level applies to them; add them to a level's severities, or route them elsewhere`,
      });
    }
    for (let i = 0; i < spec.levels.length; i++) {
      const level = spec.levels[i]!;
      if (level.targets.length === 0) {
        findings.push({ kind: 'empty_level', policy: p.name, level: i + 1, message: `level ${i + 1} of "${p.name}" has no targets: add a schedule, person, team or channel` });
        continue;
      }
      const nobody: string[] = [];
      const why = new Set<string>();
      for (const sev of severities) {
        if (!levelApplies(level, sev)) continue;
        const n = notifyLevel(org, { id: 0, severity: sev }, spec, i, 0, 1, now, actor, 'lint', await levelOverrides(conn, spec, i, sev, now));
        if (n.pages.length > 0) continue;
        nobody.push(sev);
        for (const e of n.events) if (e.kind === 'unreachable') why.add(e.message);
      }
      if (nobody.length) {
        findings.push({
          kind: 'unreachable_level',
          policy: p.name,
          level: i + 1,
          severities: nobody,
          message: `level ${i + 1} of "${p.name}" reaches nobody who can be paged now for ${nobody.join(', ')} alerts${why.size ? ` (${[...why].join('; ')})` : ''}`,
        });
      }
    }
    if (!used.has(p.id) && !routed.has(p.name)) findings.push({ kind: 'unused_policy', policy: p.name, message: `policy "${p.name}" is used by no service or routing rule` });
  }
  return findings;
}
