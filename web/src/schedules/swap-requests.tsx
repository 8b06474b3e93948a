import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { Button } from '../ui/button';
import { Table } from '../ui/table';
import { useToast } from '../ui/toast';
import { formatRange } from './timeline';

/** A swap request as GET /api/v1/swap-requests serves it. */
export interface SwapRequest {
  id: number;
  schedule: string;
  requester: string;
  with: string;
  mine: { start: string; end: string };
  theirs: { start: string; end: string };
  note: string;
  status: string;
  direction: 'incoming' | 'outgoing' | null;
}

/** Tells the Swap requests panel a request was made on this page (the swap form fires it). */
export const swapRequestsChanged = new EventTarget();

const span = (r: { start: string; end: string }, tz: string) => formatRange(Date.parse(r.start), Date.parse(r.end), tz);

/**
 * The pending swap requests of this schedule that the signed-in person asked for or was asked:
 * accept or decline the ones made to them, cancel their own.
 */
export function SwapRequests({ schedule, tz, onChange }: { schedule: string; tz: string; onChange: () => void }) {
  const list = useApi<{ swap_requests: SwapRequest[] }>('/swap-requests', { status: 'pending', schedule });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const { reload } = list;
  useLive(reload, (e) => e.type === 'config.changed');
  useEffect(() => {
    const again = () => reload();
    swapRequestsChanged.addEventListener('change', again);
    return () => swapRequestsChanged.removeEventListener('change', again);
  }, [reload]);

  const act = async (r: SwapRequest, action: 'accept' | 'decline' | 'cancel') => {
    setBusy(`${r.id}:${action}`);
    setError(null);
    try {
      await api.post(`/swap-requests/${r.id}/${action}`, {});
      toast.ok(action === 'accept' ? `Swap accepted: ${r.with} now takes ${span(r.mine, tz)}, ${r.requester} takes ${span(r.theirs, tz)}` : `Swap request ${r.id} ${action === 'decline' ? 'declined' : 'cancelled'}`);
      reload();
      onChange();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const rows = list.data?.swap_requests ?? [];
  return (
    <section aria-labelledby="swap-requests" className="panel">
      <h2 id="swap-requests">Swap requests</h2>
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}
      {list.error && !list.data ? (
        <p role="alert" className="notice notice-error">
          Could not load swap requests: {errorMessage(list.error)}
        </p>
      ) : rows.length === 0 ? (
        <p className="muted">No pending swap requests for you on this schedule.</p>
      ) : (
        <Table caption="Pending swap requests">
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col">Note</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  {r.direction === 'incoming' ? (
                    <>
                      <strong>{r.requester}</strong> asks: you take {span(r.mine, tz)}, {r.requester} takes {span(r.theirs, tz)}
                    </>
                  ) : (
                    <>
                      You asked <strong>{r.with}</strong>: they take {span(r.mine, tz)}, you take {span(r.theirs, tz)}
                    </>
                  )}
                </td>
                <td>{r.note || <span className="muted">—</span>}</td>
                <td>
                  <div className="row">
                    {r.direction === 'incoming' ? (
                      <>
                        <Button small variant="primary" busy={busy === `${r.id}:accept`} onClick={() => void act(r, 'accept')} aria-label={`Accept swap request ${r.id} from ${r.requester}`}>
                          Accept
                        </Button>
                        <Button small busy={busy === `${r.id}:decline`} onClick={() => void act(r, 'decline')} aria-label={`Decline swap request ${r.id} from ${r.requester}`}>
                          Decline
                        </Button>
                      </>
                    ) : (
                      <Button small busy={busy === `${r.id}:cancel`} onClick={() => void act(r, 'cancel')} aria-label={`Cancel swap request ${r.id} to ${r.with}`}>
                        Cancel
                      </Button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
