import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import type { RouteTest } from '../commands/routing.js';
import { EXIT_CODES_HELP, printJson, printTable, usageError, withConnection, withJson, type ConnectionOptions } from './output.js';

/**
 * `watchkeeper route list|test`: the routing rules in order, and what they make of an example
 * alert (POST /api/v1/routes/test). The rules themselves change through the organisation file.
 */

type MakeClient = (opts: ConnectionOptions) => Client;

interface ApiRule {
  index: number;
  name: string;
  match: string[];
  summary: string;
  continue: boolean;
}

/** `alertname=HighErrorRate` → ['alertname', 'HighErrorRate']; labels, not matchers. */
function parseLabels(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const i = arg.indexOf('=');
    if (i < 1 || /[!~]$/.test(arg.slice(0, i)) || arg[i + 1] === '~') throw usageError(`label "${arg}" is not name=value; write it like severity=warning (an example alert's labels, not matchers)`);
    out[arg.slice(0, i)] = arg.slice(i + 1).replace(/^"(.*)"$/, '$1');
  }
  return out;
}

const OUTCOME: Record<RouteTest['outcome'], string> = { page: 'page', 'channels-only': 'channels only, nobody paged', drop: 'drop (recorded nowhere)' };

export function routingCommands(program: Command, client: MakeClient): void {
  const route = program.command('route').description('Routing rules: which alerts go to which service, page nobody, or are dropped');

  withJson(
    withConnection(
      route
        .command('list')
        .description('The routing rules, in the order they are tried')
        .addHelpText('after', `\nExamples:\n  watchkeeper route list\n${EXIT_CODES_HELP}`),
    ),
  ).action(async (o: ConnectionOptions & { json?: boolean }) => {
    const r = await client(o).request<{ routes: ApiRule[] }>('GET', '/api/v1/routes');
    if (o.json) return printJson(r);
    if (r.routes.length === 0) {
      console.log('No routing rules: every alert pages its own service\'s escalation policy. Add a routes section to the organisation file.');
      return;
    }
    printTable([['#', 'NAME', 'RULE'], ...r.routes.map((x) => [String(x.index + 1), x.name, x.summary])]);
  });

  withJson(
    withConnection(
      route
        .command('test')
        .description('Which rules an example alert matches, and where it goes')
        .argument('<labels...>', 'the alert\'s labels as name=value; service and severity count like any label')
        .option('--service <name>', 'the service the alert arrives on (an integration\'s); default: its service label')
        .addHelpText('after', `\nExamples:\n  watchkeeper route test alertname=HighErrorRate service=backend severity=warning\n  watchkeeper route test alertname=Watchdog --json | jq -r .outcome\n${EXIT_CODES_HELP}`),
    ),
  ).action(async (args: string[], o: ConnectionOptions & { json?: boolean; service?: string }) => {
    const labels = parseLabels(args);
    const r = await client(o).request<RouteTest>('POST', '/api/v1/routes/test', { labels, ...(o.service ? { service: o.service } : {}) });
    if (o.json) return printJson(r);
    const hit = r.rules.filter((x) => x.matched);
    if (hit.length) printTable([['#', 'RULE', 'MATCH', 'DECIDED'], ...hit.map((x) => [String(x.index + 1), x.name, x.match, x.decided.join(', ') || '-'])]);
    else console.log('No rule matches.');
    console.log('');
    printTable([
      ['service', r.service ?? '-'],
      ['severity', r.severity],
      ['outcome', OUTCOME[r.outcome]],
      ['policy', r.escalation_policy ?? '-'],
      ['channels', [...r.slack_channels.map((c) => `Slack ${c}`), ...r.channels].join(', ') || '-'],
    ]);
    console.log(r.summary);
  });
}
