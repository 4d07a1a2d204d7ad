import type { Metadata } from 'next';
import Link from 'next/link';
import { forbidden, notFound } from 'next/navigation';
import { DeploymentWorkspace } from '@/components/deployments/deployment-workspace';
import { HistoryList } from '@/components/deployments/history-list';
import { formatLondon, formatWindow } from '@/components/deployments/london-time';
import { StatusBadge } from '@/components/deployments/status-badge';
import styles from '@/components/deployments/deployments.module.css';
import type { WatchlistOption } from '@/components/deployments/types';
import { requirePagePermission } from '@/lib/auth/guards';
import { can } from '@/lib/auth/permissions';
import { getDeploymentForViewer, seesUnauthorisedPlans, type DeploymentView, type Viewer } from '@/lib/deployments/data';
import { HttpError } from '@/lib/http/errors';
import { serviceAccountsOfDeployment, type DeploymentAgentView } from '@/lib/service-accounts/data';
import { listWatchlists } from '@/lib/watchlists/data';

export const metadata: Metadata = { title: 'Deployment' };

async function loadView(viewer: Viewer, id: string): Promise<DeploymentView> {
  try {
    return await getDeploymentForViewer(viewer, id);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) notFound();
    if (error instanceof HttpError && error.status === 403) forbidden();
    throw error;
  }
}

/** The name of whoever did the latest `action` in the history (e.g. who rejected the plan). */
function lastActor(view: DeploymentView, action: string): string | null {
  const item = [...(view.history ?? [])].reverse().find((h) => h.action === action);
  return item?.actor ? (item.actor.name ?? item.actor.email) : null;
}

const REASON_TITLES: Partial<Record<DeploymentView['status'], string>> = {
  suspended: 'Suspended',
  cancelled: 'Cancelled',
  ended: 'Ended',
  draft: 'Back in draft',
};

export default async function DeploymentPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePagePermission('deployment:read');
  const { id } = await params;
  const view = await loadView(user, id);
  // Names and counts only (senior officers hold watchlist:read); others see how many are used.
  const watchlists: WatchlistOption[] | null = can(user.role, 'watchlist:read')
    ? (await listWatchlists()).map((w) => ({ id: w.id, name: w.name, entryCount: w.entryCount, byCategory: w.byCategory }))
    : null;
  const viewer = {
    id: user.id,
    plans: can(user.role, 'deployment:plan'),
    decides: can(user.role, 'deployment:authorise'),
    seesPlans: seesUnauthorisedPlans(user.role),
  };
  // Those who read the plan's history (senior officers, auditors) see every camera agent attached to it.
  const agents = view.history ? await serviceAccountsOfDeployment(view.id) : null;
  const rejectedBy = view.rejection ? lastActor(view, 'deployment.rejected') : null;
  const reasonTitle = REASON_TITLES[view.status];

  const header = (
    <header className={`page-header ${styles.detailHeader}`}>
      <p className="eyebrow">
        <Link href="/deployments">Deployments</Link>
      </p>
      <div className={styles.titleRow}>
        <h1>{view.name}</h1>
        <StatusBadge status={view.status} large testId="deployment-status" />
        {view.status === 'live' && can(user.role, 'live:view') ? (
          <Link className="button primary" href={`/live/${view.id}`}>
            Open live tiles
          </Link>
        ) : null}
        {view.wentLiveAt && can(user.role, 'report:read') ? (
          <Link className="button" href={`/deployments/${view.id}/record`}>
            Deployment record
          </Link>
        ) : null}
      </div>
      <dl className={styles.facts}>
        <div>
          <dt>Window</dt>
          <dd>{formatWindow(view.startsAt, view.endsAt)}</dd>
        </div>
        <div>
          <dt>Planned by</dt>
          <dd>{view.planner.name}</dd>
        </div>
        {view.submittedAt && view.status === 'submitted' ? (
          <div>
            <dt>Submitted</dt>
            <dd>{formatLondon(view.submittedAt)}</dd>
          </div>
        ) : null}
        {view.authoriser ? (
          <div>
            <dt>Authorised by</dt>
            <dd>
              {view.authoriser.name}
              {view.decidedAt ? <span className="muted">, {formatLondon(view.decidedAt)}</span> : null}
            </dd>
          </div>
        ) : null}
        {view.wentLiveAt ? (
          <div>
            <dt>Went live</dt>
            <dd>{formatLondon(view.wentLiveAt)}</dd>
          </div>
        ) : null}
        {view.endedAt ? (
          <div>
            <dt>{view.status === 'cancelled' ? 'Stopped' : 'Ended'}</dt>
            <dd>{formatLondon(view.endedAt)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Cameras</dt>
          <dd>{view.cameras.length}</dd>
        </div>
      </dl>
    </header>
  );

  const banners = (
    <>
      {view.rejection ? (
        <section className={`${styles.banner} ${styles.bannerDanger}`} aria-labelledby="rejection-heading" data-testid="rejection">
          <div>
            <h2 id="rejection-heading" className={styles.bannerTitle}>
              Rejected{rejectedBy ? ` by ${rejectedBy}` : ''}, {formatLondon(view.rejection.at)}
            </h2>
            <p className={styles.prose}>{view.rejection.reason}</p>
            {viewer.plans ? <p className="small">Put the plan right below, then submit it again.</p> : null}
          </div>
        </section>
      ) : null}
      {view.statusReason && reasonTitle ? (
        <section
          className={`${styles.banner} ${view.status === 'draft' || view.status === 'suspended' ? styles.bannerWarn : styles.bannerInfo}`}
          data-testid="status-reason"
        >
          <div>
            <h2 className={styles.bannerTitle}>{reasonTitle}</h2>
            <p className={styles.prose}>{view.statusReason}</p>
          </div>
        </section>
      ) : null}
      {view.status === 'authorised' && view.decisionNotes ? (
        <section className={`${styles.banner} ${styles.bannerOk}`} data-testid="authorisation-notes">
          <div>
            <h2 className={styles.bannerTitle}>Authoriser’s notes</h2>
            <p className={styles.prose}>{view.decisionNotes}</p>
          </div>
        </section>
      ) : null}
    </>
  );

  return (
    <div className="page" data-testid="deployment-page" data-deployment-id={view.id} data-status={view.status}>
      <DeploymentWorkspace header={header} banners={banners} view={view} watchlists={watchlists} viewer={viewer} />
      {agents ? <CameraAgents agents={agents} /> : null}
      {view.history ? <HistoryList history={view.history} /> : null}
    </div>
  );
}

const AGENT_STATES: Record<DeploymentAgentView['state'], string> = { active: 'Key in use', expired: 'Key expired', revoked: 'Revoked' };

/** The camera agents (service accounts) given this deployment: who made each, and whether its key still works. */
function CameraAgents({ agents }: { agents: DeploymentAgentView[] }) {
  return (
    <section className="panel" aria-labelledby="agents-heading" data-testid="deployment-agents">
      <h2 id="agents-heading">Camera agents</h2>
      {agents.length === 0 ? (
        <p className="muted small">No camera agent has been given this deployment: its cameras are analysed only by camera walls.</p>
      ) : (
        <>
          <p className="small muted">Programs an admin gave this deployment: each may analyse its cameras and send their faces, and nothing else.</p>
          <ul>
            {agents.map((agent) => (
              <li key={agent.id} data-name={agent.name}>
                {agent.name}{' '}
                <span className="muted small">
                  · made by {agent.createdBy ?? 'a set-up script'}, {formatLondon(agent.createdAt)} · {AGENT_STATES[agent.state]}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
