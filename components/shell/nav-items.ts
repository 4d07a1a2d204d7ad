import { can, type Permission, type Role } from '@/lib/auth/permissions';

/** Sections of the control room; each shows only for roles holding its permission. */
export type NavItem = { href: string; label: string; permission: Permission | null; description: string };

export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Overview', permission: null, description: 'What your role can do, at a glance.' },
  { href: '/live', label: 'Live', permission: 'live:view', description: 'Camera tiles of live deployments, with faces checked as they are seen.' },
  { href: '/deployments', label: 'Deployments', permission: 'deployment:read', description: 'Plans on the map, authorisation, live and past deployments.' },
  { href: '/alerts', label: 'Alerts', permission: 'alert:read', description: 'Possible matches from live deployments: claim, compare, decide.' },
  {
    href: '/records',
    label: 'Records',
    permission: 'report:read',
    description: 'What each deployment did, side by side: faces processed, alerts, decisions and outcomes, with charts.',
  },
  { href: '/watchlists', label: 'Watchlists', permission: 'watchlist:read', description: 'Who may be looked for, within the lawful categories.' },
  {
    href: '/recognition',
    label: 'Recognition',
    permission: 'recognition:read',
    description: 'The recognisers, how accurate they were measured to be, and the force’s false-alert target.',
  },
  { href: '/audit', label: 'Audit trail', permission: 'audit:read', description: 'Every recorded action, hash-chained and verifiable.' },
  { href: '/admin/users', label: 'Users', permission: 'user:manage', description: 'Accounts, roles and access.' },
  {
    href: '/admin/service-accounts',
    label: 'Service accounts',
    permission: 'user:manage',
    description: 'API keys for camera agents: programs that analyse a deployment’s cameras without a browser.',
  },
];

export function navItemsFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => item.permission === null || can(role, item.permission));
}
