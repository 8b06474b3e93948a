import type { SlaClock } from './sla';

/** Shapes of /api/v1/incidents answers (src/http/routes/incidents.ts). */
export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'closed';
export const STATUSES: IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved', 'closed'];
export const ROLES = ['commander', 'ops_lead', 'comms_lead', 'sme'] as const;
export type IncidentRole = (typeof ROLES)[number];
export const KEY_MOMENTS = [
  { moment: 'root_cause_identified', label: 'Root cause identified' },
  { moment: 'mitigation_applied', label: 'Mitigation applied' },
  { moment: 'service_restored', label: 'Service restored' },
] as const;

export interface Incident {
  id: number;
  number: string;
  slug: string;
  title: string;
  summary: string;
  status: IncidentStatus;
  severity: string;
  services: { id: string; name: string | null }[];
  commander: string | null;
  declared_at: string;
  declared_by: string;
  identified_at: string | null;
  monitoring_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  last_update_at: string | null;
  next_update_at: string | null;
  update_overdue: boolean;
  update_every_minutes: number | null;
  commander_required: boolean;
  /** SLA clocks (empty when the severity has no targets). */
  sla?: SlaClock[];
}

export interface IncidentUpdate {
  id: number;
  at: string;
  status: IncidentStatus;
  impact: string;
  actions: string;
  next_update_at: string | null;
  author: string;
}

export interface IncidentDetail {
  incident: Incident;
  roles: { role: IncidentRole; role_name: string; user: string; full_name: string | null; assigned_at: string; assigned_by: string }[];
  role_names: Record<IncidentRole, string>;
  alerts: { id: number; status: string | null; severity: string | null; summary: string | null; service: string | null; attached_at: string; detached_at: string | null }[];
  updates: IncidentUpdate[];
  timeline: { id: string; at: string; kind: string; actor: { kind: string; name: string }; surface: string; message: string; alert: number | null }[];
}
