import { Badge } from '../ui/badge';
import { LoadError } from '../ui/states';
import type { Range } from './timeline';
import type { LintFinding } from './types';

const WEEK = 7 * 86_400_000;

const KIND_LABEL: Record<LintFinding['kind'], string> = {
  gap: 'Nobody on call',
  long_shift: 'Long shift',
  double_booked: 'On call twice',
  same_time_zone: 'Same time zone',
  conflict: 'Conflict',
};

/** The lint query for the range on screen: whole weeks from its start, 1 to 26. */
export function lintQuery(range: Range): { from: string; weeks: string } {
  const weeks = Math.min(26, Math.max(1, Math.ceil((range.to - range.from) / WEEK)));
  return { from: new Date(range.from).toISOString(), weeks: String(weeks) };
}

/** This schedule's findings (alone or with another schedule) that overlap the range, in time order. */
export function warningsFor(findings: LintFinding[], name: string, range: Range): LintFinding[] {
  return findings.filter((f) => (f.schedule === name || f.other === name) && Date.parse(f.start) < range.to && Date.parse(f.end) > range.from);
}

/**
 * "Warnings" above the timeline: schedule lint's findings for the range shown (gaps, over-long
 * shifts, someone on call twice at once, primary and backup in one time zone). Nothing at all
 * when there are none, so a healthy schedule's page stays quiet.
 */
export function ScheduleWarnings({ findings, name, range, error, onRetry }: { findings: LintFinding[] | undefined; name: string; range: Range; error?: unknown; onRetry?: () => void }) {
  if (error) return <LoadError error={error} {...(onRetry ? { onRetry } : {})} />;
  const mine = warningsFor(findings ?? [], name, range);
  if (mine.length === 0) return null;
  return (
    <section aria-labelledby="sched-warnings" className="notice notice-warn sched-warnings">
      <h2 id="sched-warnings">Warnings</h2>
      <ul>
        {mine.map((f) => (
          <li key={`${f.kind}|${f.schedule}|${f.other ?? ''}|${f.user ?? ''}|${f.start}`}>
            <Badge tone="warn">{KIND_LABEL[f.kind]}</Badge> {f.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
