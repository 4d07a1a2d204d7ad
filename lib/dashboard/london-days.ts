/**
 * London calendar days for the dashboard's date filter: a day "2026-12-01" means midnight to
 * midnight in London, whatever the server's zone, in summer time and winter time alike. Pure.
 * (components/deployments/london-time.ts does the same for display; lib/ may not import it.)
 */

const DAY_MS = 86_400_000;

let formatter: Intl.DateTimeFormat | null = null;

/** London's wall-clock date and time at an instant, as if it were UTC (to read the offset). */
function londonWallMs(instant: number): number {
  formatter ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  });
  const p: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!);
}

/** Whether `day` is a real calendar date written YYYY-MM-DD (not 2026-02-30). */
export function isCalendarDay(day: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === day;
}

/**
 * The instant a London day begins. The clocks change at 01:00 UTC, never at midnight London time,
 * so midnight happens exactly once: UTC midnight less London's offset then.
 */
export function londonDayStart(day: string): Date {
  const utcMidnight = Date.parse(`${day}T00:00:00.000Z`);
  // The offset an hour before UTC midnight is the offset at London midnight (it cannot change in between).
  const offset = londonWallMs(utcMidnight - 3_600_000) - (utcMidnight - 3_600_000);
  return new Date(utcMidnight - offset);
}

/** The London day of an instant, "2026-12-01". */
export function londonDayOf(instant: Date): string {
  return new Date(londonWallMs(instant.getTime())).toISOString().slice(0, 10);
}

/** The calendar day `days` after (or before, when negative) `day`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (0 for the same day). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00.000Z`) - Date.parse(`${from}T00:00:00.000Z`)) / DAY_MS);
}
