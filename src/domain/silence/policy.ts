import { matches, type Matcher } from './matchers.js';

/**
 * A silence policy, as a handbook's "silence guidelines" table writes it: the longest silence
 * that may hide alerts of a severity, and who must approve silences that could hide certain
 * alerts (critical ones: a manager; security ones: a manager and a member of the security team).
 * A silence waiting for approval silences nothing: pages go on until it is approved.
 */
export interface SilencePolicy {
  /** Longest silence per severity (canonical names), in milliseconds. */
  maxDuration: { severity: string; ms: number }[];
  approvals: ApprovalRule[];
}

export interface ApprovalRule {
  name: string;
  /** The rule applies to silences that can hide alerts of these severities; null: any. */
  severities: string[] | null;
  /** ...and that can hide alerts carrying these labels; null: any. */
  matchers: Matcher[] | null;
  /** Every entry needs its own approver, none of them the silence's author. */
  approvers: Approver[];
}

export type Approver = { role: 'manager' | 'admin' } | { team: string };

export interface SeverityLevelNames {
  name: string;
  aliases: readonly string[];
}

/**
 * The severities a silence can hide: those for which its `severity` matchers hold. Silences match
 * an alert's severity by the scale's name (see matchLabels in commands/silences.ts).
 */
export function severitiesHidden(matchers: readonly Matcher[], levels: readonly SeverityLevelNames[]): string[] {
  const onSeverity = matchers.filter((m) => m.name === 'severity');
  return levels.filter((l) => onSeverity.every((m) => matches(m, { severity: l.name }))).map((l) => l.name);
}

/**
 * Whether a silence can hide an alert carrying the rule's labels: the silence's matchers on
 * those label names hold for the rule's values (its other matchers could match anything).
 */
export function canHide(silence: readonly Matcher[], rule: readonly Matcher[]): boolean {
  const labels: Record<string, string> = {};
  for (const m of rule) if (m.isEqual && !m.isRegex) labels[m.name] = m.value;
  const names = new Set(Object.keys(labels));
  // A regex rule matcher (category=~"sec.*") cannot be turned into one label value: assume it can.
  return silence.filter((m) => names.has(m.name)).every((m) => matches(m, labels));
}

export interface PolicyVerdict {
  /** The tightest limit that applies, or null. */
  limit: { severity: string; ms: number } | null;
  /** Rules whose approvers must approve before the silence takes effect. */
  approvals: ApprovalRule[];
  /**
   * Label sets of approval rules the silence does not name: alerts carrying them are never hidden
   * by it. A broad silence ("service=backend for 2 hours") thus leaves security alerts paging;
   * only a silence that names them (category="security") hides them, and that one needs approval.
   */
  exempt: Matcher[][];
}

/** Whether the silence names the rule's labels: a matcher on each of them, matching the rule's value. */
export function names(silence: readonly Matcher[], rule: readonly Matcher[]): boolean {
  return rule.every((r) => {
    const value = r.isEqual && !r.isRegex ? r.value : null;
    const own = silence.filter((m) => m.name === r.name);
    return own.length > 0 && (value === null || own.every((m) => matches(m, { [r.name]: value })));
  });
}

export function judgeSilence(policy: SilencePolicy | null, matchers: readonly Matcher[], levels: readonly SeverityLevelNames[]): PolicyVerdict {
  if (!policy) return { limit: null, approvals: [], exempt: [] };
  const hidden = new Set(severitiesHidden(matchers, levels));
  let limit: PolicyVerdict['limit'] = null;
  for (const l of policy.maxDuration) if (hidden.has(l.severity) && (!limit || l.ms < limit.ms)) limit = l;
  const approvals: ApprovalRule[] = [];
  const exempt: Matcher[][] = [];
  for (const r of policy.approvals) {
    if (r.severities !== null && !r.severities.some((s) => hidden.has(s))) continue;
    if (r.matchers === null) approvals.push(r);
    else if (names(matchers, r.matchers)) approvals.push(r);
    else if (canHide(matchers, r.matchers)) exempt.push(r.matchers);
  }
  return { limit, approvals, exempt };
}

export function approverText(a: Approver): string {
  return 'role' in a ? `a ${a.role}` : `a member of team ${a.team}`;
}

/** "2h", "30m", "1d", "1h30m", "90s" → milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*$/.exec(text);
  if (!m || !text.trim() || m.slice(1).every((x) => x === undefined)) return null;
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  return (((d * 24 + h) * 60 + min) * 60 + s) * 1000;
}

/** 3_600_000 → "1h", 5_400_000 → "1h30m". */
export function formatDuration(ms: number): string {
  let s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${d ? `${d}d` : ''}${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}
