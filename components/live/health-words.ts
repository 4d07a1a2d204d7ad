import type { CameraLeaseView } from '@/lib/realtime/events';

/** A camera's health warnings (lib/live/leases.ts) in an operator's words: the live page's banner and the home page's overview. */
export function healthWords(lease: Pick<CameraLeaseView, 'warnings' | 'detectionsPerSecond'>): string {
  return lease.warnings
    .map((warning) =>
      warning === 'no_analyser'
        ? 'nobody has analysed it for over a minute: open its live page or start the camera agent'
        : `analysed at ${lease.detectionsPerSecond.toFixed(1)} frames a second, under 1, so faces may be missed`,
    )
    .join('; ');
}
