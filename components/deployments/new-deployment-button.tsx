'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { callApi, messageOf } from './api';
import { Field, describedBy } from './fields';
import { Modal } from './modal';
import type { DeploymentView } from './types';
import styles from './deployments.module.css';

/**
 * "New deployment": a name is enough to start a draft (everything else follows in the plan
 * editor), so the dialog asks for that only, creates the draft and opens it.
 */
export function NewDeploymentButton() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!name.trim()) {
      setError('Give the deployment a name, e.g. the place and the day.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await callApi<DeploymentView>('/api/deployments', 'POST', { name });
      router.push(`/deployments/${created.id}`);
    } catch (e) {
      setError(messageOf(e, 'The draft could not be created.'));
      setBusy(false);
    }
  }

  const hint = 'A working name, e.g. “Oxford Circus, Saturday afternoon”. You can change it later.';
  return (
    <>
      <button type="button" className="button primary" onClick={() => setOpen(true)} data-testid="new-deployment">
        New deployment
      </button>
      <Modal open={open} title="New deployment" onClose={() => setOpen(false)} testId="new-deployment-dialog">
        <form className={styles.dialogForm} onSubmit={(e) => void create(e)} noValidate>
          <p className="muted">This creates a draft plan. Only you and other senior officers can see it until it is authorised.</p>
          <Field id="new-deployment-name" label="Name" hint={hint} error={error}>
            <input
              id="new-deployment-name"
              value={name}
              maxLength={120}
              autoFocus
              autoComplete="off"
              aria-invalid={Boolean(error) || undefined}
              aria-describedby={describedBy('new-deployment-name', { hint, error })}
              onChange={(e) => {
                setName(e.target.value);
                if (error) setError(null);
              }}
            />
          </Field>
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create draft'}
            </button>
            <button type="button" className="button" onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      </Modal>
    </>
  );
}
