import type { NewAlertEvent } from '../store/alert.repo.js';
import type { NewIncidentEvent } from '../store/incident.repo.js';
import { systemActor, type Actor } from './context.js';

/** One row of an alert's timeline: what happened, who did it, through which surface. */
export function eventRow(alertId: number, at: number, actor: Actor, kind: string, message: string, data?: unknown): NewAlertEvent {
  return {
    alert_id: alertId,
    at,
    kind,
    actor_kind: actor.kind,
    actor_id: actor.id,
    actor_name: actor.name,
    surface: actor.surface,
    message,
    data: data === undefined ? null : JSON.stringify(data),
  };
}

/** A timeline row written by Watchkeeper itself. */
export const systemEventRow = (alertId: number, at: number, kind: string, message: string, data?: unknown): NewAlertEvent =>
  eventRow(alertId, at, systemActor('engine'), kind, message, data);

/** One row of an incident's timeline: what happened, who did it, through which surface. */
export function incidentEventRow(incidentId: number, at: number, actor: Actor, kind: string, message: string, data?: unknown): NewIncidentEvent {
  return {
    incident_id: incidentId,
    at,
    kind,
    actor_kind: actor.kind,
    actor_id: actor.id,
    actor_name: actor.name,
    surface: actor.surface,
    message,
    data: data === undefined ? null : JSON.stringify(data),
  };
}
