import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AddEntriesPanel } from '@/components/watchlists/add-entries-panel';
import { CategoryChip, CategoryOptions } from '@/components/watchlists/category-chip';
import { EntryActions } from '@/components/watchlists/entry-actions';
import { requirePagePermission } from '@/lib/auth/guards';
import { describeIssues } from '@/lib/http/route';
import { getWatchlistSummary, listEntries } from '@/lib/watchlists/data';
import { EntryQuerySchema } from '@/lib/watchlists/schema';
import { plural } from '@/lib/format/plural';

export const metadata: Metadata = { title: 'Watchlist' };

type Search = Record<string, string | string[] | undefined>;

export default async function WatchlistPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  await requirePagePermission('watchlist:manage');
  const { id } = await params;
  const watchlist = await getWatchlistSummary(id);
  if (!watchlist) notFound();

  const raw = Object.fromEntries(
    Object.entries(await searchParams).flatMap(([k, v]) => {
      const value = Array.isArray(v) ? v[0] : v;
      return value ? [[k, value]] : [];
    }),
  ) as Record<string, string>;
  const parsed = EntryQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : EntryQuerySchema.parse({});
  const result = await listEntries(id, query);
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const pageHref = (page: number) => `/watchlists/${id}?${new URLSearchParams({ ...raw, page: String(page) })}`;

  return (
    <div className="page">
      <header className="page-header">
        <p className="eyebrow">
          <Link href="/watchlists">Watchlists</Link>
        </p>
        <h1>{watchlist.name}</h1>
        <p className="muted">
          {plural(watchlist.entryCount, 'person')}
          {watchlist.reviewOverdue > 0 && (
            <>
              {' '}
              · <span className="warn-text">{watchlist.reviewOverdue} overdue for review</span>
            </>
          )}
          {watchlist.description && <> · {watchlist.description}</>}
        </p>
      </header>

      <form className="filters panel" method="get" aria-label="Search entries">
        <label className="field">
          <span>Name or reference</span>
          <input type="search" name="q" defaultValue={raw.q} />
        </label>
        <div className="field">
          <label htmlFor="filter-category">Category</label>
          <select id="filter-category" name="category" defaultValue={raw.category ?? ''}>
            <option value="">All categories</option>
            <CategoryOptions />
          </select>
        </div>
        <label className="field checkbox-field">
          <input type="checkbox" name="reviewOverdue" value="true" defaultChecked={raw.reviewOverdue === 'true'} />
          <span>Review overdue only</span>
        </label>
        <div className="filter-actions">
          <button className="button primary" type="submit">
            Search
          </button>
          <Link className="button" href={`/watchlists/${id}`}>
            Clear
          </Link>
        </div>
      </form>
      {!parsed.success && (
        <p className="form-error" role="alert">
          Filters ignored: {describeIssues(parsed.error)}
        </p>
      )}

      <p className="muted small" aria-live="polite">
        {plural(result.total, 'entry', 'entries')} · page {result.page} of {pages} · each photo shown is recorded in the audit trail
      </p>
      {result.entries.length === 0 ? (
        <div className="panel empty-state">
          <h2>No entries{raw.q || raw.category || raw.reviewOverdue ? ' match' : ' yet'}</h2>
          <p className="muted">Add people with the form below.</p>
        </div>
      ) : (
        <ul className="entry-grid" data-testid="entry-grid">
          {result.entries.map((entry) => (
            <li key={entry.id} className="entry-card panel" data-testid="entry-card" data-reference={entry.reference}>
              <div className="entry-photos">
                {entry.images.slice(0, 3).map((image) => (
                  // eslint-disable-next-line @next/next/no-img-element -- audited per view; must not be cached or optimised
                  <img key={image.id} src={`/api/reference-images/${image.id}`} alt={`Reference photo of ${entry.name}`} loading="lazy" />
                ))}
              </div>
              <div className="entry-body">
                <h2>{entry.name}</h2>
                <p className="mono small">{entry.reference}</p>
                <CategoryChip category={entry.category} />
                <p className="small muted">
                  {plural(entry.images.length, 'photo')} · review by {entry.reviewBy}
                  {entry.reviewOverdue && <span className="badge-overdue"> Review overdue</span>}
                </p>
                <EntryActions entry={entry} />
              </div>
            </li>
          ))}
        </ul>
      )}
      {pages > 1 && (
        <nav className="pager" aria-label="Pages">
          {result.page > 1 ? <Link href={pageHref(result.page - 1)}>← Previous</Link> : <span />}
          {result.page < pages ? <Link href={pageHref(result.page + 1)}>Next →</Link> : <span />}
        </nav>
      )}
      <AddEntriesPanel watchlistId={id} />
    </div>
  );
}
