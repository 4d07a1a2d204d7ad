'use client';

import { useCallback, useEffect, useState } from 'react';
import type { Probe } from '@/lib/face/probe';
import { useRealtime } from '@/lib/realtime/use-realtime';
import { LiveGrid } from './live-grid';
import { ProbeRefusedError, type LiveCamera, type ProbeResult } from './types';

type Props = { deploymentId: string; cameras: LiveCamera[]; aside?: React.ReactNode };

const PROBE_TIMEOUT_MS = 10_000;

/**
 * The live wall of one deployment, wired to the server: joins the deployment's room, sends
 * every probe over the socket (`probe:submit`) and turns refusals into errors so tiles back off.
 * When the server says the deployment no longer accepts faces, detection stops being sent and
 * the operator is told why.
 */
export function LiveDeployment({ deploymentId, cameras, aside }: Props) {
  const { socket, status } = useRealtime();
  const [joined, setJoined] = useState<'pending' | 'ok' | string>('pending');
  const [stopped, setStopped] = useState<string | null>(null);

  useEffect(() => {
    if (!socket) return;
    const join = () =>
      void socket
        .timeout(PROBE_TIMEOUT_MS)
        .emitWithAck('deployment:join', { deploymentId })
        .then((answer) => setJoined(answer.ok ? 'ok' : answer.error))
        .catch(() => setJoined('The server did not answer.'));
    if (socket.connected) join();
    socket.on('connect', join); // rooms are per connection: join again after a reconnect
    return () => {
      socket.off('connect', join);
    };
  }, [socket, deploymentId]);

  const submitProbe = useCallback(
    async (probe: Probe): Promise<ProbeResult> => {
      if (!socket?.connected) throw new Error('Not connected to the server.');
      const answer = await socket.timeout(PROBE_TIMEOUT_MS).emitWithAck('probe:submit', { deploymentId, ...probe });
      if ('error' in answer) {
        if (answer.error === 'deployment_not_live') setStopped(answer.message);
        throw new ProbeRefusedError(answer.error, answer.message);
      }
      return answer;
    },
    [socket, deploymentId],
  );

  return (
    <div className="live-layout">
      <div className="live-main">
        {stopped && (
          <p className="panel danger-text" role="alert">
            Matching has stopped: {stopped}
          </p>
        )}
        {joined !== 'pending' && joined !== 'ok' && (
          <p className="panel danger-text" role="alert">
            Cannot watch this deployment: {joined}
          </p>
        )}
        {status !== 'connected' && (
          <p className="panel warn-text" role="status">
            {status === 'unauthorized' ? 'Your session has ended — sign in again.' : 'Connecting to the server… faces are not being checked.'}
          </p>
        )}
        <LiveGrid cameras={cameras} submitProbe={submitProbe} />
      </div>
      {aside && (
        <aside className="live-aside" aria-label="Alerts">
          {aside}
        </aside>
      )}
    </div>
  );
}
