import { randomBytes } from 'node:crypto';
import { auditedTransaction, recordAuditEvent } from '@/lib/audit/mutations';
import { can } from '@/lib/auth/permissions';
import { announce } from '@/lib/cluster/bus';
import { loadSessionUser, type SessionUser } from '@/lib/auth/session-user';
import { getDb, type Tx } from '@/lib/db/client';
import { STATUS_LABELS, type DeploymentStatus } from '@/lib/deployments/state-machine';
import { conflict, forbidden, HttpError, notFound } from '@/lib/http/errors';
import { parseInput } from '@/lib/http/route';
import { processState } from '@/lib/process-state';
import { disconnectApiKeySockets } from '@/lib/realtime/publish';
import { getServiceAccount, SCOPABLE_STATUSES, type ServiceAccountView } from './data';
import { generateApiKey } from './keys';
import { takeRefusalRecord, type RefusalSummary } from './refusal-limit';
import { CreateServiceAccountSchema, type CreateServiceAccountInput, type RotateKeyInput } from './schema';

type Context = { actor: SessionUser; ip: string | null };

/** A new key as its creator sees it, once: the text is never stored nor shown again. */
export type IssuedKey = { id: string; text: string; expiresAt: string };

const DAY_MS = 86_400_000;

/**
 * Stored as the account's password hash: no argon2 hash, so no password ever matches it (and the
 * sign-in check refuses service accounts before that, lib/auth/sign-in.ts).
 */
const NO_PASSWORD = '!service-account: signs in with an API key only';

async function issueKey(tx: Tx, userId: string, createdById: string, expiresInDays: number, now: Date): Promise<IssuedKey> {
  const key = generateApiKey();
  const expiresAt = new Date(now.getTime() + expiresInDays * DAY_MS);
  await tx.apiKey.create({ data: { id: key.keyId, userId, secretHash: key.secretHash, createdAt: now, expiresAt, createdById } });
  return { id: key.keyId, text: key.text, expiresAt: expiresAt.toISOString() };
}

/** Revokes every live key of the account inside the caller's transaction; returns their ids. */
async function revokeKeys(tx: Tx, userId: string, now: Date): Promise<string[]> {
  const live = await tx.apiKey.findMany({ where: { userId, revokedAt: null }, select: { id: true } });
  const ids = live.map((key) => key.id);
  if (ids.length) await tx.apiKey.updateMany({ where: { id: { in: ids }, revokedAt: null }, data: { revokedAt: now } });
  return ids;
}

/** A service account's made-up address: the User table needs a unique one, and `.invalid` can never receive mail. */
function serviceEmail(name: string): string {
  const slug =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'agent';
  return `${slug}-${randomBytes(4).toString('hex')}@service-accounts.sightline.invalid`;
}

/**
 * Creates a service account (role camera_agent) for the given deployments, with its first key.
 * Caller holds 'user:manage'. The key text is in the answer and nowhere else.
 */
export async function createServiceAccount({ actor, ip }: Context, input: CreateServiceAccountInput): Promise<{ account: ServiceAccountView; key: IssuedKey }> {
  const now = new Date();
  const { id, key } = await auditedTransaction(async (tx, audit) => {
    const found = await tx.deployment.findMany({ where: { id: { in: input.deploymentIds } }, select: { id: true, name: true, status: true } });
    const missing = input.deploymentIds.filter((wanted) => !found.some((d) => d.id === wanted));
    if (missing.length) throw new HttpError(422, 'unknown_deployment', `No such deployment: ${missing.join(', ')}.`, { deploymentIds: missing });
    // Only a plan a senior officer has authorised (or one live now) may get an agent.
    const unscopable = found.filter((d) => !(SCOPABLE_STATUSES as readonly string[]).includes(d.status));
    if (unscopable.length) {
      throw new HttpError(
        422,
        'deployment_not_authorised',
        `A camera agent may be given only deployments that are authorised or live: ${unscopable.map((d) => `“${d.name}” is ${STATUS_LABELS[d.status as DeploymentStatus] ?? d.status}`).join('; ')}.`,
        { deploymentIds: unscopable.map((d) => d.id) },
      );
    }
    const user = await tx.user.create({
      data: {
        email: serviceEmail(input.name),
        name: input.name,
        role: 'camera_agent',
        passwordHash: NO_PASSWORD,
        mustChangePassword: false,
        createdById: actor.id,
        serviceDeployments: { create: input.deploymentIds.map((deploymentId) => ({ deploymentId })) },
      },
      select: { id: true, email: true },
    });
    const key = await issueKey(tx, user.id, actor.id, input.expiresInDays, now);
    await audit({
      action: 'service_account.created',
      actorId: actor.id,
      subjectType: 'user',
      subjectId: user.id,
      details: { name: input.name, email: user.email, role: 'camera_agent', deploymentIds: input.deploymentIds, keyId: key.id, expiresAt: key.expiresAt },
      ip,
    });
    // In each deployment's own history too, for those who authorised it.
    for (const deploymentId of input.deploymentIds) {
      await audit({
        action: 'deployment.service_account_given',
        actorId: actor.id,
        subjectType: 'deployment',
        subjectId: deploymentId,
        details: { serviceAccountId: user.id, name: input.name },
        ip,
      });
    }
    return { id: user.id, key };
  });
  return { account: (await getServiceAccount(id))!, key };
}

