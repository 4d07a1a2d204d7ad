import type { Metadata } from 'next';
import Link from 'next/link';
import { forbidden, notFound } from 'next/navigation';
import { LiveDeployment } from '@/components/live/live-deployment';
import { arrangementFromSaved } from '@/components/live/wall-arrangement';
import { requirePagePermission } from '@/lib/auth/guards';
import { getDeploymentForViewer } from '@/lib/deployments/data';
import { acceptsFaces, STATUS_LABELS } from '@/lib/deployments/state-machine';
import { HttpError } from '@/lib/http/errors';
import { getWallLayout } from '@/lib/wall-layouts/data';

export const metadata: Metadata = { title: 'Video wall' };

/**
 * The video wall: one deployment's tiles filling a second monitor — no navigation, no alert queue
 * (the control room screen has it). The same person's saved layout, the same leases and checks.
 */
export default async function VideoWallPage({ params }: { params: Promise<{ deploymentId: string }> }) {
  const user = await requirePagePermission('live:view');
  const deployment = await getDeploymentForViewer(user, (await params).deploymentId).catch((error: unknown) => {
    if (error instanceof HttpError && error.status === 404) notFound();
    if (error instanceof HttpError && error.status === 403) forbidden();
    throw error;
  });
  const inWindow = acceptsFaces({
    status: deployment.status,
    startsAt: deployment.startsAt ? new Date(deployment.startsAt) : null,
    endsAt: deployment.endsAt ? new Date(deployment.endsAt) : null,
  });
  return (
    <main id="main" className="video-wall-page live-page" data-testid="video-wall">
      <header className="video-wall-header">
        <h1>
          {deployment.name} <span className="muted">· video wall</span>
        </h1>
        <Link href={`/live/${deployment.id}`} className="small">
          Control room view (with alerts)
        </Link>
      </header>
      {inWindow ? (
        <LiveDeployment
          deploymentId={deployment.id}
          cameras={deployment.cameras.map((c) => ({ id: c.id, name: c.name, source: c.source }))}
          initialArrangement={arrangementFromSaved(await getWallLayout(user.id, deployment.id))}
        />
      ) : (
        <div className="panel empty-state" role="status">
          <h2>Not live</h2>
          <p className="muted">This deployment is {STATUS_LABELS[deployment.status].toLowerCase()}. Its cameras are shown only while it is live.</p>
        </div>
      )}
    </main>
  );
}
