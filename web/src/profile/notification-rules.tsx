import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import { useApi } from '../lib/use-api';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { LoadError, Loading } from '../ui/states';
import { useToast } from '../ui/toast';
import type { ContactMethod } from './contact-methods';

/**
 * The notification rules editor: for high- and for low-urgency alerts, which of my methods are
 * notified and how many minutes after the page, e.g. high: Slack at once, SMS after 5, a call
 * after 10. Steps from the organisation file are shown, locked. Steps stop once the alert is
 * acknowledged. Saving replaces my own steps of both lists in one go.
 */
export interface RuleStep {
  contact_method: string;
  contact_method_id: string;
  type: string;
  delay_minutes: number;
  managed_by: 'org' | 'user';
  verified: boolean;
  paused: boolean;
}

export interface Rules {
  high: RuleStep[];
  low: RuleStep[];
  warnings: string[];
}

type Urgency = 'high' | 'low';
interface Draft {
  key: number;
  contact_method: string;
  delay: string;
}

let nextKey = 1;
const toDrafts = (steps: RuleStep[]): Draft[] => steps.filter((s) => s.managed_by === 'user').map((s) => ({ key: nextKey++, contact_method: s.contact_method, delay: String(s.delay_minutes) }));

/** `refresh` changes when the contact methods changed elsewhere on the page: both are read again. */
export function NotificationRules({ me, refresh = 0 }: { me: string; refresh?: number }) {
  const base = `/users/${encodeURIComponent(me)}`;
  const rules = useApi<Rules>(`${base}/notification-rules`);
  const methods = useApi<{ contact_methods: ContactMethod[] }>(`${base}/contact-methods`);
  const { reload: reloadRules } = rules;
  const { reload: reloadMethods } = methods;
  useEffect(() => {
    if (refresh === 0) return;
    reloadRules();
    reloadMethods();
  }, [refresh, reloadRules, reloadMethods]);
  const toast = useToast();
  const [drafts, setDrafts] = useState<Record<Urgency, Draft[]> | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Fresh rules from the server replace the drafts (adjusting state while rendering, as React
  // recommends over an effect).
  const [shown, setShown] = useState<Rules | undefined>(undefined);
  if (rules.data !== shown) {
    setShown(rules.data);
    if (rules.data) setDrafts({ high: toDrafts(rules.data.high), low: toDrafts(rules.data.low) });
  }

  if (rules.error || methods.error) return <LoadError error={rules.error ?? methods.error} onRetry={() => (rules.reload(), methods.reload())} />;
  if (!rules.data || !methods.data || !drafts) return <Loading what="notification rules" />;
  const options = methods.data.contact_methods;
  const data = rules.data;

  const change = (u: Urgency, key: number, patch: Partial<Draft>) => setDrafts({ ...drafts, [u]: drafts[u].map((d) => (d.key === key ? { ...d, ...patch } : d)) });
  const add = (u: Urgency) => {
    const last = drafts[u].at(-1);
    const delay = last ? String((Number(last.delay) || 0) + 5) : '0';
    setDrafts({ ...drafts, [u]: [...drafts[u], { key: nextKey++, contact_method: options[0]?.name ?? '', delay }] });
  };
  const remove = (u: Urgency, key: number) => setDrafts({ ...drafts, [u]: drafts[u].filter((d) => d.key !== key) });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    const body = {
      high: drafts.high.map((d) => ({ contact_method: d.contact_method, delay_minutes: Number(d.delay) })),
      low: drafts.low.map((d) => ({ contact_method: d.contact_method, delay_minutes: Number(d.delay) })),
    };
    const local: Record<string, string> = {};
    for (const u of ['high', 'low'] as const) {
      drafts[u].forEach((d, i) => {
        if (d.delay.trim() === '' || !Number.isInteger(Number(d.delay))) local[`${u}[${i}].delay_minutes`] = 'must be a whole number of minutes';
      });
    }
    if (Object.keys(local).length) return setErrors(local);
    setBusy(true);
    try {
      await api.put<Rules>(`${base}/notification-rules`, body);
      toast.ok('Notification rules saved.');
      rules.reload();
    } catch (err) {
      if (err instanceof ApiError && err.problems.length > 0) {
        setErrors(Object.fromEntries(err.problems.map((p) => [p.field ?? '', p.message])));
        setError('Nothing was saved; fix the steps marked below.');
      } else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const list = (u: Urgency, title: string) => {
    const locked = data[u].filter((s) => s.managed_by === 'org');
    const stepError = (i: number) => errors[`${u}[${i}]`] ?? errors[`${u}[${i}].contact_method`] ?? errors[`${u}[${i}].delay_minutes`] ?? null;
    return (
      <fieldset className="panel" style={{ marginBottom: '0.75rem' }}>
        <legend>
          <strong>{title}</strong>
        </legend>
        <ol aria-label={`${title} steps`} style={{ paddingLeft: '1.25rem', margin: 0 }}>
          {locked.map((s, i) => (
            <li key={`org-${i}`} className="row" style={{ marginBottom: '0.4rem' }}>
              <span>
                {s.delay_minutes === 0 ? 'At once' : `After ${s.delay_minutes} min`}: {s.contact_method}
              </span>
              <Badge title="Set in the organisation file; an admin changes it there">organisation file</Badge>
            </li>
          ))}
          {drafts[u].map((d, i) => {
            const m = options.find((o) => o.name === d.contact_method);
            const problem = stepError(i);
            return (
              <li key={d.key} style={{ marginBottom: '0.4rem' }}>
                <div className="row">
                  <select aria-label={`${title} step ${i + 1}: contact method`} value={d.contact_method} onChange={(e) => change(u, d.key, { contact_method: e.target.value })} aria-invalid={problem ? true : undefined}>
                    {!m && <option value={d.contact_method}>{d.contact_method || 'choose…'}</option>}
                    {options.map((o) => (
                      <option key={o.id} value={o.name}>
                        {o.name} ({o.channel.name})
                      </option>
                    ))}
                  </select>
                  <label className="row">
                    after
                    <input
                      aria-label={`${title} step ${i + 1}: minutes`}
                      type="number"
                      min={0}
                      max={1440}
                      step={1}
                      style={{ width: '5rem' }}
                      value={d.delay}
                      onChange={(e) => change(u, d.key, { delay: e.target.value })}
                      aria-invalid={problem ? true : undefined}
                    />
                    minutes
                  </label>
                  {m && !m.verified && <Badge tone="danger">not verified: skipped</Badge>}
                  {m?.paused && <Badge tone="warn">paused: skipped</Badge>}
                  <Button small variant="ghost" onClick={() => remove(u, d.key)} aria-label={`Remove ${title} step ${i + 1}`}>
                    Remove
                  </Button>
                </div>
                {problem && (
                  <span className="error" role="alert">
                    {problem}
                  </span>
                )}
              </li>
            );
          })}
        </ol>
        {locked.length + drafts[u].length === 0 && <p className="muted">No steps: {u === 'high' ? 'nothing pages you for high-urgency alerts.' : 'low-urgency alerts do not reach you.'}</p>}
        <Button small onClick={() => add(u)} disabled={options.length === 0}>
          Add a {u}-urgency step
        </Button>
      </fieldset>
    );
  };

  return (
    <section aria-labelledby="rules">
      <h2 id="rules">Notification rules</h2>
      <p className="muted small">Who pages you how, per urgency: the minutes count from when you are paged, and the steps stop as soon as the alert is acknowledged.</p>
      {data.warnings.length > 0 && (
        <ul className="notice notice-warn" aria-label="Rule warnings" style={{ paddingLeft: '1.5rem' }}>
          {data.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <form onSubmit={save} noValidate>
        {list('high', 'High urgency')}
        {list('low', 'Low urgency')}
        {error && (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" busy={busy}>
          Save rules
        </Button>
      </form>
    </section>
  );
}
