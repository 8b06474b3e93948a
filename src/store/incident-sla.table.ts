/** A breached SLA clock of an incident (023-incident-sla): recorded once, by whichever engine saw it first. */
export interface IncidentSlaBreachesTable {
  incident_id: number;
  /** acknowledge | first_update | resolve (src/domain/incident/sla.ts) */
  clock: string;
  target_ms: number;
  due_at: number;
  /** When the breach was recorded (at or after due_at). */
  breached_at: number;
}
