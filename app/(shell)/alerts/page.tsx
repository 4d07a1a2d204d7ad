import type { Metadata } from 'next';
import { AlertQueue } from '@/components/alerts/alert-queue';
import { requirePagePermission } from '@/lib/auth/guards';
import { can } from '@/lib/auth/permissions';
import { listDeployments } from '@/lib/deployments/data';

export const metadata: Metadata = { title: 'Alerts' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * The alert queue of every live deployment the viewer may see. `?deployment=<id>` narrows it
 * to one of them (links from a deployment's page; the end-to-end tests use it too).
 */
export default async function AlertsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePagePermission('alert:read');
  const wanted = (await searchParams).deployment;
  const live = can(user.role, 'deployment:read') ? await listDeployments(user, { status: 'live' }) : [];
  const shown = typeof wanted === 'string' && wanted ? live.filter((d) => d.id === wanted) : live;
  const triage = can(user.role, 'alert:triage');
  return (
    <div className="page">
      <header className="page-header">
        <h1>Alerts</h1>
        <p className="muted">
          {shown.length === 0 ? 'No live deployment right now.' : `${shown.map((d) => d.name).join(', ')} — live.`}{' '}
          {triage
            ? 'Claim an alert, compare the two faces, then decide. The system only prompts: you decide.'
            : 'You see the queue and can release a claim; operators claim and decide.'}
        </p>
      </header>
      <AlertQueue
        deploymentIds={shown.map((d) => d.id)}
        thresholds={Object.fromEntries(shown.map((d) => [d.id, d.threshold]))}
        viewer={{ id: user.id, name: user.name, role: user.role }}
      />
    </div>
  );
}
