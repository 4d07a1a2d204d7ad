'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { LiveOverviewDeployment, ServerToClientEvents } from '@/lib/realtime/events';
import { useRealtime } from '@/lib/realtime/use-realtime';
import { healthWords } from './health-words';

/**
 * The home page's live overview: per live deployment, the cameras nobody has analysed for a minute
 * or analysed too slowly (lib/live/leases.ts). First drawn from the server's table, then kept
 * current over the socket (`overview:join`, then `lease:changed`).
 */
export function CamerasNeedingAttention({ initial }: { initial: LiveOverviewDeployment[] }) {
  const { socket } = useRealtime();
  const [deployments, setDeployments] = useState(initial);

  useEffect(() => {
    if (!socket) return;
    const join = () =>
      void socket
        .timeout(10_000)
        .emitWithAck('overview:join', {})
        .then((answer) => answer.ok && setDeployments(answer.deployments))
        .catch(() => undefined);
    const onLeases: ServerToClientEvents['lease:changed'] = ({ deploymentId, leases }) =>
      setDeployments((current) => current.map((deployment) => (deployment.id === deploymentId ? { ...deployment, leases } : deployment)));
    if (socket.connected) join();
    socket.on('connect', join);
    socket.on('lease:changed', onLeases);
    return () => {
      socket.off('connect', join);
      socket.off('lease:changed', onLeases);
    };
  }, [socket]);

  if (deployments.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="attention-heading" data-testid="cameras-needing-attention">
      <h2 id="attention-heading">Cameras needing attention</h2>
      {deployments.map((deployment) => {
        const troubled = deployment.leases.filter((lease) => lease.warnings.length > 0);
        const nameOf = (cameraId: string) => deployment.cameras.find((c) => c.id === cameraId)?.name ?? 'A camera';
        return (
          <div key={deployment.id}>
            <h3>
              <Link href={`/live/${deployment.id}`}>{deployment.name}</Link>
            </h3>
            {troubled.length === 0 ? (
              <p className="muted">Every camera is being analysed.</p>
            ) : (
              <ul>
                {troubled.map((lease) => (
                  <li key={lease.cameraId} data-camera-id={lease.cameraId} data-warnings={lease.warnings.join(' ')}>
                    {nameOf(lease.cameraId)}: {healthWords(lease)}
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
    </section>
  );
}
