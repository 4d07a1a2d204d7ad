/**
 * The one permission table (docs/rules.md#roles).
 * Pages, route handlers, server actions and the socket middleware all ask `can()`;
 * hiding a button in the UI is a courtesy, never the check.
 */
/** The roles a person may hold: the only ones the user admin offers or accepts. */
export const HUMAN_ROLES = ['operator', 'senior_officer', 'admin', 'auditor'] as const;
export type HumanRole = (typeof HUMAN_ROLES)[number];

/**
 * Roles of programs, never of people (lib/service-accounts): a camera agent signs in with an API
 * key, never a password, and is managed on the service accounts page, not the users page.
 */
export const SERVICE_ROLES = ['camera_agent'] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

export const ROLES = [...HUMAN_ROLES, ...SERVICE_ROLES] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  operator: 'Operator',
  senior_officer: 'Senior officer',
  admin: 'Admin',
  auditor: 'Auditor',
  camera_agent: 'Camera agent',
};

export const PERMISSIONS = [
  'audit:read',
  'user:manage',
  'watchlist:read',
  'watchlist:manage',
  'reference-image:view',
  'deployment:read',
  'deployment:plan',
  'deployment:authorise',
  'deployment:suspend',
  'live:view',
  'probe:submit',
  'alert:read',
  'alert:triage',
  'alert:release-any',
  'alert:retain',
  'report:read',
  'recognition:read',
  'recognition:manage',
  // hold camera leases as an unattended analyser (a camera agent), for everyone watching the deployment
  'camera:lease',
  // installation settings that are not about recognition (the force's name on published records)
  'settings:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const TABLE: Record<Role, readonly Permission[]> = {
  // Watches live tiles, triages alerts; never edits watchlists or authorises.
  operator: ['deployment:read', 'live:view', 'probe:submit', 'camera:lease', 'alert:read', 'alert:triage', 'alert:retain'],
  // Plans and authorises (two-person rule is enforced per deployment, not here), reads reports.
  senior_officer: [
    'watchlist:read',
    'deployment:read',
    'deployment:plan',
    'deployment:authorise',
    'deployment:suspend',
    'live:view',
    'probe:submit',
    'camera:lease',
    'alert:read',
    'alert:release-any',
    'alert:retain',
    'report:read',
    'recognition:read',
  ],
  // Curates users and watchlists, and the recognisers' calibrations and accuracy target (never
  // the faces of a calibration set: they are not kept); never authorises deployments or triages.
  admin: [
    'audit:read',
    'user:manage',
    'watchlist:read',
    'watchlist:manage',
    'reference-image:view',
    'recognition:read',
    'recognition:manage',
    'settings:manage',
  ],
  // Reads the record; never sees biometric images, never changes anything.
  auditor: ['audit:read', 'deployment:read', 'report:read', 'recognition:read'],
  // A program that analyses cameras: sends faces and holds camera leases, only for the deployments
  // its service account is given (lib/service-accounts/auth.ts); reads nothing back, not even alerts.
  camera_agent: ['probe:submit', 'camera:lease'],
};

const GRANTS: ReadonlyMap<Role, ReadonlySet<Permission>> = new Map(ROLES.map((role) => [role, new Set(TABLE[role])]));

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isHumanRole(value: unknown): value is HumanRole {
  return typeof value === 'string' && (HUMAN_ROLES as readonly string[]).includes(value);
}

export function isServiceRole(value: unknown): value is ServiceRole {
  return typeof value === 'string' && (SERVICE_ROLES as readonly string[]).includes(value);
}

/** Whether a role holds a permission. Unknown roles hold nothing. */
export function can(role: Role | null | undefined, permission: Permission): boolean {
  if (!role) return false;
  return GRANTS.get(role)?.has(permission) ?? false;
}

export function permissionsOf(role: Role): readonly Permission[] {
  return TABLE[role];
}
