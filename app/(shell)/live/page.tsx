import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePagePermission } from '@/lib/auth/guards';
import { listDeployments } from '@/lib/deployments/data';
import { plural } from '@/lib/format/plural';
import { formatLondon } from '@/lib/time/london';

export const metadata: Metadata = { title: 'Live' };

export default async function LiveIndexPage() {
  const user = await requirePagePermission('live:view');
  const live = await listDeployments(user, { status: 'live' });
  return (
    <div className="page">
      <header className="page-header">
        <h1>Live deployments</h1>
        <p className="muted lead">Cameras check faces only while a deployment is live and inside its authorised window.</p>
      </header>
      {live.length === 0 ? (
        <div className="panel empty-state">
          <h2>Nothing is live</h2>
          <p className="muted">A deployment appears here once a senior officer starts an authorised plan.</p>
        </div>
      ) : (
        <ul className="card-grid" aria-label="Live deployments">
          {live.map((d) => (
            <li key={d.id}>
              <Link href={`/live/${d.id}`} className="card panel">
                <p className="eyebrow">Live</p>
                <h2>{d.name}</h2>
                <p className="muted small">
                  {plural(d.cameraCount, 'camera')}
                  {d.endsAt ? ` · until ${formatLondon(d.endsAt)}` : ''}
                </p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
