import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { FullTime } from '../ui/time';
import { useToast } from '../ui/toast';

/** GET /api/v1/incidents/:id/war-room. */
interface WarRoomState {
  war_room: { state: string; channel: string | null; channel_id: string | null; prompted_at: string | null; opened_at: string | null; opened_by: string | null; archived_at: string | null } | null;
  slack_connected: boolean;
  stakeholders: { name: string; people: string[]; channels: string[]; within_minutes: number | null; told_at: string | null; first_update_due_at: string | null; first_update_at: string | null }[];
}

const OPEN = ['investigating', 'identified', 'monitoring'];

/** The incident's war room (its Slack channel) and the stakeholder groups its severity is told. */
export function WarRoomPanel({ incidentId, status, canAct, why }: { incidentId: number; status: string; canAct: boolean; why: string | undefined }) {
  const state = useApi<WarRoomState>(`/incidents/${incidentId}/war-room`);
  useLive(
    () => state.reload(),
    (e) => e.type === 'incident.updated',
  );
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const s = state.data;
  if (!s) return null;
  const room = s.war_room;
  const opened = room !== null && room.state !== 'prompted';
  const open = async () => {
    setBusy(true);
    try {
      const r = await api.post<WarRoomState>(`/incidents/${incidentId}/war-room`);
      toast.ok(r.war_room?.channel ? `War room opened: creating ${r.war_room.channel} in Slack.` : 'War room opened. Slack is not connected, so no channel was created.');
      state.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const send = async (e: FormEvent) => {
    e.preventDefault();
    setSending(true);
    setError(null);
    try {
      const r = await api.post<{ sent: { name: string; people: number }[] }>(`/incidents/${incidentId}/stakeholder-updates`, { message });
      toast.ok(`Stakeholder update sent to ${r.sent.map((x) => `${x.name} (${x.people})`).join(', ')}.`);
      setMessage('');
      state.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSending(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="war-room" style={{ marginTop: '1rem' }}>
      <h2 id="war-room" style={{ marginTop: 0 }}>
        War room and stakeholders
      </h2>
      {opened ? (
        <p>
          {room.channel ? (
            <>
              Slack channel <span className="mono">{room.channel}</span>{' '}
              {room.state === 'archived' ? <Badge>archived</Badge> : room.channel_id ? <Badge tone="ok">open</Badge> : <Badge tone="warn">being created</Badge>}
            </>
          ) : (
            <>War room {room.state === 'archived' ? 'closed' : 'open'} (no Slack channel)</>
          )}
          {room.opened_at && (
            <span className="muted">
              {' '}
              · opened by {room.opened_by}, <FullTime at={room.opened_at} />
            </span>
          )}
        </p>
      ) : (
        <p>
          {room?.state === 'prompted' && <Badge tone="warn">war room due</Badge>}{' '}
          <Button disabled={!canAct || !OPEN.includes(status)} title={why} busy={busy} onClick={() => void open()}>
            Open war room
          </Button>{' '}
          <span className="muted small">{s.slack_connected ? 'Creates a Slack channel for the incident and invites the role holders.' : 'Slack is not connected: the war room is recorded, no channel is created.'}</span>
        </p>
      )}
      {s.stakeholders.length > 0 ? (
        <>
          <ul aria-label="Stakeholder groups">
            {s.stakeholders.map((g) => (
              <li key={g.name}>
                <strong>{g.name}</strong>: {[...g.people, ...g.channels].join(', ') || 'nobody'}
                {g.told_at ? (
                  <span className="muted">
                    {' '}
                    · told <FullTime at={g.told_at} />
                  </span>
                ) : (
                  <span className="muted"> · not told yet</span>
                )}
                {g.first_update_at ? (
                  <span className="muted"> · first update sent</span>
                ) : g.first_update_due_at ? (
                  <span className="muted">
                    {' '}
                    · first update due <FullTime at={g.first_update_due_at} />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
          {status !== 'closed' && (
            <form onSubmit={(e) => void send(e)} aria-label="Stakeholder update">
              <Field label="Message for stakeholders" hint="For people outside the response: what is affected and when they hear next." error={error ?? undefined}>
                <textarea value={message} rows={2} onChange={(e) => setMessage(e.target.value)} disabled={!canAct} />
              </Field>
              <Button type="submit" disabled={!canAct || !message.trim()} title={why} busy={sending}>
                Send to stakeholders
              </Button>
            </form>
          )}
        </>
      ) : (
        <p className="muted small">No stakeholder group covers this severity (incident_policy.stakeholders in the org file).</p>
      )}
    </section>
  );
}
