import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { useToast } from '../ui/toast';
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
 */
export function SwapForm({ path, tz, people, onDone }: { path: string; tz: string; people: string[]; onDone: () => void }) {
  const [a, setA] = useState<Half>(emptyHalf);
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
      await api.post(`${path}/swaps`, { a: half(a), b: half(b) });
      toast.ok(`Swap saved: ${effect}`);
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
      <legend>{n} person’s shift</legend>
      <Field label={`${n} person`}>
        <select value={h.user} onChange={(e) => set({ ...h, user: e.target.value })}>
          <option value="">Choose a person</option>
          {people.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </Field>
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
          Swap shifts
        </Button>
      </div>
    </form>
  );
}
