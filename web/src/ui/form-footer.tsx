import { ApiError, errorMessage } from '../api/client';
import { Button } from './button';

/** A save error as the server gave it: one line per field problem ("levels[1].delay_minutes: …"). */
export function problemLines(err: unknown): string {
  return err instanceof ApiError && err.problems.length ? err.problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('\n') : errorMessage(err);
}

/** The end of an editing form: what went wrong with the last save, then Save and Cancel. */
export function FormFooter({ error, busy, saveLabel, onCancel }: { error: string | null; busy: boolean; saveLabel: string; onCancel: () => void }) {
  return (
    <>
      {error && (
        <p role="alert" className="notice notice-error" style={{ whiteSpace: 'pre-line' }}>
          {error}
        </p>
      )}
      <div className="row">
        <Button type="submit" variant="primary" busy={busy}>
          {saveLabel}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </>
  );
}
