import { useApi } from '../lib/use-api';
import { Badge } from '../ui/badge';
import type { IncidentStatus } from './types';

const TONE: Record<IncidentStatus, 'ok' | 'warn' | 'danger' | undefined> = { investigating: 'danger', identified: 'warn', monitoring: 'warn', resolved: 'ok', closed: undefined };

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  return <Badge tone={TONE[status]}>{status}</Badge>;
}

/** The organisation's severity names, most severe first, from the exported configuration. */
export function useSeverities(enabled = true): string[] {
  const r = useApi<{ severities?: { levels?: { name: string }[] } }>(enabled ? '/config' : null);
  return r.data?.severities?.levels?.map((l) => l.name) ?? [];
}

/** People by name, for role and commander pickers. */
export function useUsers(enabled = true): { name: string; full_name?: string }[] {
  const r = useApi<{ users: { name: string; full_name?: string }[] }>(enabled ? '/users' : null);
  return r.data?.users ?? [];
}

export const personLabel = (u: { name: string; full_name?: string | null }) => (u.full_name ? `${u.full_name} (${u.name})` : u.name);
