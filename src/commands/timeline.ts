import type { NewAlertEvent } from '../store/alert.repo.js';
import type { NewIncidentEvent } from '../store/incident.repo.js';
import { systemActor, type Actor } from './context.js';

/** Who did it, through which surface: the columns every timeline row carries. */
export const actorColumns = (actor: Actor) => ({ actor_kind: actor.kind, actor_id: actor.id, actor_name: actor.name, surface: actor.surface });

/** One row of an alert's timeline: what happened, who did it, through which surface. */
export function eventRow(alertId: number, at: number, actor: Actor, kind: string, message: string, data?: unknown): NewAlertEvent {
  return {
    alert_id: alertId,
    at,
    kind,
    ...actorColumns(actor),
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
    ...actorColumns(actor),
    message,
    data: data === undefined ? null : JSON.stringify(data),
  };
}
