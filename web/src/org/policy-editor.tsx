import { useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import type { EscalationPolicy, PolicyLevel, PolicyTarget } from '../api/types';
import { useApi } from '../lib/use-api';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { FormFooter, problemLines } from '../ui/form-footer';
import { targetText } from './targets';

/**
 * The escalation policy editor: levels, their targets, delays and severity conditions, and the
 * repeat count, with a preview the server computes from the real schedules and notification rules
 * as the draft changes ("if a critical alert fires now: 00:00 alice (email, SMS +5m) → 00:05 bob").
 * Level fields the editor does not show (per-severity delays, time-to-resolve escalation) are kept
 * as they are.
 */

type TargetKind = 'user' | 'schedule' | 'team' | 'channel';
const KINDS: TargetKind[] = ['schedule', 'user', 'team', 'channel'];

interface OrgNames {
  severities: { levels: { name: string }[] };
  users: { name: string }[];
  schedules: { name: string }[];
  teams: { name: string; members: { role: string }[] }[];
  channels?: { name: string }[];
}

export interface PreviewStep {
  at: string;
  offset_minutes: number;
  level: number;
  repeat: number;
  reason: string;
  recipients: { kind: string; name: string; methods: { offset_minutes: number; kind: string; name: string; skipped: string | null }[] }[];
  warnings: string[];
}

export interface Preview {
  severity: string;
  steps: PreviewStep[];
  end: string;
}

/** "00:05", "1:30:00" past the alert's start. */
export function clockOffset(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = String(minutes % 60).padStart(2, '0');
  return `${String(h).padStart(2, '0')}:${m}`;
}

const METHOD_LABEL: Record<string, string> = { sms: 'SMS', voice: 'call', email: 'email', slack: 'Slack', webhook: 'webhook', teams: 'Teams' };

/** "alice (email, SMS +5m)": each method with its delay after the level was reached. */
export function recipientText(r: PreviewStep['recipients'][number], stepOffset: number): string {
  if (r.methods.length === 0) return `${r.name} (not paged)`;
  const methods = r.methods.map((m) => {
    const d = m.offset_minutes - stepOffset;
    return `${METHOD_LABEL[m.kind] ?? m.kind}${d > 0 ? ` +${d}m` : ''}${m.skipped ? ` (${m.skipped})` : ''}`;
  });
  return r.kind === 'channel' ? r.name : `${r.name} (${methods.join(', ')})`;
}

function kindOf(t: PolicyTarget): TargetKind {
  return (KINDS.find((k) => k in t) ?? 'user') as TargetKind;
}

export function PreviewView({ preview }: { preview: Preview }) {
  return (
    <div aria-label="Escalation preview">
      {preview.steps.length === 0 ? null : (
        <ol className="preview-steps">
          {preview.steps.map((s, i) => (
            <li key={i}>
              <span className="mono">{clockOffset(s.offset_minutes)}</span> level {s.level}
              {s.repeat ? ` (repeat ${s.repeat})` : ''}: {s.recipients.length ? s.recipients.map((r) => recipientText(r, s.offset_minutes)).join(', ') : 'nobody'}
              {s.warnings.map((w) => (
                <div key={w} className="small notice notice-warn">
                  {w}
                </div>
              ))}
            </li>
          ))}
        </ol>
      )}
      <p className="small muted">Then: {preview.end}.</p>
    </div>
  );
}

export function PolicyEditor({ initial, onSaved, onCancel }: { initial: EscalationPolicy | null; onSaved: (name: string) => void; onCancel: () => void }) {
  const names = useApi<OrgNames>('/config');
  const [draft, setDraft] = useState<EscalationPolicy>(() => initial ?? { name: '', description: null, repeat: 0, levels: [{ targets: [], delay_minutes: 5 }] });
  const [severity, setSeverity] = useState<string>('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const severities = names.data?.severities.levels.map((l) => l.name) ?? [];
  const sev = severity || severities[0] || '';
  const draftJson = JSON.stringify(draft);

  useEffect(() => {
    if (!sev) return;
    let live = true;
    const t = setTimeout(() => {
      api
        .post<Preview>('/escalation-policies/preview', { entry: JSON.parse(draftJson) as unknown, severity: sev })
        .then((p) => live && (setPreview(p), setPreviewError(null)))
        .catch((err: unknown) => live && (setPreview(null), setPreviewError(errorMessage(err))));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [draftJson, sev]);

  const setLevel = (i: number, level: PolicyLevel) => setDraft((d) => ({ ...d, levels: d.levels.map((l, j) => (j === i ? level : l)) }));
  const moveLevel = (i: number, by: number) =>
    setDraft((d) => {
      const levels = [...d.levels];
      const [l] = levels.splice(i, 1);
      levels.splice(i + by, 0, l!);
      return { ...d, levels };
    });

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = { ...draft, description: draft.description || undefined };
      if (initial) await api.put(`/escalation-policies/${encodeURIComponent(initial.name)}`, body);
      else await api.post('/escalation-policies', body);
      setSaveError(null);
      onSaved(draft.name);
    } catch (err) {
      setSaveError(problemLines(err));
    } finally {
      setBusy(false);
    }
  };

  const options: Record<TargetKind, string[]> = {
    user: names.data?.users.map((u) => u.name) ?? [],
    schedule: names.data?.schedules.map((s) => s.name) ?? [],
    team: names.data?.teams.map((t) => t.name) ?? [],
    channel: names.data?.channels?.map((c) => c.name) ?? [],
  };

  return (
    <form className="panel policy-editor" onSubmit={(e) => void save(e)} aria-label={initial ? `Edit ${initial.name}` : 'New escalation policy'}>
      <h2 style={{ marginTop: 0 }}>{initial ? `Edit ${initial.name}` : 'New escalation policy'}</h2>
      <div className="row">
        <Field label="Name">
          <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} required disabled={initial !== null} />
        </Field>
        <Field label="Description">
          <input value={draft.description ?? ''} onChange={(e) => setDraft({ ...draft, description: e.target.value || null })} />
        </Field>
      </div>
      {draft.levels.map((level, i) => (
        <LevelEditor
          key={i}
          index={i}
          count={draft.levels.length}
          level={level}
          severities={severities}
          options={options}
          onChange={(l) => setLevel(i, l)}
          onRemove={() => setDraft((d) => ({ ...d, levels: d.levels.filter((_, j) => j !== i) }))}
          onMove={(by) => moveLevel(i, by)}
        />
      ))}
      <div className="row">
        <Button small onClick={() => setDraft((d) => ({ ...d, levels: [...d.levels, { targets: [], delay_minutes: 15 }] }))}>
          Add level
        </Button>
        <Field label="Repeat the levels" hint="More times after the last level, if still unacknowledged">
          <input type="number" min={0} max={20} value={draft.repeat} onChange={(e) => setDraft({ ...draft, repeat: Math.max(0, Number(e.target.value) || 0) })} />
        </Field>
      </div>

      <section className="panel" aria-labelledby="preview-title">
        <div className="row">
          <h3 id="preview-title" style={{ margin: 0 }}>
            If a
          </h3>
          <select aria-label="Preview severity" value={sev} onChange={(e) => setSeverity(e.target.value)}>
            {severities.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <h3 style={{ margin: 0 }}>alert fires now and nobody acknowledges:</h3>
        </div>
        {previewError ? (
          <p role="alert" className="notice notice-error small">
            {previewError}
          </p>
        ) : preview ? (
          <PreviewView preview={preview} />
        ) : (
          <p className="muted small">Working out who would be paged…</p>
        )}
      </section>

      <FormFooter error={saveError} busy={busy} saveLabel={initial ? 'Save policy' : 'Create policy'} onCancel={onCancel} />
    </form>
  );
}

function LevelEditor(props: {
  index: number;
  count: number;
  level: PolicyLevel;
  severities: string[];
  options: Record<TargetKind, string[]>;
  onChange: (l: PolicyLevel) => void;
  onRemove: () => void;
  onMove: (by: number) => void;
}) {
  const { index: i, count, level, severities, options, onChange } = props;
  const [kind, setKind] = useState<TargetKind>('schedule');
  const [name, setName] = useState('');
  const n = i + 1;
  const choices = options[kind];
  const pick = name && choices.includes(name) ? name : (choices[0] ?? '');
  const only = level.severities ?? [];

  const add = () => {
    if (!pick) return;
    if (level.targets.some((t) => kindOf(t) === kind && t[kind] === pick)) return;
    onChange({ ...level, targets: [...level.targets, { [kind]: pick }] });
  };
  const toggleSeverity = (s: string) => {
    const next = only.includes(s) ? only.filter((x) => x !== s) : [...only, s];
    const { severities: _, ...rest } = level;
    onChange(next.length ? { ...rest, severities: next } : rest);
  };

  return (
    <fieldset className="panel" aria-label={`Level ${n}`} style={{ marginBottom: '0.75rem' }}>
      <legend>Level {n}</legend>
      {level.targets.length === 0 ? (
        <p className="small notice notice-warn">No one is paged at this level yet: add a schedule, person, team or channel.</p>
      ) : (
        <ul className="row" style={{ listStyle: 'none', padding: 0 }}>
          {level.targets.map((t, j) => (
            <li key={j} className="badge">
              {targetText(t)}{' '}
              <Button small variant="ghost" aria-label={`Remove ${targetText(t)} from level ${n}`} onClick={() => onChange({ ...level, targets: level.targets.filter((_, k) => k !== j) })}>
                ×
              </Button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <select aria-label={`Target kind for level ${n}`} value={kind} onChange={(e) => setKind(e.target.value as TargetKind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <select aria-label={`Target for level ${n}`} value={pick} onChange={(e) => setName(e.target.value)}>
          {choices.length === 0 && <option value="">no {kind}s</option>}
          {choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <Button small onClick={add} disabled={!pick}>
          Add to level {n}
        </Button>
      </div>
      <div className="row">
        <Field label={i === count - 1 ? 'Minutes before repeating (if it repeats)' : `Minutes before level ${n + 1}`}>
          <input type="number" min={0} value={level.delay_minutes} onChange={(e) => onChange({ ...level, delay_minutes: Math.max(0, Number(e.target.value) || 0) })} />
        </Field>
        <div role="group" aria-label={`Severities for level ${n}`} className="row small">
          Only for:
          {severities.map((s) => (
            <label key={s}>
              <input type="checkbox" checked={only.includes(s)} onChange={() => toggleSeverity(s)} /> {s}
            </label>
          ))}
          {only.length === 0 && <span className="muted">(all severities)</span>}
        </div>
      </div>
      <div className="row">
        <Button small variant="ghost" disabled={i === 0} onClick={() => props.onMove(-1)} aria-label={`Move level ${n} up`}>
          ↑
        </Button>
        <Button small variant="ghost" disabled={i === count - 1} onClick={() => props.onMove(1)} aria-label={`Move level ${n} down`}>
          ↓
        </Button>
        <Button small variant="danger" disabled={count === 1} onClick={props.onRemove}>
          Remove level {n}
        </Button>
      </div>
    </fieldset>
  );
}
