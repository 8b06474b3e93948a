import { z } from 'zod';

/**
 * A service's Slack routing in the organisation file:
 *
 *   services:
 *     - name: Payments API
 *       slack:
 *         channels: { critical: "#incidents", high: "#incidents", warning: "#alerts", info: "#monitoring" }
 *         security_channel: "#security"
 *
 * `channels` keys are severity names or aliases of the organisation's scale; an alert is posted to
 * the channel of its severity. A security alert (class "security", or label category=security) is
 * posted to `security_channel` as well. Stored and exported with canonical severity names.
 */
export interface OrgServiceSlack {
  /** Canonical severity name -> channel ("#incidents" or a channel ID), in scale order. */
  channels: Record<string, string>;
  securityChannel: string | null;
}

/** "#incidents" (Slack's rules for names: lowercase letters, digits, - and _, at most 80) or an ID. */
const CHANNEL = /^(#[a-z0-9_][a-z0-9_-]{0,79}|[CG][A-Z0-9]{8,20})$/;

export const slackChannel = () =>
  z
    .string({
      error: (iss) => (iss.input === null ? 'is empty: put the channel in quotes ("#incidents"); unquoted, # starts a YAML comment' : undefined),
    })
    .regex(CHANNEL, { error: (iss) => (iss.input === undefined ? undefined : 'must be a channel name such as "#incidents" (lowercase) or a channel ID such as C024BE91L') });

export const SlackRoutingSchema = z
  .strictObject({
    channels: z
      .record(z.string().min(1), slackChannel())
      .default({})
      .describe('Severity (name or alias) -> channel, e.g. {critical: "#incidents", warning: "#alerts"}. Quote channel names.'),
    security_channel: slackChannel()
      .optional()
      .describe('Alerts with class "security" or label category=security are posted here too.'),
  })
  .describe("Post this service's alerts to Slack channels by severity; the message is updated as the alert changes.");

export type SlackRoutingInput = z.output<typeof SlackRoutingSchema>;

type Path = readonly (string | number)[];

/**
 * Resolves the severity keys through the scale. `severity` returns the canonical name or null
 * after reporting the unknown key; `order` lists the scale's names, most severe first.
 */
export function checkSlackRouting(
  input: SlackRoutingInput,
  path: Path,
  severity: (raw: string, path: Path) => string | null,
  order: readonly string[] | null,
  problem: (path: Path, message: string) => void,
): OrgServiceSlack {
  const byName = new Map<string, { raw: string; channel: string }>();
  for (const [raw, channel] of Object.entries(input.channels)) {
    const at: Path = [...path, 'channels', raw];
    const name = severity(raw, at);
    if (name === null) continue;
    const dup = byName.get(name);
    if (dup) {
      problem(at, `"${raw}" and "${dup.raw}" are the same severity (${name}); list it once`);
      continue;
    }
    byName.set(name, { raw, channel });
  }
  if (byName.size === 0 && input.security_channel === undefined && Object.keys(input.channels).length === 0) {
    problem(path, 'give channels (severity -> channel), security_channel, or both; or leave slack out');
  }
  const rank = (n: string) => {
    const i = order ? order.indexOf(n) : -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const channels = Object.fromEntries(
    [...byName.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).map(([name, v]) => [name, v.channel]),
  );
  return { channels, securityChannel: input.security_channel ?? null };
}

/** The stored form (services.slack, JSON) back in the file's words, for export. */
export function slackRoutingToFile(stored: string | null): { channels: Record<string, string>; security_channel?: string } | null {
  const r = parseStoredSlackRouting(stored);
  if (!r) return null;
  return { channels: r.channels, ...(r.securityChannel ? { security_channel: r.securityChannel } : {}) };
}

export function parseStoredSlackRouting(stored: string | null | undefined): OrgServiceSlack | null {
  if (!stored) return null;
  try {
    const v = JSON.parse(stored) as Partial<OrgServiceSlack> | null;
    if (!v || typeof v !== 'object') return null;
    return { channels: v.channels ?? {}, securityChannel: v.securityChannel ?? null };
  } catch {
    return null;
  }
}
