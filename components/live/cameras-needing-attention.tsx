'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { LiveOverviewDeployment, ServerToClientEvents } from '@/lib/realtime/events';
import { useRealtime } from '@/lib/realtime/use-realtime';
import { healthWords } from './health-words';

/** The overview is read again this often, so a deployment that goes live later appears without a reload. */
const OVERVIEW_REFRESH_MS = 30_000;

/**
 * The home page's live overview: per live deployment, the cameras nobody has analysed for a minute,
 * analysed too slowly, or whose analyser cannot read them (lib/live/leases.ts). First drawn from the
 * server's table, then kept current over the socket (`overview:join`, then `lease:changed`; an
 * empty table means the deployment stopped being live). `watches`: the user may open live pages
 * (live:view); otherwise (an auditor) links go to the deployment's record and the words suggest nothing.
 */
export function CamerasNeedingAttention({ initial, watches }: { initial: LiveOverviewDeployment[]; watches: boolean }) {
  const { socket } = useRealtime();
  const [deployments, setDeployments] = useState(initial);

  useEffect(() => {
    if (!socket) return;
    const join = () => {
      if (!socket.connected) return;
      void socket
        .timeout(10_000)
        .emitWithAck('overview:join', {})
        .then((answer) => answer.ok && setDeployments(answer.deployments))
        .catch(() => undefined);
    };
    const onLeases: ServerToClientEvents['lease:changed'] = ({ deploymentId, leases }) =>
      setDeployments((current) =>
        leases.length === 0
          ? current.filter((deployment) => deployment.id !== deploymentId)
          : current.map((deployment) => (deployment.id === deploymentId ? { ...deployment, leases } : deployment)),
      );
    join();
    const timer = setInterval(join, OVERVIEW_REFRESH_MS);
    socket.on('connect', join);
    socket.on('lease:changed', onLeases);
    return () => {
      clearInterval(timer);
      socket.off('connect', join);
      socket.off('lease:changed', onLeases);
    };
  }, [socket]);

  return (
    // Always present (a polite live region): what appears in it later is announced.
    <section
      className={deployments.length > 0 ? 'panel' : undefined}
      aria-labelledby={deployments.length > 0 ? 'attention-heading' : undefined}
      aria-live="polite"
      data-testid="cameras-needing-attention"
      data-count={deployments.length}
    >
      {deployments.length > 0 && <h2 id="attention-heading">Cameras needing attention</h2>}
      {deployments.map((deployment) => {
        const troubled = deployment.leases.filter((lease) => lease.warnings.length > 0);
        const nameOf = (cameraId: string) => deployment.cameras.find((c) => c.id === cameraId)?.name ?? 'A camera';
        return (
          <div key={deployment.id} data-deployment-id={deployment.id}>
            <h3>
              <Link href={watches ? `/live/${deployment.id}` : `/deployments/${deployment.id}`}>{deployment.name}</Link>
            </h3>
            {troubled.length === 0 ? (
              <p className="muted">Every camera is being analysed.</p>
            ) : (
              <ul>
                {troubled.map((lease) => (
                  <li key={lease.cameraId} data-camera-id={lease.cameraId} data-warnings={lease.warnings.join(' ')}>
                    {nameOf(lease.cameraId)}: {healthWords(lease, watches ? 'watcher' : 'reader')}
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
