import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { table } from './schedules.js';

/**
 * `watchkeeper handoff show|list|read|hand-over|watch`: thin views over /api/v1/handoffs
 * (routes/handoffs.ts). The server writes the note's text in the handbooks' template; the CLI
 * prints it and says what to do next.
 */

type MakeClient = (opts: { server?: string; token?: string }) => Client;

interface ApiNoteSummary {
  id: number;
  schedule: string;
  handoff_at: string;
  outgoing: string | null;
  incoming: string | null;
  read_at: string | null;
  read_by: string | null;
  summary: { total: number; triggered: number; acknowledged: number };
}
interface ApiNote extends ApiNoteSummary {
  text: string;
  hand_over: { count: number; alerts: { id: number; summary: string }[] };
}
interface ApiWatchItem {
  id: string;
  schedule: string;
  user: string;
  text: string;
  alert_id: number | null;
  created_at: string;
}

/** "2026-03-09T00:00:00.000Z" -> "2026-03-09 00:00Z". */
const short = (isoTime: string | null): string => (isoTime ? `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)}Z` : '-');

const noteId = (v: string): string => {
  if (!/^[1-9]\d*$/.test(v)) throw new Error(`"${v}" is not a handoff note number; see watchkeeper handoff list`);
  return v;
};

export function handoffCommands(program: Command, client: MakeClient): void {
  const conn = (c: Command) => c.option('--server <url>', 'server URL (WATCHKEEPER_SERVER)').option('--token <token>', 'API token (WATCHKEEPER_TOKEN)');
  const handoff = program.command('handoff').description('Shift handoffs: the note written at each shift change, watch items for the next person on call');

  conn(
    handoff
      .command('show')
      .description('The latest handoff note (yours, or a schedule’s), as the handbooks write it')
      .argument('[id]', 'a note number instead of the latest', noteId)
      .option('--schedule <schedule>', 'the latest note of this schedule')
      .addHelpText('after', '\nExamples:\n  watchkeeper handoff show\n  watchkeeper handoff show --schedule mahavishnu-primary\n  watchkeeper handoff show 12'),
  ).action(async (id: string | undefined, o: { schedule?: string; server?: string; token?: string }) => {
    const api = client(o);
    let target = id;
    if (target === undefined) {
      const q = new URLSearchParams({ limit: '1' });
      if (o.schedule) q.set('schedule', o.schedule);
      else q.set('mine', 'true');
      const r = await api.request<{ notes: ApiNoteSummary[] }>('GET', `/api/v1/handoffs?${q.toString()}`);
      const latest = r.notes[0];
      if (!latest) {
        console.log(o.schedule ? `No handoff notes for ${o.schedule} yet; one is written at each shift change.` : 'No handoff notes for you yet; one is written at each shift change.');
        return;
      }
      target = String(latest.id);
    }
    const n = await api.request<ApiNote>('GET', `/api/v1/handoffs/${target}`);
    for (const line of n.text.replace(/\n$/, '').split('\n')) console.log(line);
    console.log('');
    console.log(n.read_at ? `Note ${n.id}: read by ${n.read_by ?? 'someone'} at ${short(n.read_at)}.` : `Note ${n.id}: unread. Mark it read: watchkeeper handoff read ${n.id}`);
    if (n.hand_over.count > 0) {
      console.log(`${n.outgoing ?? 'The outgoing person'} still holds ${n.hand_over.count} acknowledged alert${n.hand_over.count === 1 ? '' : 's'}; give ${n.hand_over.count === 1 ? 'it' : 'them'} to ${n.incoming ?? 'the incoming person'}: watchkeeper handoff hand-over ${n.id}`);
    }
  });

  conn(
    handoff
      .command('list')
      .description('Recent handoff notes: yours and your schedules’, or one schedule’s')
      .option('--schedule <schedule>', 'only this schedule’s notes')
      .option('--unread', 'only the notes you have not read'),
  ).action(async (o: { schedule?: string; unread?: boolean; server?: string; token?: string }) => {
    const q = new URLSearchParams();
    if (o.schedule) q.set('schedule', o.schedule);
    if (o.unread) q.set('unread', 'true');
    const r = await client(o).request<{ notes: ApiNoteSummary[]; unread: number | null }>('GET', `/api/v1/handoffs${q.size ? `?${q.toString()}` : ''}`);
    if (r.notes.length === 0) {
      console.log('No handoff notes yet; one is written at each shift change.');
      return;
    }
    const rows = r.notes.map((n) => [String(n.id), short(n.handoff_at), n.schedule, `${n.outgoing ?? 'nobody'} -> ${n.incoming ?? 'nobody'}`, String(n.summary.total), String(n.summary.triggered + n.summary.acknowledged), n.read_at ? 'read' : 'unread']);
    for (const line of table([['ID', 'HANDOFF', 'SCHEDULE', 'FROM -> TO', 'ALERTS', 'OPEN', 'STATE'], ...rows])) console.log(line);
    if (r.unread) console.log(`${r.unread} unread; read one with watchkeeper handoff show ID`);
  });

  conn(handoff.command('read').description('Mark a handoff note read (you are the incoming person)').argument('<id>', 'note number', noteId)).action(
    async (id: string, o: { server?: string; token?: string }) => {
      const n = await client(o).request<ApiNoteSummary>('POST', `/api/v1/handoffs/${id}/read`, {});
      console.log(`handoff note ${n.id} (${n.schedule}, ${n.outgoing ?? 'nobody'} -> ${n.incoming ?? 'nobody'}) marked read`);
    },
  );

  conn(
    handoff
      .command('hand-over')
      .description('Give the outgoing person’s acknowledged alerts of the schedule’s services to the incoming person')
      .argument('<id>', 'note number', noteId),
  ).action(async (id: string, o: { server?: string; token?: string }) => {
    const r = await client(o).request<{ note: ApiNoteSummary; handed_over: number[] }>('POST', `/api/v1/handoffs/${id}/hand-over`, {});
    const n = r.note;
    if (r.handed_over.length === 0) {
      console.log(`nothing to hand over: ${n.outgoing ?? 'the outgoing person'} holds no acknowledged alerts of ${n.schedule}'s services`);
      return;
    }
    console.log(`handed ${r.handed_over.length} acknowledged alert${r.handed_over.length === 1 ? '' : 's'} from ${n.outgoing ?? '?'} to ${n.incoming ?? '?'}: ${r.handed_over.map((a) => `#${a}`).join(', ')}`);
  });

  const watch = handoff.command('watch').description('Watch items: what the next person on call should keep an eye on; they go into the next handoff note');
  conn(
    watch
      .command('add')
      .description('Write a watch item for your shift under way')
      .argument('<text>', 'what to watch and why')
      .option('--schedule <schedule>', 'the schedule, when you are on call in several')
      .option('--alert <id>', 'an alert it is about', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new Error('--alert must be an alert number, like 42');
        return n;
      })
      .option('--user <user>', 'write it for the person on call (managers)')
      .addHelpText('after', '\nExample:\n  watchkeeper handoff watch add "db1 disk grows 2% a day; expand before Wednesday" --alert 42'),
  ).action(async (text: string, o: { schedule?: string; alert?: number; user?: string; server?: string; token?: string }) => {
    const body = { text, ...(o.schedule ? { schedule: o.schedule } : {}), ...(o.alert !== undefined ? { alert_id: o.alert } : {}), ...(o.user ? { user: o.user } : {}) };
    const r = await client(o).request<{ item: ApiWatchItem }>('POST', '/api/v1/handoffs/watch-items', body);
    console.log(`watch item ${r.item.id} added to ${r.item.user}'s shift on ${r.item.schedule}; it goes into the next handoff note`);
  });
  conn(watch.command('list').description('Watch items of your shifts under way').option('--user <user>', 'someone else’s')).action(async (o: { user?: string; server?: string; token?: string }) => {
    const r = await client(o).request<{ items: ApiWatchItem[]; shifts: { schedule: string }[] }>('GET', `/api/v1/handoffs/watch-items${o.user ? `?user=${encodeURIComponent(o.user)}` : ''}`);
    if (r.shifts.length === 0) {
      console.log('Not on call now: watch items belong to the shift under way.');
      return;
    }
    if (r.items.length === 0) {
      console.log(`No watch items yet for ${r.shifts.map((s) => s.schedule).join(', ')}. Add one: watchkeeper handoff watch add "TEXT"`);
      return;
    }
    for (const line of table([['ID', 'SCHEDULE', 'ALERT', 'TEXT'], ...r.items.map((i) => [i.id, i.schedule, i.alert_id === null ? '-' : `#${i.alert_id}`, i.text])])) console.log(line);
  });
  conn(watch.command('rm').description('Remove a watch item of your shift under way').argument('<id>', 'watch item id (see watch list)')).action(async (id: string, o: { server?: string; token?: string }) => {
    await client(o).request('DELETE', `/api/v1/handoffs/watch-items/${encodeURIComponent(id)}`);
    console.log(`watch item ${id} removed`);
  });
}
