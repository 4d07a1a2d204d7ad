'use client';

import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';

type Question = { title: string; body: ReactNode; confirmLabel: string; danger?: boolean };
type Pending = Question & { resolve(answer: boolean): void };

/**
 * The app's own confirmation, in place of the browser's `window.confirm` (which looks like
 * another program, cannot be styled or read in the app's words, and blocks the page). A native
 * <dialog>: the browser traps focus in it, closes it on Esc (answered "no") and returns focus to
 * what opened it.
 *
 *   const [ask, dialog] = useConfirm();
 *   if (!(await ask({ title, body, confirmLabel: 'Delete' }))) return;
 *   …render {dialog} somewhere in the component.
 */
export function useConfirm(): [(question: Question) => Promise<boolean>, ReactNode] {
  const [pending, setPending] = useState<Pending | null>(null);
  const ask = useCallback((question: Question) => new Promise<boolean>((resolve) => setPending({ ...question, resolve })), []);
  const answer = (value: boolean) => {
    pending?.resolve(value);
    setPending(null);
  };
  return [
    ask,
    pending ? (
      <ConfirmDialog
        key="confirm"
        title={pending.title}
        confirmLabel={pending.confirmLabel}
        danger={pending.danger}
        onConfirm={() => answer(true)}
        onCancel={() => answer(false)}
      >
        {pending.body}
      </ConfirmDialog>
    ) : null,
  ];
}

type Props = {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
  testId?: string;
  /** Extra class for a page's own look (the alert comparison uses its own width). */
  className?: string;
};

/**
 * The dialog itself, shown while mounted, for callers that keep their own "asking" state. Cancel
 * takes the focus after showModal() (which would otherwise focus the first button, Confirm), so a
 * stray Enter or Space confirms nothing; Esc cancels.
 */
export function ConfirmDialog({ title, children, confirmLabel, danger, onConfirm, onCancel, testId = 'confirm-dialog', className }: Props) {
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
      className={`panel dialog confirm-dialog${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div className="confirm-dialog__body">{children}</div>
      <div className="form-actions">
        <button type="button" className={`button ${danger ? 'danger' : 'primary'}`} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button ref={cancel} type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