async function liveServiceAccount(tx: Tx, id: string) {
  const account = await tx.user.findUnique({ where: { id }, select: { id: true, name: true, email: true, role: true, disabled: true } });
  if (!account || account.role !== 'camera_agent') throw notFound('No such service account.');
  return account;
}

/**
 * A new key for a service account; its old keys stop working at once (their open sockets are
 * closed). Caller holds 'user:manage'. A revoked account gets no new key: make a new account.
 */
export async function rotateServiceAccountKey(
  { actor, ip }: Context,
  id: string,
  input: RotateKeyInput,
): Promise<{ account: ServiceAccountView; key: IssuedKey }> {
  const now = new Date();
  const { key, revoked } = await auditedTransaction(async (tx, audit) => {
    const account = await liveServiceAccount(tx, id);
    if (account.disabled) throw conflict('This service account has been revoked; create a new one instead of giving it a key.');
    const revoked = await revokeKeys(tx, id, now);
    const key = await issueKey(tx, id, actor.id, input.expiresInDays, now);
    await audit({
      action: 'service_account.key_rotated',
      actorId: actor.id,
      subjectType: 'user',
      subjectId: id,
      details: { name: account.name, email: account.email, keyId: key.id, expiresAt: key.expiresAt, revokedKeyIds: revoked },
      ip,
    });
    return { key, revoked };
  });
  // Persist first, then act on live connections and what every instance remembers of the old keys.
  announce('api-keys:ended', { keyIds: revoked, userIds: [] });
  disconnectApiKeySockets(revoked, 'This API key was replaced by a new one.');
  return { account: (await getServiceAccount(id))!, key };
}

/**
 * Revokes a service account: every key stops working and its sockets are closed at once, and the
 * account is disabled for good (it keeps its name in the audit trail). Caller holds 'user:manage'.
 */
export async function revokeServiceAccount({ actor, ip }: Context, id: string): Promise<ServiceAccountView> {
  const now = new Date();
  const revoked = await auditedTransaction(async (tx, audit) => {
    const account = await liveServiceAccount(tx, id);
    if (account.disabled) throw conflict('This service account has already been revoked.');
    await tx.user.update({ where: { id }, data: { disabled: true } });
    const revoked = await revokeKeys(tx, id, now);
    await audit({
      action: 'service_account.revoked',
      actorId: actor.id,
      subjectType: 'user',
      subjectId: id,
      details: { name: account.name, email: account.email, revokedKeyIds: revoked },
      ip,
    });
    return revoked;
  });
  announce('api-keys:ended', { keyIds: revoked, userIds: [id] });
  disconnectApiKeySockets(revoked, 'This API key has been revoked.');
  return (await getServiceAccount(id))!;
}

/**
 * For set-up scripts (the demo): creates a service account and its key acting as the admin
 * `actingAdminId` (who must hold 'user:manage'), audited as if they had used the admin page.
 * Returns the key text: the caller hands it to the agent (never on a command line).
 */
export async function createServiceAccountAs(actingAdminId: string, input: { name: string; deploymentIds: string[]; expiresInDays?: number }): Promise<string> {
  const actor = await loadSessionUser(actingAdminId);
  if (!actor) throw notFound('No such user to act as.');
  if (!can(actor.role, 'user:manage')) throw forbidden(`Your role (${actor.role}) does not allow user:manage.`);
  const { key } = await createServiceAccount({ actor, ip: null }, parseInput(CreateServiceAccountSchema, input));
  return key.text;
}

// ─── use and refusals (lib/service-accounts/auth.ts) ─────────────────────────────────────────

