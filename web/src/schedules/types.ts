/** Shapes of the schedules answers (src/http/routes/schedules.ts and the schedules section of routes/org.ts). */

export interface Restriction {
  days?: string[];
  from: string;
  to: string;
}

export interface ScheduleLayer {
  name: string;
  participants: string[];
  turn: string;
  start: string;
  time_zone?: string;
  restrictions?: Restriction[];
}

export interface OnCallNow {
  user: string;
  until: string;
}

export interface Override {
  id: string;
  start: string;
  end: string;
  /** Null: nobody is on call in the range. */
  user: string | null;
  replaces: string | null;
  note: string;
  created_by: { kind: string; name: string | null };
  created_at: string;
}

export interface Schedule {
  name: string;
  team?: string | null;
  role?: string | null;
  time_zone: string;
  layers: ScheduleLayer[];
  on_call_now?: OnCallNow | null;
  /** Only on GET /schedules/:name: the overrides that have not ended. */
  overrides?: Override[];
}

export interface Shift {
  start: string;
  end: string;
  user: string | null;
  source?: string;
}

export interface ScheduleShifts {
  schedule: string;
  time_zone: string;
  from: string;
  to: string;
  final: Shift[];
  layers: { name: string; shifts: Shift[] }[];
  overrides: Override[];
}

export interface OnCallRow {
  schedule: string;
  team: string | null;
  role: string | null;
  user: string | null;
  until: string | null;
}

export interface OnCallAnswer {
  at: string;
  oncall: OnCallRow[];
}

export interface UserShift extends Shift {
  schedule: string;
  team: string | null;
  role: string | null;
}

export interface UserShifts {
  user: string;
  from: string;
  to: string;
  shifts: UserShift[];
}

/** One problem GET /schedules/lint found (src/domain/schedule/lint.ts). */
export interface LintFinding {
  kind: 'gap' | 'long_shift' | 'double_booked' | 'same_time_zone' | 'conflict';
  schedule: string;
  /** The other schedule, for problems about two. */
  other?: string;
  user?: string;
  start: string;
  end: string;
  message: string;
}

export interface LintAnswer {
  from: string;
  to: string;
  findings: LintFinding[];
}
