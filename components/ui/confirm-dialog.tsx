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
  return [ask, <ConfirmDialog key="confirm" pending={pending} onAnswer={answer} />];
}

function ConfirmDialog({ pending, onAnswer }: { pending: Pending | null; onAnswer(value: boolean): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (pending && !dialog.open) dialog.showModal();
    if (!pending && dialog.open) dialog.close();
  }, [pending]);
  return (
    <dialog
      ref={ref}
      className="panel dialog confirm-dialog"
      aria-labelledby={titleId}
      data-testid="confirm-dialog"
      onCancel={(event) => {
        event.preventDefault();
        onAnswer(false);
      }}
    >
      {pending && (
        <>
          <h2 id={titleId}>{pending.title}</h2>
          <div className="confirm-dialog__body">{pending.body}</div>
          <div className="form-actions">
            <button type="button" className={`button ${pending.danger ? 'danger' : 'primary'}`} onClick={() => onAnswer(true)}>
              {pending.confirmLabel}
            </button>
            <button type="button" className="button" onClick={() => onAnswer(false)} autoFocus>
              Cancel
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
