import { z } from 'zod';
import { DEPLOYMENT_STATUSES } from '@/lib/deployments/state-machine';
import { describeIssues } from '@/lib/http/route';
import { addDays, daysBetween, isCalendarDay, londonDayOf, londonDayStart } from './london-days';

/**
 * The dashboard's filter, from a URL query (the /records page and GET /api/records.csv share it,
 * so a filtered view can be linked and exported as it is): London days `from` and `to`
 * (inclusive, YYYY-MM-DD), a borough, a status. Without dates: the last 90 days up to today.
 * Pure apart from the clock (`now`, passed in by tests).
 */

export const DEFAULT_DAYS = 90;
/** The longest range one view may cover: about five years of deployments. */
export const MAX_DAYS = 5 * 366;

const day = (field: string) =>
  z
    .string()
    .trim()
    .refine(isCalendarDay, { message: `${field} must be a calendar date written YYYY-MM-DD (for example 2026-12-01)` });

export const DashboardQuerySchema = z
  .object({
    from: day('from').optional(),
    to: day('to').optional(),
    borough: z.string().trim().min(1).max(100).optional(),
    status: z.enum(DEPLOYMENT_STATUSES, { message: `status must be one of ${DEPLOYMENT_STATUSES.join(', ')}` }).optional(),
  })
  // Unknown parameters (a tracking tag on a shared link) are ignored, not refused.
  .strip();

export type DashboardQuery = z.infer<typeof DashboardQuerySchema>;

/** The filter as the data layer uses it: London days and the instants they span. */
export type DashboardFilter = {
  from: string;
  to: string;
  borough: string | null;
  status: (typeof DEPLOYMENT_STATUSES)[number] | null;
  /** Start of `from` and start of the day after `to`, London time: planned starts in [start, end). */
  start: Date;
  end: Date;
};

export type FilterResult = { ok: true; filter: DashboardFilter } | { ok: false; message: string; field: string };

/**
 * Reads a filter from query parameters (empty values mean "not set", as an empty form field
 * sends them). `boroughs` are the names a borough may take; anything else is refused by name.
 */
export function parseDashboardFilter(params: Record<string, string | undefined>, boroughs: readonly string[], now = new Date()): FilterResult {
  const present = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = DashboardQuerySchema.safeParse(present);
  if (!parsed.success) {
    return { ok: false, message: describeIssues(parsed.error), field: String(parsed.error.issues[0]?.path[0] ?? 'query') };
  }
  const q = parsed.data;
  if (q.borough !== undefined && !boroughs.includes(q.borough)) {
    return { ok: false, field: 'borough', message: `borough: "${q.borough}" is not a London borough Sightline knows` };
  }
  const to = q.to ?? londonDayOf(now);
  const from = q.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (daysBetween(from, to) < 0) return { ok: false, field: 'from', message: `from: ${from} is after to (${to})` };
  if (daysBetween(from, to) >= MAX_DAYS) return { ok: false, field: 'to', message: `to: a view covers at most ${MAX_DAYS} days; narrow the dates` };
  return {
    ok: true,
    filter: { from, to, borough: q.borough ?? null, status: q.status ?? null, start: londonDayStart(from), end: londonDayStart(addDays(to, 1)) },
  };
}

/** The filter back as query parameters (for links, the export and the form's values). */
export function filterQuery(filter: Pick<DashboardFilter, 'from' | 'to' | 'borough' | 'status'>): URLSearchParams {
  const query = new URLSearchParams({ from: filter.from, to: filter.to });
  if (filter.borough) query.set('borough', filter.borough);
  if (filter.status) query.set('status', filter.status);
  return query;
}