/** lastUsedAt is written at most this often per key: a probe stream must not become a write stream. */
const LAST_USED_EVERY_MS = 60_000;
const lastUseWrites = processState('apiKeyLastUseWrites', () => new Map<string, number>());

/**
 * Records that a key was accepted: its first use is audited once (`api_key.first_used`, exactly
 * once: the row is claimed by the update), later uses only move lastUsedAt, at most once a minute.
 */
export async function recordKeyUse(
  key: { id: string; userId: string; email: string; firstUsedAt: Date | null },
  ip: string | null,
  now = new Date(),
): Promise<void> {
  if (key.firstUsedAt === null) {
    await auditedTransaction(async (tx, audit) => {
      const { count } = await tx.apiKey.updateMany({ where: { id: key.id, firstUsedAt: null }, data: { firstUsedAt: now, lastUsedAt: now } });
      if (count === 1) {
        await audit({ action: 'api_key.first_used', actorId: key.userId, actorEmail: key.email, subjectType: 'api_key', subjectId: key.id, ip });
      }
    });
    lastUseWrites.set(key.id, now.getTime());
    return;
  }
  const last = lastUseWrites.get(key.id) ?? 0;
  if (now.getTime() - last < LAST_USED_EVERY_MS) return;
  lastUseWrites.set(key.id, now.getTime());
  if (lastUseWrites.size > 10_000) {
    for (const [id, at] of lastUseWrites) if (now.getTime() - at >= LAST_USED_EVERY_MS) lastUseWrites.delete(id);
  }
  await getDb().apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
}

export type KeyRefusalReason = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'out_of_scope';

/**
 * Audits one refusal of a key (or of a service account outside its deployments), within the limits
 * of lib/service-accounts/refusal-limit.ts. Senders are counted by what they cannot multiply: an
 * account (whatever deployments it names), a real key and address, or, for a made-up key, the
 * reason and address (a made-up key id is the sender's choice).
 */
export async function recordKeyRefusal(refusal: {
  reason: KeyRefusalReason;
  keyId?: string | null;
  actor?: { id: string; email: string } | null;
  deploymentId?: string;
  ip: string | null;
}): Promise<void> {
  const address = refusal.ip ?? '-';
  const { subject, budget } =
    refusal.reason === 'out_of_scope'
      ? { subject: `scope:${refusal.actor?.id}`, budget: 'key' as const }
      : refusal.reason === 'revoked' || refusal.reason === 'expired'
        ? { subject: `key:${refusal.keyId}|${address}`, budget: 'key' as const }
        : { subject: `${refusal.reason}|${address}`, budget: 'junk' as const };
  const decision = takeRefusalRecord({ subject, budget, sample: refusal.deploymentId });
  if (decision.summary) await recordRefusalSummary(decision.summary);
  if (!decision.record) return;
  const { unrecordedBefore, samples } = decision;
  console.warn(`[api-key] refused (${refusal.reason}) key=${refusal.keyId ?? '-'} ip=${address} unrecordedBefore=${unrecordedBefore}`);
  await recordAuditEvent({
    action: 'api_key.refused',
    actorId: refusal.actor?.id ?? null,
    actorEmail: refusal.actor?.email ?? null,
    subjectType: refusal.keyId ? 'api_key' : null,
    subjectId: refusal.keyId ?? null,
    details: {
      reason: refusal.reason,
      ...(refusal.deploymentId ? { deploymentId: refusal.deploymentId } : {}),
      ...(unrecordedBefore ? { unrecordedBefore } : {}),
      // a few of the deployments the refusals left out named (out of scope)
      ...(samples.length ? { unrecordedDeploymentIds: samples } : {}),
    },
    ip: refusal.ip,
  });
}

/** What a minute of refusals left out, as one record of its own (charged to nobody). */
async function recordRefusalSummary(summary: RefusalSummary): Promise<void> {
  console.warn(`[api-key] refusals left unrecorded (${summary.budget}): over budget ${summary.overBudget}, by senders ${summary.sendersUnrecorded}`);
  await recordAuditEvent({
    action: 'api_key.refusals_unrecorded',
    details: {
      budget: summary.budget,
      from: new Date(summary.windowStart).toISOString(),
      overBudget: summary.overBudget,
      sendersUnrecorded: summary.sendersUnrecorded,
      senders: summary.senders.map((s) => ({ sender: s.subject, unrecorded: s.unrecorded, ...(s.samples.length ? { deploymentIds: s.samples } : {}) })),
    },
    ip: null,
  });
}
