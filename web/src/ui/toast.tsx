import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { Button } from './button';

type Tone = 'ok' | 'error';
interface ToastItem {
  id: number;
  tone: Tone;
  message: ReactNode;
}

interface ToastApi {
  ok: (message: ReactNode) => void;
  error: (message: ReactNode) => void;
}

const Ctx = createContext<ToastApi>({ ok: () => {}, error: () => {} });

export const useToast = () => useContext(Ctx);

/** Confirmations fade after 6 s; errors stay until dismissed, because someone must read them. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const push = useCallback(
    (tone: Tone, message: ReactNode) => {
      const id = next.current++;
      setItems((xs) => [...xs.slice(-3), { id, tone, message }]);
      if (tone === 'ok') setTimeout(() => dismiss(id), 6000);
    },
    [dismiss],
  );
  const value = useMemo<ToastApi>(() => ({ ok: (m) => push('ok', m), error: (m) => push('error', m) }), [push]);
  return (
    <Ctx.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {items.map((t) => (
          <div key={t.id} className={t.tone === 'error' ? 'toast toast-error' : 'toast'}>
            <span>{t.message}</span>
            <Button small variant="ghost" aria-label="Dismiss message" onClick={() => dismiss(t.id)}>
              ×
            </Button>
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}
