import { isServiceRole } from '@/lib/auth/permissions';
import type { SessionUser } from '@/lib/auth/session-user';
import { HttpError } from '@/lib/http/errors';
import { processState } from '@/lib/process-state';
import { findApiKeyForCheck, serviceDeploymentIds } from './data';
import { bearerToken, parseApiKey, secretMatches } from './keys';
import { recordKeyRefusal, recordKeyUse, type KeyRefusalReason } from './mutations';

/**
 * Who a request or socket handshake is when it carries `Authorization: Bearer slk_…`: a service
 * account (docs/rules.md#service-accounts), checked against the stored hash of its key every time.
 */
export type ApiKeyPrincipal = { user: SessionUser; keyId: string; deploymentIds: string[]; expiresAt: Date };

const MESSAGES: Record<Exclude<KeyRefusalReason, 'out_of_scope'>, string> = {
  malformed: 'The API key is malformed: send the whole key as it was shown when it was made (slk_…), as "Authorization: Bearer <key>".',
  unknown: 'This API key is not known.',
  revoked: 'This API key has been revoked.',
  expired: 'This API key has expired; ask an admin to rotate it.',
};

async function refuse(
  reason: Exclude<KeyRefusalReason, 'out_of_scope'>,
  ip: string | null,
  keyId?: string,
  actor?: { id: string; email: string },
): Promise<never> {
  await recordKeyRefusal({ reason, keyId: keyId ?? null, actor: actor ?? null, ip });
  throw new HttpError(401, 'invalid_api_key', MESSAGES[reason]);
}

/**
 * The service account an Authorization header names, or null when the header carries no bearer
 * credential (the caller falls back to the session cookie). A malformed, unknown, revoked or
 * expired key throws 401 `invalid_api_key`, and the refusal is audited (rate-limited:
 * recordKeyRefusal); the first use of each key is audited too.
 */
export async function authenticateBearer(authorizationHeader: string | undefined | null, ip: string | null = null): Promise<ApiKeyPrincipal | null> {
  const text = bearerToken(authorizationHeader);
  if (text === undefined) return null;
  const parsed = parseApiKey(text);
  if (!parsed) return refuse('malformed', ip);
  const row = await findApiKeyForCheck(parsed.keyId);
  // A wrong secret is an unknown key: the answer never confirms that a key id exists.
  if (!row || !secretMatches(parsed.secret, row.secretHash)) return refuse('unknown', ip, row ? parsed.keyId : undefined);
  const { user } = row;
  const actor = { id: user.id, email: user.email };
  if (row.revokedAt || user.disabled || !isServiceRole(user.role)) return refuse('revoked', ip, row.id, actor);
  const now = new Date();
  if (row.expiresAt <= now) return refuse('expired', ip, row.id, actor);
  await recordKeyUse({ id: row.id, userId: user.id, email: user.email, firstUsedAt: row.firstUsedAt }, ip, now);
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    keyId: row.id,
    deploymentIds: user.serviceDeployments.map((link) => link.deploymentId),
    expiresAt: row.expiresAt,
  };
}

// A service account's deployments never change after it is made (only deleting a deployment
// removes one), so probes may read them from here for a few seconds instead of the database.
const SCOPE_TTL_MS = 10_000;
const scopes = processState('serviceAccountScopes', () => new Map<string, { ids: Set<string>; at: number }>());

async function scopeOf(userId: string): Promise<Set<string>> {
  const now = Date.now();
  const cached = scopes.get(userId);
  if (cached && now - cached.at < SCOPE_TTL_MS) return cached.ids;
  const ids = new Set(await serviceDeploymentIds(userId));
  if (scopes.size > 1000) for (const [id, entry] of scopes) if (now - entry.at >= SCOPE_TTL_MS) scopes.delete(id);
  scopes.set(userId, { ids, at: now });
  return ids;
}

/**
 * Whether `user` may act for this deployment: always for people (their role and the deployment's
 * visibility decide), and for a service account only for the deployments it was given. A refusal
 * is audited (rate-limited) as `api_key.refused` with reason `out_of_scope`.
 */
export async function serviceMayUseDeployment(
  user: Pick<SessionUser, 'id' | 'email' | 'role'>,
  deploymentId: string,
  ip: string | null = null,
): Promise<boolean> {
  if (!isServiceRole(user.role)) return true;
  if ((await scopeOf(user.id)).has(deploymentId)) return true;
  await recordKeyRefusal({ reason: 'out_of_scope', actor: { id: user.id, email: user.email }, deploymentId, ip });
  return false;
}
