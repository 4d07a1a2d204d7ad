'use client';

import { useEffect, useState } from 'react';
import type { ClusterHealth } from '@/lib/realtime/events';
import { useRealtime } from '@/lib/realtime/use-realtime';

/**
 * Says when this server has lost its link to the other Sightline servers (Redis or PostgreSQL's
 * notifications unreachable): alerts raised through the others may not appear until it is back.
 * Pushed by the server on connection and on every change (lib/realtime/server.ts).
 */
export function ClusterNotice() {
  const { socket } = useRealtime();
  const [health, setHealth] = useState<ClusterHealth | null>(null);
  useEffect(() => {
    if (!socket) return;
    socket.on('cluster:health', setHealth);
    return () => {
      socket.off('cluster:health', setHealth);
    };
  }, [socket]);
  if (health?.realtime !== 'degraded') return null;
  return (
    <div className="cluster-notice" role="alert" data-testid="cluster-notice" title={`Connected to server ${health.instance}`}>
      <strong>Updates may be delayed.</strong> {health.message}
    </div>
  );
}
