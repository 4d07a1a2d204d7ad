'use client';

import { useRealtime, type RealtimeStatus } from '@/lib/realtime/use-realtime';

const LABELS: Record<RealtimeStatus, string> = {
  connecting: 'Connecting',
  connected: 'Live link',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Signed out — sign in again',
};

/** The control room's link to the server: operators must know when updates stop. */
export function RealtimeIndicator() {
  const { status } = useRealtime();
  return (
    <span className={`status-pill status-${status}`} role="status" data-testid="realtime-status" data-status={status}>
      <span className="dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
