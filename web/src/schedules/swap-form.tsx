import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { useToast } from '../ui/toast';
import { swapRequestsChanged } from './swap-requests';
import { formatRange, fromInput } from './timeline';

interface Half {
  user: string;
  from: string;
  to: string;
}

const emptyHalf: Half = { user: '', from: '', to: '' };

/** What a swap does, in words: "bob covers alice Mon 9 Mar 09:00–…; alice covers bob …". */
export function describeSwap(a: Half, b: Half, tz: string): string | null {
  const as = fromInput(a.from, tz);
  const ae = fromInput(a.to, tz);
  const bs = fromInput(b.from, tz);
  const be = fromInput(b.to, tz);
  if (!a.user || !b.user || as === null || ae === null || bs === null || be === null || ae <= as || be <= bs) return null;
  return `${b.user} covers ${a.user} ${formatRange(as, ae, tz)}; ${a.user} covers ${b.user} ${formatRange(bs, be, tz)}`;
}

/**
 * Two people trade shifts: the first hands a range to the second and takes one of theirs back.
 * The server checks each was on call in the range they hand over, and saves both or neither.
 * "Ask them" (for a participant: the first person is you) sends a swap request the other person
 * accepts or declines; "Swap now" makes the swap at once.
 */
export function SwapForm({ path, tz, people, me, onDone }: { path: string; tz: string; people: string[]; me: string | null; onDone: () => void }) {
  const canAsk = me !== null && people.includes(me);
  const [mode, setMode] = useState<'ask' | 'now'>(canAsk ? 'ask' : 'now');
  const asking = canAsk && mode === 'ask';
  const [aDraft, setA] = useState<Half>(emptyHalf);
  const a = asking ? { ...aDraft, user: me } : aDraft;
  const [b, setB] = useState<Half>(emptyHalf);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const effect = describeSwap(a, b, tz);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!effect) {
      setError('Fill in both people and both ranges, each ending after it starts.');
      return;
    }
    const half = (h: Half) => ({ user: h.user, start: new Date(fromInput(h.from, tz) ?? 0).toISOString(), end: new Date(fromInput(h.to, tz) ?? 0).toISOString() });
    setBusy(true);
    try {
      if (asking) {
        const range = (h: Half) => ({ start: half(h).start, end: half(h).end });
        await api.post(`${path}/swap-requests`, { with: b.user, mine: range(a), theirs: range(b) });
        toast.ok(`Swap request sent to ${b.user}: the swap is made when they accept`);
        swapRequestsChanged.dispatchEvent(new Event('change'));
      } else {
        await api.post(`${path}/swaps`, { a: half(a), b: half(b) });
        toast.ok(`Swap saved: ${effect}`);
      }
      setA(emptyHalf);
      setB(emptyHalf);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const halfFields = (h: Half, set: (h: Half) => void, n: 'First' | 'Second') => (
    <fieldset>
      <legend>{asking ? (n === 'First' ? 'Your shift, which they take' : 'Their shift, which you take') : `${n} person’s shift`}</legend>
      {asking && n === 'First' ? null : (
        <Field label={asking ? 'Ask' : `${n} person`}>
          <select value={h.user} onChange={(e) => set({ ...h, user: e.target.value })}>
            <option value="">Choose a person</option>
            {people
              .filter((p) => !asking || p !== me)
              .map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
          </select>
        </Field>
      )}
      <Field label={`${n} shift from`} hint={`In ${tz.replace(/_/g, ' ')}`}>
        <input type="datetime-local" value={h.from} onChange={(e) => set({ ...h, from: e.target.value })} />
      </Field>
      <Field label={`${n} shift to`}>
        <input type="datetime-local" value={h.to} onChange={(e) => set({ ...h, to: e.target.value })} />
      </Field>
    </fieldset>
  );

  return (
    <form className="sched-form" onSubmit={submit} noValidate>
      {canAsk && (
        <div className="row" role="radiogroup" aria-label="How to swap">
          <label>
            <input type="radio" name="swap-mode" checked={mode === 'ask'} onChange={() => setMode('ask')} /> Ask them
          </label>
          <label>
            <input type="radio" name="swap-mode" checked={mode === 'now'} onChange={() => setMode('now')} /> Swap now
          </label>
          <span className="muted small">{asking ? 'They accept or decline; nothing changes until they accept.' : 'The swap is made at once.'}</span>
        </div>
      )}
      {halfFields(a, setA, 'First')}
      {halfFields(b, setB, 'Second')}
      <p className="sched-effect" aria-live="polite">
        {effect ? (
          <>
            Effect: <strong>{effect}</strong>
          </>
        ) : (
          <span className="muted">Choose both people and the shift each hands over to see the effect.</span>
        )}
      </p>
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}
      <div className="row">
        <Button type="submit" busy={busy}>
          {asking ? 'Send swap request' : 'Swap shifts'}
        </Button>
      </div>
    </form>
  );
}
