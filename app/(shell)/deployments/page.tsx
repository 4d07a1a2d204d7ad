import type { Metadata } from 'next';
import Link from 'next/link';
import { DeploymentsOverview } from '@/components/deployments/deployments-overview';
import { londonDay } from '@/components/deployments/london-time';
import { NewDeploymentButton } from '@/components/deployments/new-deployment-button';
import styles from '@/components/deployments/deployments.module.css';
import { statusStyle } from '@/components/map';
import { requirePagePermission } from '@/lib/auth/guards';
import { can } from '@/lib/auth/permissions';
import { listDeployments, seesUnauthorisedPlans } from '@/lib/deployments/data';
import { DEPLOYMENT_STATUSES, isDeploymentStatus, type DeploymentStatus } from '@/lib/deployments/state-machine';

export const metadata: Metadata = { title: 'Deployments' };

/** What operators may see: plans that have been authorised (lib/deployments/data.ts decides; this only picks the filters). */
const OPERATIONAL: DeploymentStatus[] = ['authorised', 'live', 'suspended', 'ended', 'cancelled'];

type Search = Record<string, string | string[] | undefined>;

export default async function DeploymentsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requirePagePermission('deployment:read');
  const requested = (await searchParams).status;
  const status = isDeploymentStatus(requested) ? requested : undefined;
  const plans = can(user.role, 'deployment:plan');
  const filters = seesUnauthorisedPlans(user.role) ? [...DEPLOYMENT_STATUSES] : OPERATIONAL;

  const all = await listDeployments(user);
  const shown = status ? all.filter((d) => d.status === status) : all;
  const count = (s: DeploymentStatus) => all.filter((d) => d.status === s).length;

  return (
    <div className="page">
      <header className={`page-header ${styles.listHeader}`}>
        <div>
          <h1>Deployments</h1>
          <p className="muted lead">
            {plans
              ? 'Plans on the map, coloured by status. A plan goes live only after another senior officer has authorised it.'
              : seesUnauthorisedPlans(user.role)
                ? 'Every deployment and plan, with its record. Read-only.'
                : 'Deployments that have been authorised: coming up, live and past.'}
          </p>
        </div>
        {plans ? <NewDeploymentButton /> : null}
      </header>

      {all.length > 0 ? (
        <nav className={styles.filters} aria-label="Filter by status">
          <Link href="/deployments" className={styles.filter} aria-current={status ? undefined : 'page'}>
            All <span className={styles.filterCount}>{all.length}</span>
          </Link>
          {filters.map((s) => (
            <Link
              key={s}
              href={`/deployments?status=${s}`}
              className={styles.filter}
              aria-current={status === s ? 'page' : undefined}
              style={{ ['--status-colour' as string]: statusStyle(s).colour }}
            >
              <span className={styles.filterDot} aria-hidden="true" />
              {statusStyle(s).label} <span className={styles.filterCount}>{count(s)}</span>
            </Link>
          ))}
        </nav>
      ) : null}

      {all.length === 0 ? (
        <div className="panel empty-state" data-testid="deployments-empty">
          <h2>No deployments yet</h2>
          <p className="muted">
            {plans
              ? 'Start a plan with New deployment: draw its zone, place its cameras and write its justification.'
              : seesUnauthorisedPlans(user.role)
                ? 'Plans appear here as soon as a senior officer starts one.'
                : 'Deployments appear here once a senior officer’s plan has been authorised.'}
          </p>
        </div>
      ) : shown.length === 0 ? (
        <div className="panel empty-state" data-testid="deployments-empty">
          <h2>No deployment is {statusStyle(status ?? '').label.toLowerCase()}</h2>
          <p className="muted">
            <Link href="/deployments">Show all deployments</Link>
          </p>
        </div>
      ) : (
        <DeploymentsOverview deployments={shown} today={londonDay(new Date().toISOString())} />
      )}
    </div>
  );
}
