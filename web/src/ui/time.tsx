import { absoluteTime, relativeTime } from '../lib/time';
import { useNow } from '../lib/use-now';

/** "4 min ago", with the exact time in the title and the datetime attribute. */
export function RelativeTime({ at }: { at: string | null | undefined }) {
  const now = useNow();
  if (!at) return <span className="muted">—</span>;
  return (
    <time dateTime={at} title={absoluteTime(at)}>
      {relativeTime(at, now)}
    </time>
  );
}

/** The exact time, then how long ago. */
export function FullTime({ at }: { at: string | null | undefined }) {
  const now = useNow();
  if (!at) return <span className="muted">—</span>;
  return (
    <time dateTime={at}>
      {absoluteTime(at)} <span className="muted">({relativeTime(at, now)})</span>
    </time>
  );
}
