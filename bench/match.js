// Matching cost on ingest: alerts per second through POST /api/v2/alerts (the Alertmanager
// integration URL, one alert with a realistic label set per request) against a real
// `watchkeeper serve --roles api`, once with no routing rules, silences or inhibition rules, and
// once with 50 routing rules, 1,000 active silences and 100 inhibition rules, none of which match
// the benchmark's alerts: every alert is checked against all of them, and the database work stays
// the same, so the difference is the matching. Runs alternate (none, matching, none, matching…) so
// a machine that slows down during the run does not favour either side.
//
//   npm run bench:match                       # builds, then: node bench/match.js
//   node bench/match.js --duration 20 --rounds 3 --connections 16
//
// Also times the matching alone, in this process, against the same rule set (routing + silence
// + inhibition checks per alert, as ingest calls them), to put the figure in microseconds.
// Prints figures; asserts nothing. Target: matching costs under 10% of ingest throughput.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cpuSeconds, fmt, freePort, int, machineLines, makeTempDir, onCleanup, runBenchmark, ROOT, sleep, startServer, stopServer, table, waitHealthy, positive } from './common.js';

const AM_KEY = 'bench0match0alertmanager00000000';
const ROUTES = 50;
const SILENCES = 1000;
const INHIBIT_RULES = 100;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log('usage: node bench/match.js [--duration SECONDS (10)] [--warmup SECONDS (2)] [--rounds N (2)] [--connections N (16)]\n\nRuns against dist/ (npm run bench:match builds first), SQLite in a temporary directory.');
  process.exit(0);
}
const DURATION_S = positive('duration', flags.duration, 10);
const WARMUP_S = positive('warmup', flags.warmup, 2);
const ROUNDS = Math.round(positive('rounds', flags.rounds, 2));
const CONNECTIONS = Math.round(positive('connections', flags.connections, 16));

const BASE_ORG = fs.readFileSync(path.join(ROOT, 'bench', 'org.yaml'), 'utf8').replace(/\n {6}- name: events-v2[\s\S]*$/, `\n      - name: prometheus\n        type: alertmanager\n        key: ${AM_KEY}\n`);

/** Rules of the shapes people write: equality on alertname, regexes on team and instance, negations. */
function routesYaml() {
  const out = ['routes:'];
  for (let i = 0; i < ROUTES; i++) {
    const match =
      i % 5 === 0 ? [`alertname="Rule${i}Alert"`] : i % 5 === 1 ? [`team=~"team-${i}|squad-${i}"`, 'severity="critical"'] : i % 5 === 2 ? [`instance=~"db-${i}-.*"`] : i % 5 === 3 ? [`environment="env-${i}"`, 'job!="bench"'] : [`service="Service${i}"`, `alertname=~"Rule${i}.*"`];
    out.push(`  - name: rule-${i}`, `    match: ${JSON.stringify(match)}`, i % 3 === 0 ? '    page: false' : '    severity: info', ...(i % 7 === 0 ? ['    continue: true'] : []));
  }
  return out.join('\n');
}

function inhibitYaml() {
  const out = ['inhibit_rules:'];
  for (let i = 0; i < INHIBIT_RULES; i++) {
    out.push(`  - source_matchers: ['alertname="Outage${i}"']`, `    target_matchers: [${i % 2 ? `'alertname=~"Symptom${i}|Latency${i}"'` : `'team="team-${i}"'`}]`, '    equal: [service]');
  }
  return out.join('\n');
}

/** One silence's matchers: mostly an instance or alertname people silence during work, some regexes. */
function silenceMatchers(i) {
  if (i % 4 === 0) return [`instance="maint-${i}.example:9100"`];
  if (i % 4 === 1) return [`alertname="Flapping${i}"`, 'environment="production"'];
  if (i % 4 === 2) return [`instance=~"batch-${i}-.*"`];
  return [`team="team-${i}"`, `alertname=~"Disk.*|Mem.*"`];
}

