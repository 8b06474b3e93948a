import type { OrgServiceSlack } from '../../config/org-slack.js';

/**
 * Which channels an alert is posted to: the channel of its severity and, for a security alert,
 * the service's security channel too. A security alert is one whose class is "security" (PagerDuty
 * Events v2 `class`) or that carries the label category=security (the Alertmanager convention the
 * handbooks use); both compared without regard to case.
 */
export function isSecurityAlert(a: { class: string | null; labels: Record<string, string> }): boolean {
  if (a.class?.trim().toLowerCase() === 'security') return true;
  return Object.entries(a.labels).some(([k, v]) => k.toLowerCase() === 'category' && String(v).trim().toLowerCase() === 'security');
}

export function channelsFor(routing: OrgServiceSlack, a: { severity: string; class: string | null; labels: Record<string, string> }): string[] {
  const out: string[] = [];
  const bySeverity = routing.channels[a.severity];
  if (bySeverity) out.push(bySeverity);
  if (routing.securityChannel && isSecurityAlert(a) && !out.includes(routing.securityChannel)) out.push(routing.securityChannel);
  return out;
}
