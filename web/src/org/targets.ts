import type { PolicyTarget } from '../api/types';

/** "alice", "team sre (lead)", "schedule primary": a policy target as a person reads it. */
export function targetText(t: PolicyTarget): string {
  const kind = Object.keys(t).find((k) => k !== 'role' && k !== 'severities') ?? 'target';
  const name = String(t[kind] ?? '?');
  let s = kind === 'user' ? name : `${kind} ${name}`;
  if (t.role) s += ` (${t.role}${kind === 'team' ? 's' : ''})`;
  if (t.severities?.length) s += ` [${t.severities.join(', ')} only]`;
  return s;
}
