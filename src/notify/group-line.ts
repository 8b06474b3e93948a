import { groupSizeText } from '../domain/grouping/group-key.js';
import type { Tx } from '../store/db.js';
import type { PageMessage } from './sender.js';

/** At most this many alerts of a group are listed in a page; the rest are counted. */
const LISTED = 20;

/**
 * A page for the leader of an alert group is a page for the group: it says how many alerts the
 * group holds when the page goes out ("3 alerts in group HighErrorRate / service=backend") and
 * lists them. Read at delivery, so alerts that joined during the group wait are in it. Costs one
 * indexed query per claim, and two more per group only when a claimed page's alert leads one.
 */
export async function addGroupLines(trx: Tx, claimed: readonly { msg: PageMessage | null }[], publicUrl: string): Promise<void> {
  const msgs = claimed.map((c) => c.msg).filter((m): m is PageMessage => m !== null && m.kind === 'page' && !m.bundle);
  if (msgs.length === 0) return;
  const alertIds = [...new Set(msgs.map((m) => m.alert.id))];
  const groups = await trx.selectFrom('alert_groups').select(['id', 'leader_id', 'labels']).where('leader_id', 'in', alertIds).where('open_key', 'is not', null).execute();
  if (groups.length === 0) return;
  const groupIds = groups.map((g) => g.id);
  const counts = await trx
    .selectFrom('alerts')
    .select((eb) => ['group_id', eb.fn.countAll<number>().as('n')])
    .where('group_id', 'in', groupIds)
    .where('status', '!=', 'resolved')
    .groupBy('group_id')
    .execute();
  const listed: { id: number; group_id: number | null; summary: string; severity: string }[] = [];
  for (const id of groupIds) {
    listed.push(...(await trx.selectFrom('alerts').select(['id', 'group_id', 'summary', 'severity']).where('group_id', '=', id).where('status', '!=', 'resolved').orderBy('id').limit(LISTED).execute()));
  }
  const base = publicUrl.replace(/\/$/, '');
  const byLeader = new Map(groups.map((g) => [g.leader_id, g]));
  for (const msg of msgs) {
    const g = byLeader.get(msg.alert.id);
    if (!g) continue;
    const count = Number(counts.find((c) => Number(c.group_id) === g.id)?.n ?? 1);
    const members = listed.filter((a) => a.group_id === g.id);
    // The leader first: it is the alert the page is about.
    members.sort((a, b) => (a.id === msg.alert.id ? -1 : b.id === msg.alert.id ? 1 : a.id - b.id));
    msg.group = {
      text: groupSizeText(count, JSON.parse(g.labels) as Record<string, string>),
      count,
      alerts: members.slice(0, LISTED).map((a) => ({ id: a.id, summary: a.summary, severity: a.severity, url: `${base}/alerts/${a.id}` })),
    };
  }
}
