import path from 'node:path';
import type { DatabaseProvider } from './url';

/**
 * Where each provider's Prisma schema and migrations live, relative to the project root.
 * prisma/schema.prisma (SQLite) is the source of truth; the PostgreSQL copy and both
 * migration folders are written by `npm run db:make-migration`.
 * Prisma's standard layout is kept so that `npx prisma migrate deploy` works on the same folders.
 */
export const PRISMA_LAYOUT = {
  sqlite: { schema: 'prisma/schema.prisma', migrations: 'prisma/migrations' },
  postgresql: { schema: 'prisma/postgres/schema.prisma', migrations: 'prisma/postgres/migrations' },
} as const satisfies Record<DatabaseProvider, { schema: string; migrations: string }>;

/** Absolute path of a provider's migrations folder. */
export function migrationsDir(provider: DatabaseProvider, root: string = process.cwd()): string {
  return path.resolve(root, PRISMA_LAYOUT[provider].migrations);
}

/** Absolute path of a provider's Prisma schema. */
export function schemaPath(provider: DatabaseProvider, root: string = process.cwd()): string {
  return path.resolve(root, PRISMA_LAYOUT[provider].schema);
}
