'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';
import styles from './deployments.module.css';

type ModalProps = {
  open: boolean;
  title: string;
  /** Called when the dialog closes itself (Esc, the Cancel button). */
  onClose(): void;
  children: ReactNode;
  testId?: string;
};

/**
 * A modal dialog on the native <dialog> element: the browser traps focus inside it, closes it
 * on Esc and returns focus to what opened it, and screen readers announce it by its title.
 */
export function Modal({ open, title, onClose, children, testId }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className={`panel dialog ${styles.modal}`} aria-labelledby={titleId} onClose={onClose} data-testid={testId}>
      <h2 id={titleId}>{title}</h2>
      {open ? children : null}
    </dialog>
  );
}
