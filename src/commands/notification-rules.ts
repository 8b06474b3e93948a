import { z } from 'zod';
import { AppError, type FieldProblem } from '../domain/errors.js';
import { newId } from '../store/ids.js';
import type { ContactMethodsTable, NotificationRulesTable } from '../store/schema.js';
import { bumpConfigVersion } from '../store/settings.repo.js';
import { audit } from './audit.js';
import { configChanged, personFor, type PersonCaller } from './contact-methods.js';
import type { Ctx } from './context.js';

/**
 * A person's notification rules, per urgency: "high: Slack now, SMS after 5 minutes, call after
 * 10; low: email now". The person's own rules (managed_by 'user') are set here as two lists and
 * replaced whole; rules from the organisation file ('org') are shown beside them, read-only, and
 * apply too: the file sets the floor an organisation wants, the person adds to it.
 *
 * Steps stop when the alert is acknowledged: every step is a page due at its delay, and the
 * delivery worker cancels a page whose alert is no longer triggered (src/notify/outbox.ts).
 */

export const MAX_DELAY_MINUTES = 1440;
const MAX_STEPS = 10;

const Step = z.strictObject({
  contact_method: z.string({ error: 'is required: the name of one of your contact methods' }).min(1, { error: 'is required: the name of one of your contact methods' }),
  delay_minutes: z
    .int({ error: 'must be a whole number of minutes' })
    .min(0, { error: `must be from 0 to ${MAX_DELAY_MINUTES} minutes (24 hours)` })
    .max(MAX_DELAY_MINUTES, { error: `must be from 0 to ${MAX_DELAY_MINUTES} minutes (24 hours)` }),
});

export const RulesBody = z.strictObject({
  high: z.array(Step).max(MAX_STEPS, { error: `at most ${MAX_STEPS} steps` }).describe('Steps for high-urgency alerts, e.g. [{contact_method: "slack", delay_minutes: 0}, {contact_method: "mobile", delay_minutes: 5}].'),
  low: z.array(Step).max(MAX_STEPS, { error: `at most ${MAX_STEPS} steps` }).describe('Steps for low-urgency alerts.'),
});
export type RulesInput = z.output<typeof RulesBody>;

export interface RuleStepView {
  contact_method: string;
  contact_method_id: string;
  type: string;
  delay_minutes: number;
  /** 'org': from the organisation file, read-only here; 'user': the person's own. */
  managed_by: 'org' | 'user';
  /** Steps through unverified or paused methods are skipped when paging. */
  verified: boolean;
  paused: boolean;
}

export interface RulesView {
  high: RuleStepView[];
  low: RuleStepView[];
  /** Things that keep a step from paging, in the person's words. */
  warnings: string[];
}

async function load(ctx: Ctx, userId: string): Promise<{ methods: ContactMethodsTable[]; rules: NotificationRulesTable[] }> {
  const db = ctx.store.db;
  const [methods, rules] = await Promise.all([
    db.selectFrom('contact_methods').selectAll().where('user_id', '=', userId).execute(),
    db.selectFrom('notification_rules').selectAll().where('user_id', '=', userId).orderBy('delay_minutes').orderBy('position').execute(),
  ]);
  return { methods, rules };
}

function present(methods: ContactMethodsTable[], rules: NotificationRulesTable[]): RulesView {
  const byId = new Map(methods.map((m) => [m.id, m]));
  const list = (urgency: 'high' | 'low') =>
    rules
      .filter((r) => r.urgency === urgency || r.urgency === 'any')
      .flatMap((r): RuleStepView[] => {
        const m = byId.get(r.contact_method_id);
        if (!m) return [];
        return [{ contact_method: m.name, contact_method_id: m.id, type: m.kind, delay_minutes: r.delay_minutes, managed_by: r.managed_by === 'user' ? 'user' : 'org', verified: Number(m.verified) === 1, paused: Number(m.paused) === 1 }];
      });
  const high = list('high');
  const low = list('low');
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const s of [...high, ...low]) {
    if (seen.has(s.contact_method_id)) continue;
    seen.add(s.contact_method_id);
    if (!s.verified) warnings.push(`"${s.contact_method}" is not verified yet: its steps are skipped until you enter its code`);
    else if (s.paused) warnings.push(`"${s.contact_method}" is paused: its steps are skipped until you resume it`);
  }
  if (!high.some((s) => s.verified && !s.paused)) warnings.push('nothing pages you for high-urgency alerts: add a step with a verified method');
  return { high, low, warnings };
}

export async function getRules(ctx: Ctx, caller: PersonCaller, name: string): Promise<RulesView> {
  const { user } = await personFor(ctx, caller, name, 'read');
  const { methods, rules } = await load(ctx, user.id);
  return present(methods, rules);
}

/**
 * Replaces the person's own rules with the two lists, in one transaction. Every problem is
 * reported at once, by field (`high[1].contact_method`), and nothing changes.
 */
export async function setRules(ctx: Ctx, caller: PersonCaller, name: string, input: RulesInput): Promise<RulesView> {
  const { user } = await personFor(ctx, caller, name, 'write');
  const now = ctx.clock.now();
  await ctx.store.tx(async (trx) => {
    const methods = await trx.selectFrom('contact_methods').selectAll().where('user_id', '=', user.id).execute();
    const byName = new Map(methods.map((m) => [m.name, m]));
    const problems: FieldProblem[] = [];
    const rows: NotificationRulesTable[] = [];
    for (const urgency of ['high', 'low'] as const) {
      const seen = new Set<string>();
      input[urgency].forEach((step, i) => {
        const m = byName.get(step.contact_method);
        if (!m) {
          const known = methods.map((x) => `"${x.name}"`).join(', ');
          problems.push({ field: `${urgency}[${i}].contact_method`, message: `you have no contact method named "${step.contact_method}"${known ? `; yours are ${known}` : '; add one first'}` });
          return;
        }
        const key = `${m.id}@${step.delay_minutes}`;
        if (seen.has(key)) {
          problems.push({ field: `${urgency}[${i}]`, message: `"${m.name}" after ${step.delay_minutes} minutes is already a step of the ${urgency}-urgency list; remove one` });
          return;
        }
        seen.add(key);
        rows.push({ id: newId(), user_id: user.id, contact_method_id: m.id, urgency, delay_minutes: step.delay_minutes, position: rows.length, managed_by: 'user' });
      });
    }
    if (problems.length) throw AppError.invalidMany(problems);
    const before = await trx.selectFrom('notification_rules').select(['contact_method_id', 'urgency', 'delay_minutes']).where('user_id', '=', user.id).where('managed_by', '=', 'user').orderBy('position').execute();
    await trx.deleteFrom('notification_rules').where('user_id', '=', user.id).where('managed_by', '=', 'user').execute();
    if (rows.length) await trx.insertInto('notification_rules').values(rows).execute();
    const names = new Map(methods.map((m) => [m.id, m.name]));
    const summary = (rs: { contact_method_id: string; urgency: string; delay_minutes: number }[], u: string) =>
      rs.filter((r) => r.urgency === u).map((r) => ({ contact_method: names.get(r.contact_method_id) ?? r.contact_method_id, delay_minutes: r.delay_minutes }));
    await audit(trx, caller.actor, now, 'notification_rules.update', 'user', user.id, user.name, {
      before: { high: summary(before, 'high'), low: summary(before, 'low') },
      after: { high: summary(rows, 'high'), low: summary(rows, 'low') },
    });
    await bumpConfigVersion(trx);
  });
  configChanged(ctx);
  const { methods, rules } = await load(ctx, user.id);
  return present(methods, rules);
}
