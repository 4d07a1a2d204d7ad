'use client';

import { useRealtime, type RealtimeStatus } from '@/lib/realtime/use-realtime';

const LABELS: Record<RealtimeStatus, string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Signed out — sign in again',
};

/** What each state means, for the tooltip (the pill itself says it in a word or two). */
const DETAILS: Record<RealtimeStatus, string> = {
  connecting: 'Opening the live link to the server (socket.io): alerts and camera changes are not arriving yet.',
  connected: 'Live link to the server open (socket.io): alerts and camera changes arrive as they happen.',
  reconnecting: 'The live link to the server dropped; trying again. Alerts may be late until it is back.',
  unauthorized: 'The server closed the live link because the session ended.',
};

/** The control room's link to the server: operators must know when updates stop. */
export function RealtimeIndicator() {
  const { status } = useRealtime();
  return (
    <span className={`status-pill status-${status}`} role="status" data-testid="realtime-status" data-status={status} title={DETAILS[status]} tabIndex={0}>
      <span className="dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
