import fs from 'node:fs';
import type { Command } from 'commander';
import { ApiError, type Client } from '../client/client.js';
import { ACTION_ITEM_STATUSES } from '../domain/incident/postmortem.js';
import { EXIT_CODES_HELP, notFoundError, printJson, printTable, shortTime, usageError, withConnection, withJson, type Colour, type ConnectionOptions } from './output.js';
import { incidentId } from './incidents.js';

/**
 * `watchkeeper postmortem draft|show|list|complete|export|action`: thin views over
 * /api/v1/incidents/:id/postmortem and /api/v1/postmortems. The server decides what is required
 * and when; the CLI lays out.
 */
type MakeClient = (opts: ConnectionOptions) => Client;

interface ApiDeadline {
  stage: string;
  label: string;
  due_at: string;
  met_at: string | null;
  state: string;
}
interface ApiItem {
  id: number;
  title: string;
  owner: string | null;
  due_at: string | null;
  status: string;
  link: string | null;
  overdue: boolean;
}
interface ApiPostmortem {
  id: number;
  incident: { id: number; number: string; title: string; severity: string; status: string };
  status: string;
  required: boolean;
  reasons: string[];
  owner: string | null;
  reminded: string | null;
  deadlines: ApiDeadline[];
  next_deadline: ApiDeadline | null;
  overdue: boolean;
  action_items: ApiItem[];
  open_action_items: number;
  url: string;
}

const stateColour = (s: string): Colour | null => (s === 'overdue' ? 'red' : s === 'met' ? 'green' : s === 'moot' ? 'dim' : null);

