import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import type { Integration, Service } from '../api/types';
import { useApi } from '../lib/use-api';
import { Button } from '../ui/button';
import { CopyButton } from '../ui/copy-button';
import { Field } from '../ui/field';
import { FormFooter, problemLines } from '../ui/form-footer';

/**
 * Create or edit a service: its escalation policy, team and integrations. What the form does not
 * show (Slack routing, runbooks, grouping) is sent back as it came, and an existing integration
 * keeps its stored key. A key the server generates is shown once, here, because it is stored hashed.
 */

export interface GeneratedKey {
  service: string;
  integration: string;
  type: string;
  key: string;
}

type Draft = Omit<Service, 'integrations'> & { integrations: Omit<Integration, 'url'>[] } & Record<string, unknown>;

const NEW_TYPES: { type: string; label: string }[] = [
  { type: 'events_v2', label: 'PagerDuty Events API v2' },
  { type: 'alertmanager', label: 'Alertmanager webhook' },
  { type: 'generic', label: 'Signed webhook' },
  { type: 'heartbeat', label: 'Heartbeat' },
];

function toDraft(s: Service | null): Draft {
  if (!s) return { name: '', integrations: [] };
  // The URLs the server adds are read-only; it refuses nothing, but they are not part of the file.
  return { ...s, integrations: s.integrations.map(({ url: _url, ...rest }) => rest) };
}

export function ServiceEditor({ initial, onSaved, onCancel }: { initial: Service | null; onSaved: (name: string, keys: GeneratedKey[]) => void; onCancel: () => void }) {
  const policies = useApi<{ escalation_policies: { name: string }[] }>('/escalation-policies');
  const teams = useApi<{ teams: { name: string }[] }>('/teams');
  const [draft, setDraft] = useState<Draft>(() => toDraft(initial));
  const [newName, setNewName] = useState('');
  const [newType, setNewType] = useState('events_v2');
  const [secretEnv, setSecretEnv] = useState('');
  const [interval, setInterval] = useState('5m');
  const [grace, setGrace] = useState('1m');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const addIntegration = () => {
    const name = newName.trim() || newType.replace('_', '-');
    if (draft.integrations.some((i) => i.name === name)) return setError(`integrations: "${name}" is already an integration of this service; pick another name`);
    const extra = newType === 'generic' ? { secret_env: secretEnv.trim() } : newType === 'heartbeat' ? { interval, grace } : {};
    setDraft({ ...draft, integrations: [...draft.integrations, { name, type: newType, ...extra }] });
    setNewName('');
    setError(null);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const body: Record<string, unknown> = { ...draft };
    for (const k of ['description', 'escalation_policy', 'team'] as const) if (!body[k]) delete body[k];
    try {
      const r = initial
        ? await api.put<{ generated_keys: GeneratedKey[] }>(`/services/${encodeURIComponent(initial.name)}`, body)
        : await api.post<{ generated_keys: GeneratedKey[] }>('/services', body);
      onSaved(draft.name, r.generated_keys ?? []);
    } catch (err) {
      setError(problemLines(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(e) => void save(e)} aria-label={initial ? `Edit ${initial.name}` : 'New service'} style={{ marginBottom: '1rem' }}>
      <h2 style={{ marginTop: 0 }}>{initial ? `Edit ${initial.name}` : 'New service'}</h2>
      <div className="row">
        <Field label="Name">
          <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} required disabled={initial !== null} />
        </Field>
        <Field label="Description">
          <input value={draft.description ?? ''} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
        </Field>
      </div>
      <div className="row">
        <Field label="Escalation policy" hint="Who its alerts page">
          <select value={draft.escalation_policy ?? ''} onChange={(e) => setDraft({ ...draft, escalation_policy: e.target.value || undefined })}>
            <option value="">none: alerts page nobody</option>
            {policies.data?.escalation_policies.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Team">
          <select value={draft.team ?? ''} onChange={(e) => setDraft({ ...draft, team: e.target.value || undefined })}>
            <option value="">no team</option>
            {teams.data?.teams.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <h3>Integrations</h3>
      {draft.integrations.length === 0 ? (
        <p className="muted small">None yet. Add one below: each gets its own URL and key.</p>
      ) : (
        <ul>
          {draft.integrations.map((i) => (
            <li key={i.name}>
              {i.name} ({NEW_TYPES.find((t) => t.type === i.type)?.label ?? i.type}){' '}
              <Button small variant="ghost" aria-label={`Remove integration ${i.name}`} onClick={() => setDraft({ ...draft, integrations: draft.integrations.filter((x) => x.name !== i.name) })}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      <fieldset className="row" aria-label="Add an integration">
        <Field label="Integration name">
          <input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder={newType.replace('_', '-')} maxLength={64} />
        </Field>
        <Field label="Type">
          <select value={newType} onChange={(e) => setNewType(e.target.value)}>
            {NEW_TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </Field>
        {newType === 'generic' && (
          <Field label="Secret variable" hint="Environment variable on the server holding the HMAC secret">
            <input value={secretEnv} onChange={(e) => setSecretEnv(e.target.value)} placeholder="CHECKOUT_HOOK_SECRET" />
          </Field>
        )}
        {newType === 'heartbeat' && (
          <>
            <Field label="Every">
              <input value={interval} onChange={(e) => setInterval(e.target.value)} size={6} />
            </Field>
            <Field label="Grace">
              <input value={grace} onChange={(e) => setGrace(e.target.value)} size={6} />
            </Field>
          </>
        )}
        <Button small onClick={addIntegration}>
          Add integration
        </Button>
      </fieldset>
      <FormFooter error={error} busy={busy} saveLabel={initial ? 'Save service' : 'Create service'} onCancel={onCancel} />
    </form>
  );
}

/** Keys the server generated for new integrations: shown once, with a copy button each. */
export function GeneratedKeys({ keys, onDismiss }: { keys: GeneratedKey[]; onDismiss: () => void }) {
  return (
    <section className="panel notice" aria-label="New integration keys" style={{ marginBottom: '1rem' }}>
      <p>
        <strong>Copy {keys.length === 1 ? 'this key' : 'these keys'} now: they are shown once.</strong> Senders use {keys.length === 1 ? 'it' : 'them'} with the integration URL below.
      </p>
      <ul>
        {keys.map((k) => (
          <li key={`${k.service}/${k.integration}`}>
            {k.service} / {k.integration}: <code>{k.key}</code> <CopyButton text={k.key} label={`Copy key of ${k.integration}`} />
          </li>
        ))}
      </ul>
      <Button small onClick={onDismiss}>
        I have stored {keys.length === 1 ? 'it' : 'them'}
      </Button>
    </section>
  );
}
