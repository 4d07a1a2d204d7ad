/**
 * Times as the control room reads them: London wall-clock time, whatever the browser's or the
 * server's zone. The API speaks ISO 8601 in UTC; these helpers turn it into what a
 * `datetime-local` field shows and back, and into words for lists and headers.
 *
 * No locale names from the platform: Node (server render) and the browser may ship different
 * ICU data ("Sep" or "Sept"), and a server-rendered string must equal the hydrated one. Only
 * the numeric parts come from Intl; month and weekday names are ours.
 */

export const LONDON = 'Europe/London';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

type Parts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

let formatter: Intl.DateTimeFormat | null = null;

function londonParts(date: Date): Parts {
  formatter ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: LONDON,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  });
  const out: Record<string, number> = {};
  for (const part of formatter.formatToParts(date)) {
    if (part.type !== 'literal') out[part.type] = Number(part.value);
  }
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

/** London's offset from UTC at an instant, in milliseconds (0 in winter, 3 600 000 in summer). */
function londonOffsetMs(instant: number): number {
  const p = londonParts(new Date(instant));
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as a `datetime-local` value in London time ("2026-12-01T09:00"); '' for none. */
export function isoToLondonInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const p = londonParts(date);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * A `datetime-local` value read as London time, as an ISO instant in UTC; null for an empty or
 * unreadable value. In the hour the clocks go back (01:00–02:00 happens twice) the earlier,
 * summer-time instant is meant; a time skipped when the clocks go forward moves an hour on.
 */
export function londonInputToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (Number.isNaN(wall)) return null;
  // Clocks change at most once a day: the offsets a day before and after cover both sides.
  const DAY = 86_400_000;
  const wanted = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}`;
  const candidates = [wall - londonOffsetMs(wall - DAY), wall - londonOffsetMs(wall + DAY)];
  const real = candidates.filter((t) => isoToLondonInput(new Date(t).toISOString()) === wanted);
  return new Date(real.length ? Math.min(...real) : candidates[0]!).toISOString();
}

/** "Tue 1 Dec 2026, 09:00" in London time; "" for none. */
export function formatLondon(iso: string | null, { withYear = true }: { withYear?: boolean } = {}): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const p = londonParts(date);
  const weekday = WEEKDAYS[new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()];
  return `${weekday} ${p.day} ${MONTHS[p.month - 1]}${withYear ? ` ${p.year}` : ''}, ${pad(p.hour)}:${pad(p.minute)}`;
}

/** "09:00" in London time. */
export function formatLondonTime(iso: string): string {
  const p = londonParts(new Date(iso));
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** The London calendar day of an instant, "2026-12-01": for grouping a timeline by day. */
export function londonDay(iso: string): string {
  return isoToLondonInput(iso).slice(0, 10);
}

/**
 * A deployment's window in words: "Tue 1 Dec 2026, 09:00–13:00" on one day, both ends in full
 * across midnight, and what is missing when it is not set.
 */
export function formatWindow(startsAt: string | null, endsAt: string | null): string {
  if (!startsAt && !endsAt) return 'No window set';
  if (!startsAt) return `Until ${formatLondon(endsAt)} (no start set)`;
  if (!endsAt) return `From ${formatLondon(startsAt)} (no end set)`;
  if (londonDay(startsAt) === londonDay(endsAt)) return `${formatLondon(startsAt)}–${formatLondonTime(endsAt)}`;
  return `${formatLondon(startsAt)} – ${formatLondon(endsAt)}`;
}

/** Length of a window in words ("4 h", "4 h 30 min"); '' when either end is missing. */
export function formatDuration(startsAt: string | null, endsAt: string | null): string {
  if (!startsAt || !endsAt) return '';
  const minutes = Math.round((new Date(endsAt).getTime() - new Date(startsAt).getTime()) / 60_000);
  if (minutes <= 0) return '';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ');
}
