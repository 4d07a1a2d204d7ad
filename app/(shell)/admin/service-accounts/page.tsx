import type { Metadata } from 'next';
import { CreateServiceAccountForm } from '@/components/service-accounts/create-service-account-form';
import { ServiceAccountRowControls } from '@/components/service-accounts/service-account-row-controls';
import { formatLondon, formatWindow } from '@/components/deployments/london-time';
import { requirePagePermission } from '@/lib/auth/guards';
import { deploymentsToScope, listServiceAccounts, type ServiceAccountState } from '@/lib/service-accounts/data';

export const metadata: Metadata = { title: 'Service accounts' };

const when = (iso: string | null, never = 'Never') => (iso ? formatLondon(iso) : never);

const STATE: Record<ServiceAccountState, { label: string; className: string }> = {
  active: { label: 'Active', className: 'ok-text' },
  expired: { label: 'Key expired', className: 'warn-text' },
  revoked: { label: 'Revoked', className: 'danger-text' },
};

export default async function ServiceAccountsPage() {
  await requirePagePermission('user:manage');
  const [accounts, scopable] = await Promise.all([listServiceAccounts(), deploymentsToScope()]);
  const deployments = scopable.map((d) => ({
    id: d.id,
    name: d.name,
    window: formatWindow(d.startsAt?.toISOString() ?? null, d.endsAt?.toISOString() ?? null),
  }));
  return (
    <div className="page">
      <header className="page-header">
        <h1>Service accounts</h1>
        <p className="muted lead">
          A camera agent is a program, not a person: it analyses the cameras of the deployments you give it and sends the faces it sees, and may do nothing else
          — it cannot read alerts, deployments or anything else. It signs in with an API key, which is shown once when it is made and stored only as a
          fingerprint. Keys expire; rotating a key stops the old one at once, and revoking an account stops it for good. Every change, each key&apos;s first use
          and every refused key are recorded in the audit trail.
        </p>
      </header>
      {accounts.length === 0 ? (
        <div className="panel empty-state" data-testid="service-accounts-empty">
          <h2>No camera agents yet</h2>
          <p className="muted">Add one below to analyse a deployment&apos;s cameras without a browser open, then give its key to the agent.</p>
        </div>
      ) : (
        <div className="table-wrap panel">
          <table className="table" data-testid="service-accounts-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Deployments</th>
                <th scope="col">Key made</th>
                <th scope="col">Key expires</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((account) => {
                const key = account.currentKey ?? account.keys[0] ?? null;
                return (
                  <tr key={account.id} data-name={account.name}>
                    <td>
                      {account.name}
                      <br />
                      <span className="small muted">by {account.createdBy?.name ?? 'a set-up script'}</span>
                    </td>
                    <td className="small">{account.deployments.map((d) => d.name).join(', ') || <span className="muted">None left</span>}</td>
                    <td className="small">{when(key?.createdAt ?? null, '—')}</td>
                    <td className="small">{when(key?.expiresAt ?? null, '—')}</td>
                    <td className="small">{when(key?.lastUsedAt ?? null)}</td>
                    <td data-testid="service-account-state">
                      <span className={STATE[account.state].className}>{STATE[account.state].label}</span>
                    </td>
                    <td>
                      <ServiceAccountRowControls id={account.id} name={account.name} revoked={account.state === 'revoked'} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <CreateServiceAccountForm deployments={deployments} />
    </div>
  );
}
