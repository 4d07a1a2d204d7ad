'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { messageOf, sendJson } from '@/components/ui/api';
import { useConfirm } from '@/components/ui/confirm-dialog';
import { IssuedKey } from './issued-key';

type Rotated = { key: { text: string; expiresAt: string } };

/** Rotate (a new key, shown once; the old one stops at once) and revoke (for good), each after a confirmation. */
export function ServiceAccountRowControls({ id, name, revoked }: { id: string; name: string; revoked: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [rotated, setRotated] = useState<Rotated | null>(null);
  const [ask, confirmDialog] = useConfirm();

  async function act(what: 'rotate' | 'revoke') {
    const yes = await ask(
      what === 'rotate'
        ? {
            title: `Give ${name} a new key?`,
            body: 'Its current key stops working at once and its agent is disconnected until it has the new one.',
            confirmLabel: 'Give a new key',
          }
        : {
            title: `Revoke ${name}?`,
            body: 'Its key stops working at once, its agent is disconnected, and the account cannot be used again.',
            confirmLabel: 'Revoke',
            danger: true,
          },
    );
    if (!yes) return;
    setPending(true);
    setError(null);
    try {
      if (what === 'rotate') setRotated(await sendJson<Rotated>(`/api/service-accounts/${id}/rotate`, 'POST', {}));
      else await sendJson(`/api/service-accounts/${id}`, 'DELETE');
    } catch (e) {
      setError(messageOf(e, 'Change refused.'));
    } finally {
      setPending(false);
      router.refresh();
    }
  }

  if (rotated) return <IssuedKey label={`New key for ${name}`} text={rotated.key.text} expiresAt={rotated.key.expiresAt} onDone={() => setRotated(null)} />;
  if (revoked) return <span className="muted small">Revoked</span>;
  return (
    <div className="row-controls">
      <button className="button small" type="button" disabled={pending} onClick={() => void act('rotate')}>
        Rotate key
      </button>
      <button className="button small danger" type="button" disabled={pending} onClick={() => void act('revoke')}>
        Revoke
      </button>
      {confirmDialog}
      {error && (
        <p className="form-error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
