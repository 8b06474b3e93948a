import { useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useApi } from '../lib/use-api';
import { Button } from '../ui/button';
import { CopyButton } from '../ui/copy-button';
import { FormDialog } from '../ui/dialog';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { RelativeTime } from '../ui/time';
import { useToast } from '../ui/toast';

/**
 * Calendar (iCal) feeds: secret URLs that Google Calendar, Outlook and Apple Calendar subscribe to.
 * The server keeps only a hash, so a new feed's URL is shown once, here, to copy.
 */
export interface CalendarFeed {
  id: string;
  kind: 'schedule' | 'user';
  schedule: string | null;
  user: string | null;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface CreatedFeed {
  id: string;
  url: string;
}

export const feedLabel = (f: CalendarFeed, me: string): string => (f.kind === 'user' ? (f.user === me ? 'My shifts' : `Shifts of ${f.user ?? '?'}`) : `Schedule ${f.schedule ?? '?'}`);

/** The one-time URL of a feed just created, with a copy button. */
export function NewFeedUrl({ url, onDone }: { url: string; onDone: () => void }) {
  return (
    <div className="notice notice-warn" role="status" style={{ marginTop: '0.75rem' }}>
      <p>
        <strong>Copy the calendar URL now.</strong> It is not shown again. In your calendar app choose “subscribe” or “add from URL” and paste it; anyone with the URL sees these shifts, so revoke it on
        your profile if it leaks.
      </p>
      <div className="row">
        <code style={{ wordBreak: 'break-all' }}>{url}</code>
        <CopyButton text={url} label="Copy the calendar URL" />
        <Button small variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}

/** "Subscribe in a calendar" on a schedule's page: creates a feed of the schedule. */
export function SubscribeButton({ schedule }: { schedule: string }) {
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setError(null);
    setBusy(true);
    try {
      setCreated((await api.post<CreatedFeed>('/calendar-feeds', { schedule })).url);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="subscribe">
      {!created && (
        <Button small onClick={create} busy={busy}>
          Subscribe in a calendar
        </Button>
      )}
      {created && <NewFeedUrl url={created} onDone={() => setCreated(null)} />}
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** The Profile page's section: a feed of my shifts, the feeds I have, and revoking them. */
export function CalendarFeeds({ me }: { me: string }) {
  const list = useApi<{ feeds: CalendarFeed[] }>('/calendar-feeds');
  const toast = useToast();
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [revoke, setRevoke] = useState<CalendarFeed | null>(null);

  const create = async () => {
    setError(null);
    setBusy(true);
    try {
      setCreated((await api.post<CreatedFeed>('/calendar-feeds', { user: me })).url);
      list.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const active = list.data?.feeds.filter((f) => !f.revoked_at) ?? [];
  return (
    <section aria-labelledby="calendar-feeds">
      <h2 id="calendar-feeds">Calendar feeds</h2>
      <p className="muted small">
        Subscribe to your on-call shifts in Google Calendar, Outlook or Apple Calendar: shifts from a week ago to 90 days ahead, updated when the schedule changes. A schedule’s page offers a feed of
        the whole schedule.
      </p>
      {list.error ? (
        <LoadError error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading what="calendar feeds" />
      ) : active.length === 0 ? (
        <p className="muted">You have no calendar feeds.</p>
      ) : (
        <Table caption="My calendar feeds">
          <thead>
            <tr>
              <th>Feed</th>
              <th>Created</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {active.map((f) => (
              <tr key={f.id}>
                <td>{feedLabel(f, me)}</td>
                <td>
                  <RelativeTime at={f.created_at} />
                  {f.created_by && f.created_by !== me && <span className="muted small"> by {f.created_by}</span>}
                </td>
                <td>
                  <Button small onClick={() => setRevoke(f)} aria-label={`Revoke calendar feed: ${feedLabel(f, me)}`}>
                    Revoke
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {created ? (
        <NewFeedUrl url={created} onDone={() => setCreated(null)} />
      ) : (
        <p>
          <Button onClick={create} busy={busy}>
            Create a feed of my shifts
          </Button>
        </p>
      )}
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}
      <FormDialog
        open={revoke !== null}
        title={`Revoke the calendar feed “${revoke ? feedLabel(revoke, me) : ''}”?`}
        submitLabel="Revoke"
        danger
        onClose={() => setRevoke(null)}
        onSubmit={async () => {
          if (!revoke) return;
          await api.del(`/calendar-feeds/${encodeURIComponent(revoke.id)}`);
          toast.ok('Revoked the calendar feed.');
          list.reload();
        }}
      >
        <p>Calendars subscribed to it stop getting updates. This cannot be undone.</p>
      </FormDialog>
    </section>
  );
}
