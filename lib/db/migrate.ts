import path from 'node:path';
import { migrationsDir } from './layout';
import { applyPostgresMigrations } from './migrate-postgres';
import { applySqliteMigrations } from './migrate-sqlite';
import { readMigrations } from './migrations-folder';
import { databaseProvider, sqliteFilePath } from './url';

export interface ApplyMigrationsOptions {
  databaseUrl: string;
  log?: (message: string) => void;
  /** Defaults to the provider's folder in the project (prisma/migrations or prisma/postgres/migrations). */
  migrationsDir?: string;
}

/**
 * Bring the database up to date with the committed migrations: our offline stand-in for
 * `prisma migrate deploy`, which needs a schema-engine binary downloaded from the internet.
 *
 * Compatible with Prisma both ways — same folders, same _prisma_migrations table and rows,
 * same checksums, same PostgreSQL advisory lock — so a database migrated here can later be
 * migrated by the Prisma CLI and vice versa. Two differences, both stricter: each migration
 * runs in a transaction (a failure leaves no trace instead of a "failed" row), and an applied
 * migration whose file has changed stops the run instead of producing a warning.
 *
 * Called at server start-up (server.ts) and by `npm run db:migrate`; safe to run concurrently.
 */
export async function applyMigrations({ databaseUrl, log = console.log, migrationsDir: dir }: ApplyMigrationsOptions): Promise<{ applied: string[] }> {
  const provider = databaseProvider(databaseUrl);
  const folder = dir ?? migrationsDir(provider);
  const relative = path.relative(process.cwd(), folder);
  const shownFolder = relative && !relative.startsWith('..') ? relative : folder;
  const migrations = readMigrations(folder);
  if (migrations.length === 0) {
    throw new Error(`No migrations found in ${shownFolder}; create one with npm run db:make-migration -- <name>.`);
  }

  const applied =
    provider === 'sqlite'
      ? applySqliteMigrations(sqliteFilePath(databaseUrl), migrations, shownFolder, log)
      : await applyPostgresMigrations(databaseUrl, migrations, shownFolder, log);

  log(
    applied.length > 0
      ? `Applied ${applied.length} migration(s) from ${shownFolder}`
      : `Database is up to date (${migrations.length} migration(s) in ${shownFolder})`,
  );
  return { applied };
}
