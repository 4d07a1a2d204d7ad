import { formatLondon, londonZone } from '@/lib/time/london';

/**
 * An audit event's time: "Tue 1 Dec 2026, 09:00:07 GMT", London time with the clock named, to
 * the second (the order of events matters here). London's offset is whole hours, so the
 * seconds are UTC's.
 */
export function auditTime(iso: string): string {
  const seconds = String(new Date(iso).getUTCSeconds()).padStart(2, '0');
  return `${formatLondon(iso, { zone: false })}:${seconds} ${londonZone(iso)}`;
}
