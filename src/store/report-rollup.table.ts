/**
 * Report rollups (026-report-rollups), kept by triggers in the transaction of every change to an
 * alert or page; the reports read them for whole days and the raw rows for the edges of a range.
 */

/** Alerts opened on one UTC day (`created_at / 86_400_000`) per service, severity and policy ('' = none). */
export interface ReportAlertDaysTable {
  day: number;
  service_id: string;
  severity: string;
  policy_id: string;
  alerts: number;
  acknowledged: number;
  resolved: number;
  tta_sum_ms: number;
  ttr_sum_ms: number;
}

/** How many of those alerts took `s` whole seconds to be acknowledged / resolved (`measure`: ack | resolve | unacked). */
export interface ReportAlertTimesTable {
  day: number;
  service_id: string;
  severity: string;
  policy_id: string;
  measure: string;
  s: number;
  n: number;
  /** Of those, how many took more than exactly `s` seconds: "longer than the target" stays exact. */
  inexact: number;
}

/** Interruptions per person per UTC quarter hour (`first send / 900_000`). */
export interface ReportInterruptionsTable {
  user_id: string;
  quarter: number;
  n: number;
}

export interface ReportRollupTables {
  report_alert_days: ReportAlertDaysTable;
  report_alert_times: ReportAlertTimesTable;
  report_interruptions: ReportInterruptionsTable;
}
