import { SERVICE_ROLES } from '@/lib/auth/permissions';
import { getDb } from '@/lib/db/client';

/** One key as admins see it: never its secret or hash. */
export type ApiKeyView = {
  id: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  firstUsedAt: string | null;
  lastUsedAt: string | null;
  createdBy: { id: string; name: string } | null;
};

export type ServiceAccountState = 'active' | 'expired' | 'revoked';

export type ServiceAccountView = {
  id: string;
  name: string;
  /** A made-up address (the User table needs one); nobody can sign in with it. */
  email: string;
  state: ServiceAccountState;
  createdAt: string;
  createdBy: { id: string; name: string } | null;
  deployments: { id: string; name: string; status: string }[];
  /** The key in use (the newest not revoked), or null once revoked. */
  currentKey: ApiKeyView | null;
  /** Every key it has had, newest first. */
  keys: ApiKeyView[];
};

const iso = (date: Date | null) => (date ? date.toISOString() : null);

const accountFields = {
  id: true,
  name: true,
  email: true,
  disabled: true,
  createdAt: true,
  createdBy: { select: { id: true, name: true } },
  serviceDeployments: { select: { deployment: { select: { id: true, name: true, status: true } } }, orderBy: { createdAt: 'asc' } },
  apiKeys: {
    select: {
      id: true,
      createdAt: true,
      expiresAt: true,
      revokedAt: true,
      firstUsedAt: true,
      lastUsedAt: true,
      createdBy: { select: { id: true, name: true } },
    },
    orderBy: { createdAt: 'desc' },
  },
} as const;

type AccountRow = Awaited<ReturnType<typeof readAccounts>>[number];

function readAccounts(where: { id?: string } = {}) {
  return getDb().user.findMany({
    where: { ...where, role: { in: [...SERVICE_ROLES] } },
    select: accountFields,
    orderBy: [{ disabled: 'asc' }, { createdAt: 'desc' }],
  });
}

function toView(row: AccountRow, now: Date): ServiceAccountView {
  const keys: ApiKeyView[] = row.apiKeys.map((key) => ({
    id: key.id,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt.toISOString(),
    revokedAt: iso(key.revokedAt),
    firstUsedAt: iso(key.firstUsedAt),
    lastUsedAt: iso(key.lastUsedAt),
    createdBy: key.createdBy,
  }));
  const currentKey = row.disabled ? null : (keys.find((key) => key.revokedAt === null) ?? null);
  const state: ServiceAccountState = row.disabled || !currentKey ? 'revoked' : new Date(currentKey.expiresAt) <= now ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    state,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    deployments: row.serviceDeployments.map((link) => link.deployment),
    currentKey,
    keys,
  };
}

/** Every service account, for admins (caller checks 'user:manage'): active ones first. */
export async function listServiceAccounts(now = new Date()): Promise<ServiceAccountView[]> {
  return (await readAccounts()).map((row) => toView(row, now));
}

export async function getServiceAccount(id: string, now = new Date()): Promise<ServiceAccountView | null> {
  const [row] = await readAccounts({ id });
  return row ? toView(row, now) : null;
}

/** A key with what checking it needs: its hash, its account, and the account's deployments. */
export async function findApiKeyForCheck(keyId: string) {
  return getDb().apiKey.findUnique({
    where: { id: keyId },
    select: {
      id: true,
      secretHash: true,
      expiresAt: true,
      revokedAt: true,
      firstUsedAt: true,
      user: { select: { id: true, email: true, name: true, role: true, disabled: true, serviceDeployments: { select: { deploymentId: true } } } },
    },
  });
}

/** The deployments a service account may act for. */
export async function serviceDeploymentIds(userId: string): Promise<string[]> {
  const rows = await getDb().serviceAccountDeployment.findMany({ where: { userId }, select: { deploymentId: true } });
  return rows.map((row) => row.deploymentId);
}

/**
 * The deployments a service account may be given: planned and authorised, or live (a camera agent
 * analyses a live deployment; an authorised one goes live with its agent ready). Not drafts or
 * submitted plans nobody has authorised, nor suspended, ended or cancelled ones.
 */
export const SCOPABLE_STATUSES = ['authorised', 'live'] as const;

/** Deployments to offer in the create form: name and window only (admins do not read deployments). */
export async function deploymentsToScope(): Promise<{ id: string; name: string; startsAt: Date | null; endsAt: Date | null }[]> {
  return getDb().deployment.findMany({
    where: { status: { in: [...SCOPABLE_STATUSES] } },
    select: { id: true, name: true, startsAt: true, endsAt: true },
    orderBy: [{ startsAt: 'asc' }, { createdAt: 'desc' }],
    take: 200,
  });
}

/** A camera agent given a deployment, as the deployment's page lists it. */
export type DeploymentAgentView = { id: string; name: string; createdBy: string | null; createdAt: string; state: ServiceAccountState };

/**
 * The service accounts given a deployment, so those who authorised the plan see every agent
 * attached to it. For viewers who read the deployment's history (the caller checks).
 */
export async function serviceAccountsOfDeployment(deploymentId: string, now = new Date()): Promise<DeploymentAgentView[]> {
  const rows = await getDb().user.findMany({
    where: { role: { in: [...SERVICE_ROLES] }, serviceDeployments: { some: { deploymentId } } },
    select: accountFields,
    orderBy: [{ disabled: 'asc' }, { createdAt: 'asc' }],
  });
  return rows.map((row) => {
    const view = toView(row, now);
    return { id: view.id, name: view.name, createdBy: view.createdBy?.name ?? null, createdAt: view.createdAt, state: view.state };
  });
}

/** Of these API keys, those still usable: not revoked, not expired, their account not disabled (the sockets' periodic re-check). */
export async function findUsableApiKeyIds(keyIds: readonly string[], now = new Date()): Promise<Set<string>> {
  if (keyIds.length === 0) return new Set();
  const rows = await getDb().apiKey.findMany({
    where: { id: { in: [...keyIds] }, revokedAt: null, expiresAt: { gt: now }, user: { disabled: false } },
    select: { id: true },
  });
  return new Set(rows.map((row) => row.id));
}