function itemId(text: string): number {
  const n = Number(text.replace(/^#/, ''));
  if (!Number.isSafeInteger(n) || n < 1) throw usageError(`"${text}" is not an action item number; see them with: watchkeeper postmortem action list INCIDENT`);
  return n;
}

function printItems(items: ApiItem[]): void {
  if (items.length === 0) {
    console.log('No action items. Add one with: watchkeeper postmortem action add INCIDENT "TITLE" --owner USER --due YYYY-MM-DD');
    return;
  }
  printTable(
    [['ID', 'STATUS', 'OWNER', 'DUE', 'TITLE'], ...items.map((i) => [String(i.id), i.status, i.owner ?? '-', `${shortTime(i.due_at)}${i.overdue ? ' (overdue)' : ''}`, i.link ? `${i.title} (${i.link})` : i.title])],
    (col, cell) => (col === 3 && cell.endsWith('(overdue)') ? 'red' : null),
  );
}

export function postmortemCommands(program: Command, client: MakeClient): void {
  const cmd = (parent: Command, name: string) => withJson(withConnection(parent.command(name)));
  const pm = program
    .command('postmortem')
    .description('Post-mortems: draft from the timeline, deadlines, action items, complete (closes the incident)')
    .addHelpText('after', `\nExamples:\n  watchkeeper postmortem draft 3 --save\n  watchkeeper postmortem action add 3 "Alert on replica lag" --owner alice --due 2026-03-20\n  watchkeeper postmortem complete 3\n${EXIT_CODES_HELP}`);

  const call = async <T>(o: ConnectionOptions, method: string, path: string, body?: unknown): Promise<T> => {
    try {
      return await client(o).request<T>(method, path, body);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw notFoundError(err.message.replace(/^404: /, ''));
      throw err;
    }
  };
  const base = (id: number) => `/api/v1/incidents/${id}/postmortem`;

  cmd(pm, 'draft')
    .description('Print a markdown draft in the handbook template, written from the incident timeline')
    .argument('<incident>', 'incident number')
    .option('--save', 'store it as the post-mortem text (starts the post-mortem if needed)')
    .option('--force', 'with --save: overwrite text people edited')
    .action(async (id: string, o: ConnectionOptions & { save?: boolean; force?: boolean; json?: boolean }) => {
      const n = incidentId(id);
      if (o.force && !o.save) throw usageError('--force only goes with --save');
      if (!o.save) {
        const r = await call<{ markdown: string }>(o, 'GET', `${base(n)}/draft`);
        return o.json ? printJson(r) : console.log(r.markdown);
      }
      const r = await call<{ postmortem: ApiPostmortem }>(o, 'POST', `${base(n)}/draft`, o.force ? { force: true } : {});
      if (o.json) return printJson(r);
      console.log(`#${n}: draft saved to the post-mortem. Edit it at ${r.postmortem.url}, or print it with: watchkeeper postmortem export ${n}`);
    });

  cmd(pm, 'show')
    .description('One post-mortem: status, why it is required, deadlines and action items')
    .argument('<incident>', 'incident number')
    .action(async (id: string, o: ConnectionOptions & { json?: boolean }) => {
      const r = await call<{ postmortem: ApiPostmortem }>(o, 'GET', base(incidentId(id)));
      if (o.json) return printJson(r);
      const p = r.postmortem;
      console.log(`Post-mortem of ${p.incident.number} ${p.incident.severity}: ${p.incident.title}`);
      printTable([
        ['  status', p.status],
        ['  required', p.required ? `yes: ${p.reasons.join('; ')}` : 'no'],
        ['  owner', p.owner ?? (p.reminded ? `${p.reminded} (commander)` : '-')],
        ['  incident', p.incident.status],
      ]);
      console.log('');
      printTable([['DEADLINE', 'DUE', 'STATE'], ...p.deadlines.map((d) => [d.label, shortTime(d.due_at), d.state === 'met' ? `met ${shortTime(d.met_at)}` : d.state])], (col, cell) => (col === 2 ? stateColour(cell.split(' ')[0]!) : null));
      console.log('');
      printItems(p.action_items);
    });

  cmd(pm, 'list')
    .description('Post-mortems, newest first')
    .option('--status <list>', 'comma-separated: open, draft, in_review, complete')
    .option('--required', 'only required ones')
    .option('--overdue', 'only those with a deadline passed unmet')
    .option('--owner <user>', 'only those this user owns')
    .action(async (o: ConnectionOptions & { status?: string; required?: boolean; overdue?: boolean; owner?: string; json?: boolean }) => {
      const q = new URLSearchParams();
      if (o.status) q.set('status', o.status);
      if (o.required) q.set('required', 'true');
      if (o.overdue) q.set('overdue', 'true');
      if (o.owner) q.set('owner', o.owner);
      const r = await call<{ postmortems: ApiPostmortem[] }>(o, 'GET', `/api/v1/postmortems${q.size ? `?${q.toString()}` : ''}`);
      if (o.json) return printJson(r);
      if (r.postmortems.length === 0) {
        console.log(q.size ? 'No post-mortems match.' : 'No post-mortems. Required ones start when an incident resolves; start one with: watchkeeper postmortem draft INCIDENT --save');
        return;
      }
      printTable(
        [
          ['INCIDENT', 'STATUS', 'REQUIRED', 'OWNER', 'NEXT DEADLINE', 'OPEN ITEMS', 'TITLE'],
          ...r.postmortems.map((p) => [
            p.incident.number,
            p.status,
            p.required ? 'yes' : 'no',
            p.owner ?? p.reminded ?? '-',
            p.next_deadline ? `${p.next_deadline.label} ${shortTime(p.next_deadline.due_at)}${p.next_deadline.state === 'overdue' ? ' (overdue)' : ''}` : '-',
            String(p.open_action_items),
            p.incident.title,
          ]),
        ],
        (col, cell) => (col === 4 && cell.endsWith('(overdue)') ? 'red' : null),
      );
    });

  cmd(pm, 'complete')
    .description('Mark the post-mortem complete; its resolved incident closes')
    .argument('<incident>', 'incident number')
    .action(async (id: string, o: ConnectionOptions & { json?: boolean }) => {
      const n = incidentId(id);
      const r = await call<{ postmortem: ApiPostmortem }>(o, 'POST', `${base(n)}/complete`);
      if (o.json) return printJson(r);
      console.log(`#${n}: post-mortem complete; incident ${r.postmortem.incident.status}`);
    });

  withConnection(pm.command('export'))
    .description('Print the post-mortem as markdown (or write it to a file)')
    .argument('<incident>', 'incident number')
    .option('-o, --output <file>', 'write to this file instead of printing')
    .action(async (id: string, o: ConnectionOptions & { output?: string }) => {
      const n = incidentId(id);
      const md = await call<string>(o, 'GET', `${base(n)}?format=markdown`);
      if (!o.output) return console.log(md);
      fs.writeFileSync(o.output, md.endsWith('\n') ? md : `${md}\n`);
      console.log(`#${n}: post-mortem written to ${o.output}`);
    });

  const action = pm.command('action').description('Action items: add, list, done');

  cmd(action, 'add')
    .description('Add an action item')
    .argument('<incident>', 'incident number')
    .argument('<title>', 'what will be done')
    .option('--owner <user>', 'who does it')
    .option('--due <date>', 'due date (YYYY-MM-DD, the end of that day UTC) or time (2026-03-20T17:00:00Z)')
    .option('--link <url>', 'the ticket tracking it')
    .action(async (id: string, title: string, o: ConnectionOptions & { owner?: string; due?: string; link?: string; json?: boolean }) => {
      const n = incidentId(id);
      const r = await call<{ action_item: ApiItem }>(o, 'POST', `${base(n)}/action-items`, { title, ...(o.owner ? { owner: o.owner } : {}), ...(o.due ? { due_at: o.due } : {}), ...(o.link ? { link: o.link } : {}) });
      if (o.json) return printJson(r);
      const i = r.action_item;
      console.log(`#${n}: action item ${i.id} added${i.owner ? `, owner ${i.owner}` : ', no owner yet'}${i.due_at ? `, due ${shortTime(i.due_at)}` : ''}`);
    });

  cmd(action, 'list')
    .description("The post-mortem's action items")
    .argument('<incident>', 'incident number')
    .action(async (id: string, o: ConnectionOptions & { json?: boolean }) => {
      const r = await call<{ action_items: ApiItem[] }>(o, 'GET', `${base(incidentId(id))}/action-items`);
      if (o.json) return printJson(r);
      printItems(r.action_items);
    });

  cmd(action, 'done')
    .description(`Mark an action item done (or another status: ${ACTION_ITEM_STATUSES.join(', ')})`)
    .argument('<item>', 'action item number')
    .option('--status <status>', `instead of done: ${ACTION_ITEM_STATUSES.join(', ')}`)
    .action(async (item: string, o: ConnectionOptions & { status?: string; json?: boolean }) => {
      const n = itemId(item);
      const r = await call<{ action_item: ApiItem }>(o, 'PATCH', `/api/v1/action-items/${n}`, { status: o.status ?? 'done' });
      if (o.json) return printJson(r);
      console.log(`action item ${n}: ${r.action_item.status}`);
    });
}
