import type { ReactNode } from 'react';

const KNOWN_SEVERITIES = new Set(['critical', 'high', 'medium', 'low', 'info']);

export function Badge({ tone, children, title }: { tone?: 'ok' | 'warn' | 'danger'; children: ReactNode; title?: string }) {
  return (
    <span className={tone ? `badge badge-${tone}` : 'badge'} title={title}>
      {children}
    </span>
  );
}

/** Severity names come from the organisation's scale; unknown names get the neutral badge. */
export function SeverityBadge({ severity }: { severity: string }) {
  const cls = KNOWN_SEVERITIES.has(severity) ? `badge badge-sev-${severity}` : 'badge';
  return <span className={cls}>{severity}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-status-${status}`}>{status}</span>;
}
