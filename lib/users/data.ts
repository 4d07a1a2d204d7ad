import { getDb } from '@/lib/db/client';
import { isRole, SERVICE_ROLES, type Role } from '@/lib/auth/permissions';

/** What the rest of the app may know about a user (never the password hash). */
export type PublicUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  /** The password was chosen by an admin; the person must choose their own at next sign-in. */
  mustChangePassword: boolean;
  /** The admin who created the account; null when a set-up script (the seed) did. */
  createdBy: { id: string; name: string; email: string } | null;
  createdAt: string;
};

const publicFields = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  mustChangePassword: true,
  createdBy: { select: { id: true, name: true, email: true } },
  createdAt: true,
} as const;

type PublicRow = Omit<PublicUser, 'role' | 'createdAt'> & { role: string; createdAt: Date };

function toPublic(row: PublicRow): PublicUser {
  if (!isRole(row.role)) throw new Error(`User ${row.id} has an unknown role "${row.role}"`);
  return { ...row, role: row.role, createdAt: row.createdAt.toISOString() };
}

/** All people's accounts, for admins (caller checks 'user:manage'); service accounts have their own list (lib/service-accounts). */
export async function listUsers(): Promise<PublicUser[]> {
  const rows = await getDb().user.findMany({
    where: { role: { notIn: [...SERVICE_ROLES] } },
    select: publicFields,
    orderBy: [{ role: 'asc' }, { email: 'asc' }],
  });
  return rows.map(toPublic);
}

export async function getUserById(id: string): Promise<PublicUser | null> {
  const row = await getDb().user.findUnique({ where: { id }, select: publicFields });
  return row ? toPublic(row) : null;
}

/** Only the sign-in check and a password change read the password hash. */
export async function findUserForSignIn(email: string) {
  const row = await getDb().user.findUnique({ where: { email }, select: { ...publicFields, passwordHash: true } });
  return row ? { ...toPublic(row), passwordHash: row.passwordHash } : null;
}
