import type { Metadata } from 'next';
import Link from 'next/link';
import { forbidden, notFound } from 'next/navigation';
import { AlertQueue } from '@/components/alerts/alert-queue';
import { LiveDeployment } from '@/components/live/live-deployment';
import { arrangementFromSaved } from '@/components/live/wall-arrangement';
import { requirePagePermission } from '@/lib/auth/guards';
import { can } from '@/lib/auth/permissions';
import { getDeploymentForViewer } from '@/lib/deployments/data';
import { acceptsFaces, STATUS_LABELS } from '@/lib/deployments/state-machine';
import { HttpError } from '@/lib/http/errors';
import { getWallLayout } from '@/lib/wall-layouts/data';

export const metadata: Metadata = { title: 'Live' };

type Props = { params: Promise<{ deploymentId: string }>; searchParams: Promise<{ camera?: string | string[] }> };

export default async function LiveDeploymentPage({ params, searchParams }: Props) {
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
  // A link to one camera (another page's "show this tile"): only a camera of this deployment counts.
  const { camera } = await searchParams;
  const linkedCameraId = typeof camera === 'string' && deployment.cameras.some((c) => c.id === camera) ? camera : null;
  const layout = inWindow ? arrangementFromSaved(await getWallLayout(user.id, deployment.id)) : undefined;

  return (
    <div className="page live-page">
      <header className="page-header live-header">
        <div>
          <nav aria-label="Breadcrumb" className="breadcrumb">
            <ol>
              <li>
                <Link href="/live">Live deployments</Link>
              </li>
              <li aria-current="page">{deployment.name}</li>
            </ol>
          </nav>
          <h1>
            {deployment.name}{' '}
            <span className={`status-pill live-status live-status-${deployment.status}`} data-testid="deployment-status">
              {STATUS_LABELS[deployment.status]}
            </span>
          </h1>
        </div>
        <Link className="button" href={`/deployments/${deployment.id}`}>
          Plan and record
        </Link>
      </header>
      {inWindow ? (
        <LiveDeployment
          deploymentId={deployment.id}
          cameras={deployment.cameras.map((c) => ({ id: c.id, name: c.name, source: c.source }))}
          initialArrangement={layout}
          linkedCameraId={linkedCameraId}
          videoWallHref={`/live/${deployment.id}/wall`}
          aside={
            can(user.role, 'alert:read') ? (
              <AlertQueue
                deploymentIds={[deployment.id]}
                compact
                viewer={{ id: user.id, name: user.name, role: user.role }}
                thresholds={{ [deployment.id]: deployment.threshold }}
                documentTitle="Live"
              />
            ) : undefined
          }
        />
      ) : (
        <div className="panel empty-state" role="status">
          <h2>Not live</h2>
          <p className="muted">
            This deployment is {STATUS_LABELS[deployment.status].toLowerCase()}. Cameras send faces only while a deployment is live and inside its authorised
            window.
          </p>
        </div>
      )}
    </div>
  );
}
