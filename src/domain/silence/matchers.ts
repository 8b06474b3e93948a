/**
 * Alertmanager label matchers: `name="value"`, `name!="value"`, `name=~"regex"`, `name!~"regex"`.
 *
 * Semantics follow Alertmanager (research note §1.5): regexes are fully anchored, a label the alert
 * does not carry matches as the empty string, and a list of matchers is an AND. The text syntax is
 * Alertmanager's classic one, which amtool and the `filter=` parameters send: an optional `{…}`
 * around a comma-separated list, values bare or double-quoted with `\"`, `\n` and `\\` escapes.
 *
 * Regexes are compiled by JavaScript, not Go's RE2. The two agree on the syntax matchers use in
 * practice; RE2-only syntax (`(?P<name>…)`, `\z`) is refused with an error naming the matcher, and
 * JavaScript-only syntax that RE2 would reject (look-around, back-references) is refused too, so a
 * silence written here means the same thing everywhere.
 */
export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export type Labels = Readonly<Record<string, string>>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export class MatcherError extends Error {}

export function operatorOf(m: Pick<Matcher, 'isRegex' | 'isEqual'>): '=' | '!=' | '=~' | '!~' {
  return m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
}

/** `name="value"` with OpenMetrics escaping, as Alertmanager prints it. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${operatorOf(m)}"${m.value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`;
}

/** `{a="1",b=~"x"}`: sorted by name, value, then operator; no space after commas. */
export function formatMatchers(ms: readonly Matcher[]): string {
  const sorted = [...ms].sort((a, b) => cmp(a.name, b.name) || cmp(a.value, b.value) || cmp(operatorOf(a), operatorOf(b)));
  return `{${sorted.map(formatMatcher).join(',')}}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const compiled = new Map<string, RegExp>();

/** The anchored regex of a matcher value; throws MatcherError for syntax RE2 would not accept. */
export function compileRegex(value: string): RegExp {
  let re = compiled.get(value);
  if (re) return re;
  if (/\(\?P?<[A-Za-z]/.test(value) || /\(\?[=!]|\(\?<[=!]/.test(value) || /\\[1-9]/.test(value)) {
    throw new MatcherError(`regex "${value}" uses syntax Alertmanager does not accept (named groups, look-around or back-references)`);
  }
  try {
    re = new RegExp(`^(?:${value})$`, 'u');
  } catch (err) {
    throw new MatcherError(`regex "${value}" does not compile: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  if (compiled.size > 10_000) compiled.clear();
  compiled.set(value, re);
  return re;
}

/** Checks a matcher from JSON or text; throws MatcherError naming what is wrong. */
export function checkMatcher(m: Matcher): Matcher {
  if (!NAME.test(m.name)) throw new MatcherError(`invalid label name "${m.name}"; use letters, digits, "_" and ":", not starting with a digit`);
  if (m.isRegex) compileRegex(m.value);
  return m;
}

export function matches(m: Matcher, labels: Labels): boolean {
  const v = Object.prototype.hasOwnProperty.call(labels, m.name) ? (labels[m.name] ?? '') : '';
  const hit = m.isRegex ? compileRegex(m.value).test(v) : v === m.value;
  return hit === m.isEqual;
}

export function matchesAll(ms: readonly Matcher[], labels: Labels): boolean {
  for (const m of ms) if (!matches(m, labels)) return false;
  return true;
}

/** True when the matcher matches an alert that lacks the label (Alertmanager requires a silence to have one that does not). */
export function matchesEmpty(m: Matcher): boolean {
  return matches(m, {});
}

/**
 * Parses one matcher or a list, e.g. `alertname="HighErrorRate"`, `service=backend`,
 * `{env=~"prod|staging", severity!=info}`.
 */
export function parseMatchers(text: string): Matcher[] {
  let s = text.trim();
  if (s.startsWith('{') !== s.endsWith('}')) throw new MatcherError(`unbalanced braces in "${text}"`);
  if (s.startsWith('{')) s = s.slice(1, -1).trim();
  const out: Matcher[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  while (true) {
    skipSpace();
    if (i >= s.length) break;
    const nameStart = i;
    while (i < s.length && /[a-zA-Z0-9_:]/.test(s[i]!)) i++;
    const name = s.slice(nameStart, i);
    skipSpace();
    const op = /^(=~|!~|!=|=)/.exec(s.slice(i))?.[1];
    if (!name || !op) throw new MatcherError(`bad matcher format: ${s.slice(nameStart).split(',')[0]?.trim() || text}; write name="value", name!="value", name=~"regex" or name!~"regex"`);
    i += op.length;
    skipSpace();
    let value = '';
    if (s[i] === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i++]!;
        if (c === '\\') {
          const n = s[i++];
          value += n === 'n' ? '\n' : (n ?? '');
        } else if (c === '"') {
          closed = true;
          break;
        } else value += c;
      }
      if (!closed) throw new MatcherError(`unterminated quoted value for "${name}"`);
    } else {
      const start = i;
      while (i < s.length && s[i] !== ',') i++;
      value = s.slice(start, i).trim();
    }
    out.push(checkMatcher({ name, value, isRegex: op.endsWith('~'), isEqual: !op.startsWith('!') }));
    skipSpace();
    if (i >= s.length) break;
    if (s[i] !== ',') throw new MatcherError(`expected "," after the matcher for "${name}" in "${text}"`);
    i++;
  }
  if (out.length === 0) throw new MatcherError('no matchers given; write at least one, e.g. alertname="HighErrorRate"');
  return out;
}
