import { useState } from 'react';
import { api } from '../api/client';
import { useSession } from '../auth/session';
import { useApi } from '../lib/use-api';
import { Link, navigate } from '../router/router';
import { Button } from '../ui/button';
import { FormDialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { useToast } from '../ui/toast';
import { personLabel, useSeverities, useUsers } from './parts';
import type { Incident, IncidentDetail } from './types';

/**
 * "Declare incident" on an alert's page: the alert's summary and severity start the form, the
 * alert is attached, and the person declaring is the commander unless they pick someone else.
 */
export function DeclareIncidentButton({ alert, disabled, title }: { alert: { id: number; summary: string; severity: string }; disabled?: boolean; title?: string | undefined }) {
  const [open, setOpen] = useState(false);
  // An alert belongs to one incident at a time: when one holds it, link there instead.
  const holding = useApi<{ incidents: Incident[] }>('/incidents', { alert: alert.id, status: 'investigating,identified,monitoring,resolved' });
  const incident = holding.data?.incidents[0];
  if (incident)
    return (
      <Link className="btn" to={`/incidents/${incident.id}`}>
        In incident {incident.number}
      </Link>
    );
  return (
    <>
      <Button disabled={disabled} title={title ?? 'Open an incident with this alert attached'} onClick={() => setOpen(true)}>
        Declare incident
      </Button>
      {open && <DeclareDialog alert={alert} onClose={() => setOpen(false)} />}
    </>
  );
}

export function DeclareDialog({ alert, onClose }: { alert?: { id: number; summary: string; severity: string }; onClose: () => void }) {
  const { user } = useSession();
  const toast = useToast();
  const severities = useSeverities();
  const users = useUsers();
  const [title, setTitle] = useState(alert?.summary ?? '');
  const [severity, setSeverity] = useState(alert?.severity ?? '');
  const [commander, setCommander] = useState(user?.name ?? '');
  return (
    <FormDialog
      open
      title={alert ? `Declare an incident from alert #${alert.id}` : 'Declare an incident'}
      submitLabel="Declare"
      onClose={onClose}
      onSubmit={async () => {
        const r = await api.post<IncidentDetail>('/incidents', {
          title,
          ...(severity ? { severity } : {}),
          ...(alert ? { alerts: [alert.id] } : {}),
          ...(commander ? { commander } : {}),
        });
        toast.ok(`Declared incident ${r.incident.number}${r.incident.commander ? `; ${r.incident.commander} is commander` : ''}.`);
        navigate(`/incidents/${r.incident.id}`);
      }}
    >
      <Field label="Title" hint="What is broken, in a few words">
        <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
      </Field>
      <Field label="Severity">
        <select value={severity} onChange={(e) => setSeverity(e.target.value)} required={!alert}>
          {alert ? null : <option value="">Choose…</option>}
          {(severities.includes(severity) || !severity ? severities : [severity, ...severities]).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Incident commander" hint="Leads the response and posts the status updates; they are notified">
        <select value={commander} onChange={(e) => setCommander(e.target.value)}>
          <option value="">Nobody yet</option>
          {users.map((u) => (
            <option key={u.name} value={u.name}>
              {personLabel(u)}
            </option>
          ))}
        </select>
      </Field>
    </FormDialog>
  );
}
