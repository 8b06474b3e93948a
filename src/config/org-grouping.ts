import { z } from 'zod';
import { GROUP_BY_ALL, type Grouping } from '../domain/grouping/group-key.js';
import { formatDuration, parseDuration } from '../domain/silence/policy.js';

/**
 * A service's alert grouping, in Alertmanager's terms (see src/domain/grouping/group-key.ts):
 *
 *   grouping:
 *     by: [alertname, service]   # or ['...'] for every label; [] for one group per service
 *     wait: 30s                  # group wait: the first page waits this long for the rest
 *
 * Absent: every alert pages on its own. Stored on the service as JSON { by, wait_ms }.
 */
export const GroupingSchema = z.strictObject({
  by: z.array(z.string()).max(30).describe(`Label names whose values make the group, e.g. [alertname, service]; ['${GROUP_BY_ALL}'] groups by every label.`),
  wait: z.string().optional().describe('Group wait: how long the first alert waits for others before the group pages (default 30s, at most 1h).'),
});

export const DEFAULT_GROUP_WAIT_MS = 30_000;
const MAX_GROUP_WAIT_MS = 3_600_000;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Path = readonly (string | number)[];

export function checkGrouping(input: z.output<typeof GroupingSchema>, path: Path, problem: (at: Path, message: string) => void): Grouping | null {
  let ok = true;
  const seen = new Set<string>();
  input.by.forEach((name, i) => {
    const at = [...path, 'by', i];
    if (name === GROUP_BY_ALL) {
      if (input.by.length > 1) {
        problem(at, `'${GROUP_BY_ALL}' groups by every label and must be the only entry`);
        ok = false;
      }
    } else if (!LABEL_NAME.test(name)) {
      problem(at, `"${name}" is not a label name; use letters, digits and "_", not starting with a digit`);
      ok = false;
    } else if (seen.has(name)) {
      problem(at, `"${name}" is listed twice`);
      ok = false;
    }
    seen.add(name);
  });
  const waitMs = input.wait === undefined ? DEFAULT_GROUP_WAIT_MS : parseDuration(input.wait);
  if (waitMs === null || waitMs > MAX_GROUP_WAIT_MS) {
    problem([...path, 'wait'], `"${input.wait ?? ''}" is not a duration from 0s to 1h; write e.g. 30s or 2m`);
    ok = false;
  }
  return ok ? { by: input.by, waitMs: waitMs as number } : null;
}

/** The services.grouping column. */
export function groupingToJson(g: Grouping | null | undefined): string | null {
  return g ? JSON.stringify({ by: g.by, wait_ms: g.waitMs }) : null;
}

const parsed = new Map<string, Grouping>();

/** A service's grouping from its stored JSON (parsed once per distinct value: this is on the ingest path). */
export function groupingOf(json: string | null | undefined): Grouping | null {
  if (!json) return null;
  let g = parsed.get(json);
  if (!g) {
    const raw = JSON.parse(json) as { by: string[]; wait_ms: number };
    if (parsed.size > 500) parsed.clear();
    parsed.set(json, (g = { by: raw.by, waitMs: raw.wait_ms }));
  }
  return g;
}

/** The org file's form of a stored grouping, for export. */
export function groupingToFile(json: string | null | undefined): { by: string[]; wait: string } | null {
  const g = groupingOf(json);
  return g ? { by: [...g.by], wait: formatDuration(g.waitMs) } : null;
}
