import type { ButtonHTMLAttributes } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  small?: boolean;
  /** Shows the action is under way and blocks a second click. */
  busy?: boolean;
}

/** type="button" by default: a stray Enter in a form must never fire an action. */
export function Button({ variant = 'secondary', small, busy, className, type = 'button', disabled, children, ...rest }: ButtonProps) {
  const cls = ['btn', variant !== 'secondary' ? `btn-${variant}` : '', small ? 'btn-small' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button type={type} className={cls} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {children}
    </button>
  );
}
