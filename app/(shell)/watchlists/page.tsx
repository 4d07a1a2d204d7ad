import type { Metadata } from 'next';
import Link from 'next/link';
import { CreateWatchlistForm } from '@/components/watchlists/create-watchlist-form';
import { requirePagePermission } from '@/lib/auth/guards';
import { can } from '@/lib/auth/permissions';
import { listWatchlists } from '@/lib/watchlists/data';
import { CATEGORIES, CATEGORY_LABELS } from '@/lib/watchlists/schema';

export const metadata: Metadata = { title: 'Watchlists' };

export default async function WatchlistsPage() {
  const user = await requirePagePermission('watchlist:read');
  const manage = can(user.role, 'watchlist:manage');
  const watchlists = await listWatchlists();
  return (
    <div className="page">
      <header className="page-header">
        <h1>Watchlists</h1>
        <p className="muted lead">
          Only people in the four lawful categories may be looked for. A deployment uses a frozen snapshot of the categories it was authorised for.
        </p>
      </header>
      {watchlists.length === 0 ? (
        <div className="panel empty-state">
          <h2>No watchlists yet</h2>
          <p className="muted">{manage ? 'Create the first one below.' : 'An admin curates watchlists.'}</p>
        </div>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="watchlists-table">
            <thead>
              <tr>
                <th scope="col">Watchlist</th>
                <th scope="col">People</th>
                {CATEGORIES.map((c) => (
                  <th scope="col" key={c}>
                    {CATEGORY_LABELS[c]}
                  </th>
                ))}
                <th scope="col">Review overdue</th>
              </tr>
            </thead>
            <tbody>
              {watchlists.map((w) => (
                <tr key={w.id}>
                  <td>
                    {manage ? <Link href={`/watchlists/${w.id}`}>{w.name}</Link> : w.name}
                    {w.description && <div className="muted small">{w.description}</div>}
                  </td>
                  <td className="mono">{w.entryCount}</td>
                  {CATEGORIES.map((c) => (
                    <td className="mono" key={c}>
                      {w.byCategory[c]}
                    </td>
                  ))}
                  <td>{w.reviewOverdue > 0 ? <span className="warn-text">{w.reviewOverdue}</span> : <span className="muted">0</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {manage && <CreateWatchlistForm />}
    </div>
  );
}
