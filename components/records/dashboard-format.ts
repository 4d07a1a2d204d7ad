import { londonDay } from '@/components/deployments/london-time';

/**
 * Words and numbers for the dashboard (/records), the same on the server and in the browser:
 * no locale data from the platform beyond digit grouping, so a server-rendered string equals the
 * hydrated one. Pure.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "2026-12-01" as "Tue 1 Dec 2026": a calendar day nobody reads the wrong way round. */
export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return `${WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]} ${d} ${MONTHS[m - 1]} ${y}`;
}

/** An instant as its London day, short: "1 Dec" (chart ticks). */
export function formatShortDay(instant: number | string): string {
  const day = londonDay(new Date(instant).toISOString());
  const [, m, d] = day.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]}`;
}

export const formatCount = (n: number): string => n.toLocaleString('en-GB');

/** False alerts per 1,000 faces: three significant figures, "—" with no faces. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  if (rate === 0) return '0';
  return rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3).replace(/\.?0+$/, '');
}

/** A duration in words: "45 s", "3 min 20 s", "2 h 5 min"; "—" for none. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}
