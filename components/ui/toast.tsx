'use client';

import styles from './toast.module.css';

export type Toast = { id: string; tone: 'info' | 'warn' | 'error'; title: string; text?: string };

/**
 * A stack of notices in the corner of the screen, each kept until its reader dismisses it: for
 * things a person must not miss while looking elsewhere on the page. Warnings are announced at
 * once (role="alert"), information politely. Rendered inside an open modal dialog when one is
 * shown, since everything outside a modal dialog is inert.
 */
export function ToastStack({
  toasts,
  onDismiss,
  label = 'Notices',
  testId = 'toasts',
}: {
  toasts: readonly Toast[];
  onDismiss(id: string): void;
  label?: string;
  testId?: string;
}) {
  if (toasts.length === 0) return null;
  return (
    <div className={styles.stack} role="region" aria-label={label} data-testid={testId}>
      {toasts.map((toast) => (
        <div key={toast.id} className={styles.toast} data-tone={toast.tone} role={toast.tone === 'info' ? 'status' : 'alert'} data-testid="toast">
          <span className={styles.title}>{toast.title}</span>
          {toast.text ? <p className={styles.text}>{toast.text}</p> : null}
          <button type="button" className={`button small-button ${styles.dismiss}`} onClick={() => onDismiss(toast.id)} aria-label={`Dismiss: ${toast.title}`}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
