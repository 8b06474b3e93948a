import { useState } from 'react';
import { api } from '../api/client';
import { Button } from '../ui/button';
import { FormDialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { useToast } from '../ui/toast';

export interface NotActionableMark {
  marked_at: string;
  marked_by: string;
  reason: string;
}

/**
 * "Not actionable" on an alert's page: a responder's judgement that the alert needed no action.
 * The noise report counts the marks and the false-positive rate; the mark can be taken back.
 */
export function NotActionableButton({ alertId, mark, disabled, title, onChanged }: { alertId: number; mark: NotActionableMark | null | undefined; disabled?: boolean; title?: string | undefined; onChanged: () => void }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  if (mark)
    return (
      <Button
        disabled={disabled}
        busy={busy}
        title={title ?? `Marked not actionable by ${mark.marked_by}${mark.reason ? `: ${mark.reason}` : ''}. Click to remove the mark.`}
        onClick={async () => {
          setBusy(true);
          try {
            await api.del(`/alerts/${alertId}/not-actionable`);
            toast.ok(`Alert #${alertId} is no longer marked not actionable.`);
            onChanged();
          } catch (err) {
            toast.error(err instanceof Error ? err.message : String(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        Unmark not actionable
      </Button>
    );
  return (
    <>
      <Button disabled={disabled} title={title ?? 'It needed no action: count it as a false positive in the noise report'} onClick={() => setOpen(true)}>
        Not actionable…
      </Button>
      {open && (
        <FormDialog
          open
          title={`Mark alert #${alertId} not actionable`}
          submitLabel="Mark not actionable"
          onClose={() => setOpen(false)}
          onSubmit={async () => {
            await api.post(`/alerts/${alertId}/not-actionable`, reason.trim() ? { reason: reason.trim() } : {});
            toast.ok(`Alert #${alertId} marked not actionable. It counts in the noise report's false-positive rate.`);
            setReason('');
            onChanged();
          }}
        >
          <Field label="Reason (optional)" hint="Why it needed no action, e.g. threshold too tight; the alert's owners read it in the review">
            <textarea value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} rows={3} />
          </Field>
        </FormDialog>
      )}
    </>
  );
}
