// On-call maths: how fast the schedule functions in dist/domain/schedule answer the questions the
// engine and the UI ask, in this process (no server, no store).
//
//   npm run bench:oncall                      # builds, then: node bench/oncall.js
//   node bench/oncall.js --runs 50 --schedules 1000
//
// (a) "who is on call now" (onCallAt) for 1,000 schedules, each with 3 layers (a weekly rota, a
//     12-hour follow-the-sun rota, and a weekly business-hours layer restricted to weekdays
//     09:00-17:00) and 50 overrides, in 8 time zones. Target: all 1,000 in under 50 ms.
// (b) one year of finalShifts for one such schedule. Target: under 10 ms.
//
// Figures are p50 over repeated runs after warm-up, the first (cold) run of a fresh process, and
// a run on freshly loaded copies of the schedules (what a tick that reads them from the store
// sees: nothing cached per layer object, the shared per-zone conversion cache warm).
// Prints figures; asserts nothing.

import { parseArgs } from 'node:util';
import { finalShifts, onCallAt } from '../dist/domain/schedule/schedule.js';
import { fmt, int, machineLines, percentile, positive, runBenchmark, table } from './common.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string' },
    warmup: { type: 'string' },
    schedules: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (flags.help) {
  console.log('usage: node bench/oncall.js [--runs N (50)] [--warmup N (5)] [--schedules N (1000)]');
  process.exit(0);
}

const RUNS = positive('runs', flags.runs, 50);
const WARMUP = positive('warmup', flags.warmup, 5);
const SCHEDULES = positive('schedules', flags.schedules, 1000);
const TARGET_NOW_MS = 50;
const TARGET_YEAR_MS = 10;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A fixed "now" keeps runs comparable: a Tuesday afternoon in Europe, morning in the Americas.
const NOW = Date.parse('2026-03-10T14:30:00Z');
const ZONES = ['UTC', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Europe/London', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney'];

// Deterministic pseudo-random numbers, so every run builds the same schedules.
let seed = 20260310;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const pad = (n) => String(n).padStart(2, '0');

function people(prefix, n) {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}

