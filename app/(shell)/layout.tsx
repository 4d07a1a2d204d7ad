import Link from 'next/link';
import { ClusterNotice } from '@/components/shell/cluster-notice';
import { InsideMainLandmark } from '@/components/shell/landmark';
import { MapConfigProvider } from '@/components/map/map-config';
import { NavLinks } from '@/components/shell/nav-links';
import { navItemsFor } from '@/components/shell/nav-items';
import { RealtimeIndicator } from '@/components/shell/realtime-indicator';
import { UserMenu } from '@/components/shell/user-menu';
import { requirePageUser } from '@/lib/auth/guards';
import { mapTilesForBrowser } from '@/lib/map/tiles';
import { signOutAction } from './actions';

export default async function ShellLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  const items = navItemsFor(user.role).map(({ href, label }) => ({ href, label }));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand" aria-label="Sightline overview">
          <span className="brand-mark" aria-hidden="true" />
          Sightline
        </Link>
        <NavLinks items={items} />
        <div className="topbar-end">
          <RealtimeIndicator />
          <UserMenu name={user.name} email={user.email} role={user.role} signOut={signOutAction} />
        </div>
      </header>
      <ClusterNotice />
      <main id="main" className="content">
        <InsideMainLandmark>
          <MapConfigProvider tileLayer={await mapTilesForBrowser()}>{children}</MapConfigProvider>
        </InsideMainLandmark>
      </main>
    </div>
  );
}
