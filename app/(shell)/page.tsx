import Link from 'next/link';
import { CamerasNeedingAttention } from '@/components/live/cameras-needing-attention';
import { AttentionNow } from '@/components/overview/attention-now';
import { navItemsFor } from '@/components/shell/nav-items';
import { requirePageUser } from '@/lib/auth/guards';
import { can, ROLE_LABELS, type Role } from '@/lib/auth/permissions';
import { liveOverview } from '@/lib/live/lease-access';
import { readOverview } from '@/lib/overview/data';
import { hasOverview } from '@/lib/overview/scope';

const ROLE_DUTIES = {
  operator: 'You watch the live tiles of live deployments and triage alerts. Every decision is a human one and is recorded.',
  senior_officer: 'You plan deployments and authorise or reject plans written by other officers. You cannot authorise your own.',
  admin: 'You manage users and roles and curate watchlists within the lawful categories. You do not authorise or triage.',
  auditor: 'You read the audit trail, deployment records and reports. You see no biometric images and change nothing.',
  // (never shown: a camera agent has no session, only an API key)
  camera_agent: 'A camera agent sends faces from the cameras it is given; it has no pages.',
} as const satisfies Record<Role, string>;

export default async function OverviewPage() {
  const user = await requirePageUser();
  const sections = navItemsFor(user.role).filter((item) => item.href !== '/');
  // Who analyses each live camera, for those who watch or read deployments (lib/live/leases.ts).
  const watchesLive = can(user.role, 'live:view') || can(user.role, 'deployment:read');
  const live = watchesLive ? await liveOverview(user) : [];
  // What needs attention now, as this role may see it (lib/overview/scope.ts); kept current over the socket.
  const attention = hasOverview(user.role) ? await readOverview(user) : null;
  return (
    <div className="page">
      <header className="page-header">
        <p className="eyebrow">{ROLE_LABELS[user.role]}</p>
        <h1>Good to see you, {user.name.split(' ')[0]}</h1>
        <p className="muted lead">{ROLE_DUTIES[user.role]}</p>
      </header>
      {attention && <AttentionNow initial={attention} />}
      {watchesLive && <CamerasNeedingAttention initial={live} watches={can(user.role, 'live:view')} />}
      {sections.length > 0 ? (
        <ul className="card-grid" aria-label="Your sections">
          {sections.map((item) => (
            <li key={item.href}>
              <Link href={item.href} className="card panel">
                <h2>{item.label}</h2>
                <p className="muted">{item.description}</p>
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <div className="panel empty-state">
          <h2>No sections yet</h2>
          <p className="muted">Live tiles and the alert queue for your role arrive with the next releases.</p>
        </div>
      )}
    </div>
  );
}
