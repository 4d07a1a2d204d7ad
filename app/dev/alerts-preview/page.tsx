import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { AlertsPreview } from './preview';

// Decided per request: SIGHTLINE_DEV_PAGES is read at run time, not at build time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Alert queue preview (development)' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * A development preview of the alert queue on synthetic alerts: no sign-in, no database, no
 * socket. Served outside production only (or with SIGHTLINE_DEV_PAGES=1). bench/alert-queue.ts
 * measures scrolling and arrivals here.
 *
 * Query: ?count=10000 (synthetic alerts, default 10,000, at most 50,000) &compact=1 (the panel
 * layout, 420 px wide) &role=operator|senior_officer.
 */
export default async function AlertsPreviewPage({ searchParams }: { searchParams: SearchParams }) {
  // Read the query first: it makes the page dynamic, so SIGHTLINE_DEV_PAGES is read at run time.
  const query = await searchParams;
  if (process.env.NODE_ENV === 'production' && process.env.SIGHTLINE_DEV_PAGES !== '1') notFound();
  const one = (key: string) => (Array.isArray(query[key]) ? query[key][0] : query[key]);
  const count = Math.min(50_000, Math.max(0, Number.parseInt(one('count') ?? '10000', 10) || 0));
  const role = one('role') === 'senior_officer' ? 'senior_officer' : 'operator';
  return <AlertsPreview count={count} compact={one('compact') === '1'} role={role} />;
}