/** The labels of the n-th benchmark alert: matched by none of the rules above. */
function labelsOf(n) {
  return { alertname: `HighErrorRate`, job: 'bench', instance: `web-${n % 64}.example:9100`, environment: 'production', team: 'payments', severity: 'critical', run: String(n) };
}

function cannon(baseUrl, seconds, prefix) {
  let n = 0;
  const statuses = new Map();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: `/integrations/alertmanager/${AM_KEY}/api/v2/alerts`,
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => {
              const i = n++;
              req.body = JSON.stringify([{ labels: { ...labelsOf(i), run: `${prefix}-${i}` }, annotations: { summary: `Bench: error rate above 5% on web-${i % 64}` } }]);
              return req;
            },
            onResponse: (status) => statuses.set(status, (statuses.get(status) ?? 0) + 1),
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve({ res, statuses })),
    );
    onCleanup(() => instance.stop());
  });
}

async function serverRun(kind, round) {
  const dir = makeTempDir(`wk-bench-match-${kind}-`);
  const orgFile = path.join(dir, 'org.yaml');
  fs.writeFileSync(orgFile, kind === 'none' ? BASE_ORG : `${BASE_ORG}\n${routesYaml()}\n${inhibitYaml()}\n`);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = startServer({
    args: ['--data-dir', dir, '--port', String(port), '--host', '127.0.0.1', '--org', orgFile, '--roles', 'api'],
    env: { WATCHKEEPER_INGEST_RATE_LIMIT: '0', WATCHKEEPER_LOG_LEVEL: 'warn', DATABASE_URL: '' },
    label: `${kind} #${round}`,
  });
  await waitHealthy(server, baseUrl);
  if (kind === 'matching') {
    const token = fs.readFileSync(path.join(dir, 'admin-token'), 'utf8').trim();
    for (let i = 0; i < SILENCES; i++) {
      const r = await fetch(`${baseUrl}/api/v1/silences`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ matchers: silenceMatchers(i), duration: '7d', comment: `bench silence ${i}` }),
      });
      if (r.status !== 201 && r.status !== 200) throw new Error(`creating silence ${i}: ${r.status} ${await r.text()}`);
    }
  }
  await cannon(baseUrl, WARMUP_S, `warm-${kind}-${round}`);
  await sleep(200);
  const cpu0 = cpuSeconds(server.child.pid);
  const t0 = performance.now();
  const { res, statuses } = await cannon(baseUrl, DURATION_S, `${kind}-${round}`);
  const wall = (performance.now() - t0) / 1000;
  const cpuUsed = cpu0 === null ? null : cpuSeconds(server.child.pid) - cpu0;
  const cpu = cpuUsed === null ? null : cpuUsed / wall;
  await stopServer(server);
  const bad = [...statuses].filter(([s]) => s !== 200);
  if (bad.length) throw new Error(`${kind} run answered ${bad.map(([s, c]) => `${c}×${s}`).join(', ')}`);
  // Server CPU per alert: steadier than throughput on a machine shared with other work.
  return { rps: res.requests.mean, p99: res.latency.p99, cpu, cpuUs: cpuUsed === null ? NaN : (cpuUsed * 1e6) / res.requests.total, total: res.requests.total };
}

