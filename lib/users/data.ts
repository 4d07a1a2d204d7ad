import { getDb } from '@/lib/db/client';
import { isRole, type Role } from '@/lib/auth/permissions';

/** What the rest of the app may know about a user (never the password hash). */
export type PublicUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
};

const publicFields = { id: true, email: true, name: true, role: true, disabled: true, createdAt: true } as const;

function toPublic(row: { id: string; email: string; name: string; role: string; disabled: boolean; createdAt: Date }): PublicUser {
  if (!isRole(row.role)) throw new Error(`User ${row.id} has an unknown role "${row.role}"`);
  return { ...row, role: row.role, createdAt: row.createdAt.toISOString() };
}

/** All users, for admins (caller checks 'user:manage'). */
export async function listUsers(): Promise<PublicUser[]> {
  const rows = await getDb().user.findMany({ select: publicFields, orderBy: [{ role: 'asc' }, { email: 'asc' }] });
  return rows.map(toPublic);
}

export async function getUserById(id: string): Promise<PublicUser | null> {
  const row = await getDb().user.findUnique({ where: { id }, select: publicFields });
  return row ? toPublic(row) : null;
}

/** Only the sign-in check reads the password hash. */
export async function findUserForSignIn(email: string) {
  const row = await getDb().user.findUnique({ where: { email }, select: { ...publicFields, passwordHash: true } });
  return row ? { ...toPublic(row), passwordHash: row.passwordHash } : null;
}
