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
 * A `datetime-local` value ("2026-12-01T09:00", or with a space for the T as the plan editor
 * shows it) read as London time, as an ISO instant in UTC; null for an empty or
 * unreadable value. In the hour the clocks go back (01:00–02:00 happens twice) the earlier,
 * summer-time instant is meant; a time skipped when the clocks go forward moves an hour on.
 */
export function londonInputToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ]+(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  // Typed by hand: a 13th month or a 31 June is a mistake, not a day that rolls over.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (Number.isNaN(wall)) return null;
  // Clocks change at most once a day: the offsets a day before and after cover both sides.
  const DAY = 86_400_000;
  const wanted = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}`;
  const candidates = [wall - londonOffsetMs(wall - DAY), wall - londonOffsetMs(wall + DAY)];
  const real = candidates.filter((t) => isoToLondonInput(new Date(t).toISOString()) === wanted);
  return new Date(real.length ? Math.min(...real) : candidates[0]!).toISOString();
}

/** The name of London's clock at an instant: GMT in winter, BST (British Summer Time) in summer. */
export function londonZone(iso: string): 'GMT' | 'BST' {
  return londonOffsetMs(new Date(iso).getTime()) === 0 ? 'GMT' : 'BST';
}

/** "Tue 1 Dec 2026" in London time. */
function londonDate(p: Parts, withYear: boolean): string {
  const weekday = WEEKDAYS[new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()];
  return `${weekday} ${p.day} ${MONTHS[p.month - 1]}${withYear ? ` ${p.year}` : ''}`;
}

/**
 * "Tue 1 Dec 2026, 09:00 GMT" in London time, the clock named (GMT or BST) so nobody reads it
 * as their browser's zone or UTC; "" for none. `zone: false` leaves the name off for a caller
 * that names it once for several times.
 */
export function formatLondon(iso: string | null, { withYear = true, zone = true }: { withYear?: boolean; zone?: boolean } = {}): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const p = londonParts(date);
  return `${londonDate(p, withYear)}, ${pad(p.hour)}:${pad(p.minute)}${zone ? ` ${londonZone(iso)}` : ''}`;
}

/**
 * A moment in a sentence: "14:00 London time (GMT)" on London's today, "14:00 London time (BST)
 * on Thu 15 Jul 2027" on another day. Used where a time decides something ("Opens at …").
 */
export function londonMoment(iso: string, now: Date = new Date()): string {
  const p = londonParts(new Date(iso));
  const time = `${pad(p.hour)}:${pad(p.minute)} London time (${londonZone(iso)})`;
  return londonDay(iso) === londonDay(now.toISOString()) ? time : `${time} on ${londonDate(p, true)}`;
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
 * A deployment's window in words: "Tue 1 Dec 2026, 09:00–13:00 GMT" on one day (the clock named
 * once, unless it changes within the window), both ends in full across midnight, and what is
 * missing when it is not set.
 */
export function formatWindow(startsAt: string | null, endsAt: string | null): string {
  if (!startsAt && !endsAt) return 'No window set';
  if (!startsAt) return `Until ${formatLondon(endsAt)} (no start set)`;
  if (!endsAt) return `From ${formatLondon(startsAt)} (no end set)`;
  if (londonDay(startsAt) === londonDay(endsAt)) {
    const sameClock = londonZone(startsAt) === londonZone(endsAt);
    return `${formatLondon(startsAt, { zone: !sameClock })}–${formatLondonTime(endsAt)} ${londonZone(endsAt)}`;
  }
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