/** The matching alone, in this process: what ingest calls per alert, against the same rules. */
async function matchingAlone() {
  const dist = (p) => import(path.join(ROOT, 'dist', p));
  const { validateOrg } = await dist('config/org.js');
  const { routeAlert } = await dist('domain/routing/rules.js');
  const { silencing } = await dist('commands/silences.js');
  const { anySource, anyTarget } = await dist('domain/silence/inhibition.js');
  const { parseMatchers } = await dist('domain/silence/matchers.js');
  const { parse } = await import('yaml');
  const v = validateOrg(parse(`${BASE_ORG}\n${routesYaml()}\n${inhibitYaml()}\n`));
  if (!v.ok) throw new Error(`bench org invalid: ${JSON.stringify(v.problems)}`);
  const now = Date.now();
  const silences = Array.from({ length: SILENCES }, (_, i) => ({ id: `s${i}`, matchers: silenceMatchers(i).flatMap(parseMatchers), startsAt: now - 1000, endsAt: now + 86_400_000, approval: 'approved', exempt: [] }));
  const { routes, inhibitRules } = v.config;
  const N = 100_000;
  let hits = 0;
  const one = (i) => {
    const labels = { service: 'Bench', ...labelsOf(i) };
    if (routeAlert(routes, labels)) hits++;
    if (silencing(silences, labels, now)) hits++;
    if (anyTarget(inhibitRules, labels)) hits++;
    if (anySource(inhibitRules, labels)) hits++;
  };
  for (let i = 0; i < 10_000; i++) one(i);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) one(i);
  const us = ((performance.now() - t0) * 1000) / N;
  return { us, hits };
}

async function main() {
  console.log('Watchkeeper matching benchmark: ingest with and without routing rules, silences and inhibition rules');
  for (const l of machineLines()) console.log(l);
  console.log(`rules:   ${ROUTES} routing rules, ${SILENCES} active silences, ${INHIBIT_RULES} inhibition rules; none matches the benchmark's alerts`);
  console.log(`load:    ${CONNECTIONS} connections, ${DURATION_S} s per run after ${WARMUP_S} s warm-up, ${ROUNDS} round(s) of (none, matching); SQLite, --roles api`);

  const alone = await matchingAlone();
  console.log(`\nmatching alone (this process): ${fmt(alone.us, 2)} µs per alert (routing + silences + inhibition), ${alone.hits} false hits`);

  const runs = { none: [], matching: [] };
  for (let r = 1; r <= ROUNDS; r++) {
    for (const kind of ['none', 'matching']) {
      const x = await serverRun(kind, r);
      runs[kind].push(x);
      console.log(`  round ${r} ${kind.padEnd(8)} ${int(x.rps)} alerts/s   p99 ${x.p99} ms   server CPU ${x.cpu === null ? 'n/a' : `${fmt(x.cpu * 100, 0)}%`}, ${int(x.cpuUs)} µs per alert`);
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const none = mean(runs.none.map((x) => x.rps));
  const matching = mean(runs.matching.map((x) => x.rps));
  const cost = (1 - matching / none) * 100;
  const noneRps = runs.none.map((x) => x.rps);
  const spread = ((Math.max(...noneRps) - Math.min(...noneRps)) / none) * 100;
  const cpuNone = mean(runs.none.map((x) => x.cpuUs));
  const cpuMatching = mean(runs.matching.map((x) => x.cpuUs));
  // The matching alone as a share of the time one alert takes at the no-rules rate (one core's worth).
  const share = (alone.us * none) / 1e6 * 100;
  console.log('');
  table([
    ['no rules (mean)', `${int(none)} alerts/s`],
    [`${ROUTES} routes + ${SILENCES} silences + ${INHIBIT_RULES} inhibition rules (mean)`, `${int(matching)} alerts/s`],
    ['matching cost, measured', `${fmt(cost, 1)}% of ingest throughput`],
    ['server CPU per alert (mean)', `${int(cpuNone)} µs without, ${int(cpuMatching)} µs with: ${fmt((cpuMatching / cpuNone - 1) * 100, 1)}% more`],
    ['matching cost, from the in-process time', `${fmt(share, 1)}% of one core at the no-rules rate (${fmt(alone.us, 2)} µs × ${int(none)} alerts/s)`],
    ['run-to-run spread without rules', `${fmt(spread, 1)}% (max − min over the mean): differences smaller than this are noise`],
    ['target', `under 10%: ${cost < 10 && share < 10 ? 'met' : 'NOT met'}`],
  ]);
}

runBenchmark('bench/match.js', main, { timeLimitMs: (ROUNDS * 2 * (WARMUP_S + DURATION_S + 60) + 120) * 1000 });
