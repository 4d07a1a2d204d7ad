'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';
import styles from './alert-queue.module.css';

type Props = {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
  testId?: string;
};

/**
 * The app's own confirmation (never window.confirm): a modal <dialog> over the comparison for
 * outcomes that lead to action. Cancel has the focus, so a stray Enter or Space records nothing;
 * Esc cancels.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, testId }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    cancel.current?.focus();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={`panel dialog ${styles.confirm}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div>{children}</div>
      <div className="form-actions">
        <button type="button" className="button primary" onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button ref={cancel} type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
