import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage } from '../api/client';
import { Button } from './button';

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}

/**
 * A modal on the native <dialog>: showModal() gives focus containment, Escape to close and an
 * inert page behind it for free. Focus returns to whatever opened it.
 */
export function Dialog({ open, title, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d || !open) return;
    const opener = document.activeElement as HTMLElement | null;
    if (!d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
    return () => {
      if (typeof d.close === 'function') d.close();
      else d.removeAttribute('open');
      opener?.focus?.();
    };
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

interface FormDialogProps {
  open: boolean;
  title: string;
  /** The submit button's name: the verb of the action, e.g. "Resolve". */
  submitLabel: string;
  danger?: boolean;
  onClose: () => void;
  /** Throw to keep the dialog open and show the message. */
  onSubmit: () => Promise<void> | void;
  children?: ReactNode;
}

/** A dialog with a form: a confirm step, or a small input such as snooze minutes. */
export function FormDialog({ open, title, submitLabel, danger, onClose, onSubmit, children }: FormDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setError(null);
    onClose();
  };
  return (
    <Dialog open={open} title={title} onClose={close}>
      <form onSubmit={submit}>
        {children}
        {error && (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant={danger ? 'danger' : 'primary'} busy={busy} autoFocus>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
