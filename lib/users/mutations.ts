import { auditedTransaction } from '@/lib/audit/mutations';
import { hashPassword } from '@/lib/auth/passwords';
import type { SessionUser } from '@/lib/auth/session-user';
import { conflict, notFound } from '@/lib/http/errors';
import { disconnectUserSockets } from '@/lib/realtime/publish';
import { getUserById, type PublicUser } from './data';
import type { CreateUserInput, UpdateUserInput } from './schema';

type Context = { actor: SessionUser; ip: string | null };

/** Creates a user. Caller holds 'user:manage'. */
export async function createUser({ actor, ip }: Context, input: CreateUserInput): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  const id = await auditedTransaction(async (tx, audit) => {
    const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) throw conflict(`A user with the email ${input.email} already exists.`);
    const user = await tx.user.create({
      data: { email: input.email, name: input.name, role: input.role, passwordHash },
      select: { id: true },
    });
    await audit({
      action: 'user.created',
      actorId: actor.id,
      subjectType: 'user',
      subjectId: user.id,
      details: { email: input.email, name: input.name, role: input.role },
      ip,
    });
    return user.id;
  });
  return (await getUserById(id))!;
}

/**
 * Changes a user's name, role or disabled flag. Caller holds 'user:manage'.
 * Refuses to leave the system without an active admin, and an admin disabling themself.
 */
export async function updateUser({ actor, ip }: Context, userId: string, input: UpdateUserInput): Promise<PublicUser> {
  const changed = await auditedTransaction(async (tx, audit) => {
    const before = await tx.user.findUnique({ where: { id: userId } });
    if (!before) throw notFound('No such user.');

    const losesAdmin =
      before.role === 'admin' &&
      !before.disabled &&
      ((input.role !== undefined && input.role !== 'admin') || input.disabled === true);
    if (losesAdmin) {
      const otherActiveAdmins = await tx.user.count({
        where: { role: 'admin', disabled: false, id: { not: userId } },
      });
      if (otherActiveAdmins === 0) {
        throw conflict('This is the last active admin: make another user admin first.');
      }
    }
    if (input.disabled === true && userId === actor.id) {
      throw conflict('You cannot disable your own account.');
    }
    // An admin giving themself another role (say, senior officer) would step around the rule
    // that admins never authorise or triage: another admin must make that change.
    if (input.role !== undefined && input.role !== before.role && userId === actor.id) {
      throw conflict('You cannot change your own role; ask another admin.');
    }

    await tx.user.update({ where: { id: userId }, data: input });

    const base = { actorId: actor.id, subjectType: 'user', subjectId: userId, ip } as const;
    if (input.role !== undefined && input.role !== before.role) {
      await audit({ ...base, action: 'user.role_changed', details: { email: before.email, from: before.role, to: input.role } });
    }
    if (input.disabled !== undefined && input.disabled !== before.disabled) {
      await audit({ ...base, action: input.disabled ? 'user.disabled' : 'user.enabled', details: { email: before.email } });
    }
    if (input.name !== undefined && input.name !== before.name) {
      await audit({ ...base, action: 'user.changed', details: { email: before.email, name: { from: before.name, to: input.name } } });
    }
    return {
      roleChanged: input.role !== undefined && input.role !== before.role,
      disabled: input.disabled === true && !before.disabled,
    };
  });

  // Persist first, then act on live connections: a disabled or re-roled user's sockets
  // must reconnect and be re-authorised with what they may do now.
  if (changed.roleChanged || changed.disabled) disconnectUserSockets(userId);
  return (await getUserById(userId))!;
}