/** A local "YYYY-MM-DDTHH:MM" some Monday in 2025 at the given hour. */
function mondayIn2025(hour) {
  const d = new Date(Date.UTC(2025, 0, 6) + Math.floor(rand() * 50) * 7 * DAY);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(hour)}:00`;
}

function makeSchedule(i, zone = pick(ZONES)) {
  const team = people(`s${i}`, 4 + Math.floor(rand() * 5));
  const layers = [
    { name: 'primary', participants: team, turn: { unit: 'week', count: 1 }, start: mondayIn2025(9), timeZone: zone },
    { name: 'follow-the-sun', participants: team.slice(0, 3), turn: { unit: 'hour', count: 12 }, start: mondayIn2025(8), timeZone: zone },
    {
      name: 'business-hours',
      participants: team.slice(-2),
      turn: { unit: 'week', count: 1 },
      start: mondayIn2025(9),
      timeZone: zone,
      restrictions: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' }],
    },
  ];
  // 50 overrides within a year around now: covers, swaps, removals, a few of them long.
  const overrides = Array.from({ length: 50 }, (_, j) => {
    const start = NOW - 180 * DAY + Math.floor(rand() * 360 * DAY);
    const length = rand() < 0.1 ? Math.floor(rand() * 14 * DAY) : Math.floor(rand() * DAY);
    const kind = rand();
    return {
      id: `s${i}-o${j}`,
      start,
      end: start + length,
      userId: kind < 0.15 ? null : pick(team),
      replacesUserId: kind < 0.5 ? null : pick(team),
    };
  });
  return { timeZone: zone, layers, overrides };
}

function time(fn) {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

function summary(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return `p50 ${fmt(percentile(s, 50), 2)} ms   p90 ${fmt(percentile(s, 90), 2)} ms   min ${fmt(s[0], 2)} ms   max ${fmt(s[s.length - 1], 2)} ms   (${s.length} runs)`;
}

const verdict = (ms, target) => `target under ${target} ms: ${ms < target ? 'met' : 'NOT met'}`;

async function main() {
  console.log('Watchkeeper on-call maths benchmark: onCallAt and finalShifts from dist/domain/schedule');
  for (const l of machineLines()) console.log(l);
  console.log(`load:    ${int(SCHEDULES)} schedules × 3 layers (weekly; 12-hour; weekly restricted to weekdays 09:00-17:00) × 50 overrides, ${ZONES.length} zones`);
  console.log(`runs:    ${WARMUP} warm-up + ${RUNS} measured; "now" starts at ${new Date(NOW).toISOString()} and moves 7 minutes per run`);

  // (b) first, while the process is cold. Its zone is in no schedule of (a), so (a)'s cold run is
  // cold too.
  const one = makeSchedule(-1, 'America/Chicago');
  const yearFrom = NOW;
  const yearTo = NOW + 365 * DAY;
  const yearCold = time(() => finalShifts(one, yearFrom, yearTo));
  const shifts = yearCold.result;
  for (let i = 0; i < WARMUP; i++) finalShifts(one, yearFrom, yearTo);
  const yearRuns = [];
  for (let i = 0; i < RUNS; i++) yearRuns.push(time(() => finalShifts(one, yearFrom, yearTo)).ms);
  const yearCopies = Array.from({ length: Math.min(RUNS, 20) }, () => JSON.parse(JSON.stringify(one)));
  const yearFresh = yearCopies.map((copy) => time(() => finalShifts(copy, yearFrom, yearTo)).ms);

  // (a)
  const schedules = Array.from({ length: SCHEDULES }, (_, i) => makeSchedule(i));
  const allOnCall = (specs, t) => {
    let n = 0;
    for (const s of specs) if (onCallAt(s, t) !== null) n++;
    return n;
  };
  const nowCold = time(() => allOnCall(schedules, NOW));
  for (let i = 0; i < WARMUP; i++) allOnCall(schedules, NOW + i * 7 * 60_000);
  const nowRuns = [];
  let covered = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = time(() => allOnCall(schedules, NOW + (WARMUP + i) * 7 * 60_000));
    nowRuns.push(r.ms);
    covered = r.result;
  }
  // Copies made as the store makes them (layers are stored as JSON), before timing and all at once, so their garbage is not collected
  // inside a timed run.
  const freshSets = Array.from({ length: Math.min(RUNS, 10) }, () => JSON.parse(JSON.stringify(schedules)));
  const freshRuns = freshSets.map((copies, i) => time(() => allOnCall(copies, NOW + (WARMUP + RUNS + i) * 7 * 60_000)).ms);

  const p50 = (xs) => percentile([...xs].sort((a, b) => a - b), 50);
  console.log(`\n(a) onCallAt for ${int(SCHEDULES)} schedules (${int(covered)} have someone on call in the last run)`);
  table([
    ['repeated, warm', summary(nowRuns)],
    ['freshly loaded copies', `${summary(freshRuns)}   (new layer objects each run)`],
    ['first run, cold process', `${fmt(nowCold.ms, 2)} ms   (every zone conversion computed by Luxon)`],
    ['per schedule (p50)', `${fmt((p50(nowRuns) * 1000) / SCHEDULES, 2)} µs`],
    ['verdict (p50, warm)', verdict(p50(nowRuns), TARGET_NOW_MS)],
    ['verdict (p50, fresh copies)', verdict(p50(freshRuns), TARGET_NOW_MS)],
  ]);

  console.log(`\n(b) finalShifts for one year of one such schedule (America/Chicago): ${int(shifts.length)} shifts`);
  table([
    ['repeated, warm', summary(yearRuns)],
    ['freshly loaded copy', `${summary(yearFresh)}   (new layer objects each run)`],
    ['first run, cold process', `${fmt(yearCold.ms, 2)} ms   (every handoff and window edge converted by Luxon)`],
    ['verdict (p50, warm)', verdict(p50(yearRuns), TARGET_YEAR_MS)],
  ]);
}

runBenchmark('bench/oncall.js', main, { timeLimitMs: 300_000 });
