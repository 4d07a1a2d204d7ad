'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { DEFAULT_KEY_DAYS, MAX_KEY_DAYS } from '@/lib/service-accounts/schema';
import { messageOf, sendJson } from '@/components/ui/api';
import { IssuedKey } from './issued-key';

/** A deployment that may be given (authorised or live): its name and window, formatted by the page. */
type Deployment = { id: string; name: string; window: string };
type Created = { account: { name: string }; key: { text: string; expiresAt: string } };

/** Makes a service account for chosen deployments; its key is shown once, here. */
export function CreateServiceAccountForm({ deployments }: { deployments: Deployment[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);

  async function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const body = {
      name: String(data.get('name') ?? ''),
      deploymentIds: data.getAll('deploymentIds').map(String),
      expiresInDays: Number(data.get('expiresInDays')),
    };
    if (body.deploymentIds.length === 0) {
      setError('Choose at least one deployment the agent may send faces for.');
      return;
    }
    setPending(true);
    setError(null);
    try {
      setCreated(await sendJson<Created>('/api/service-accounts', 'POST', body));
      form.reset();
      router.refresh();
    } catch (e) {
      setError(messageOf(e, 'Could not create the service account.'));
    } finally {
      setPending(false);
    }
  }

  if (created)
    return <IssuedKey label={`Key for ${created.account.name}`} text={created.key.text} expiresAt={created.key.expiresAt} onDone={() => setCreated(null)} />;

  return (
    <form noValidate className="panel form-grid" onSubmit={(event) => void submit(event)} aria-labelledby="create-service-account-heading">
      <h2 id="create-service-account-heading">Add a camera agent</h2>
      <label className="field">
        <span>Name</span>
        <input name="name" required maxLength={120} autoComplete="off" placeholder="e.g. Oxford Circus agent" />
      </label>
      <label className="field">
        <span>Key expires after (days)</span>
        <input name="expiresInDays" type="number" required min={1} max={MAX_KEY_DAYS} defaultValue={DEFAULT_KEY_DAYS} />
        <small className="muted">At most {MAX_KEY_DAYS} days. Rotate the key before then.</small>
      </label>
      <fieldset className="field">
        <legend>Deployments it may send faces for (authorised or live)</legend>
        {deployments.length === 0 ? (
          <p className="muted small">No deployment is authorised or live: an agent can be given only a plan a senior officer has authorised.</p>
        ) : (
          deployments.map((deployment) => (
            <label key={deployment.id} className="field checkbox-field">
              <input type="checkbox" name="deploymentIds" value={deployment.id} />
              <span>
                {deployment.name} <span className="muted small">({deployment.window})</span>
              </span>
            </label>
          ))
        )}
      </fieldset>
      <div className="form-actions">
        <button className="button primary" type="submit" disabled={pending || deployments.length === 0}>
          {pending ? 'Adding…' : 'Add camera agent'}
        </button>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}
