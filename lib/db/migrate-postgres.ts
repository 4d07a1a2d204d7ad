import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pendingMigrations, type MigrationRecord } from './migration-history';
import type { LocalMigration } from './migrations-folder';

/** _prisma_migrations exactly as Prisma's PostgreSQL connector creates it. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

/**
 * The advisory lock key Prisma's schema engine takes around `migrate deploy`. Using the same
 * key serialises this runner with other instances of itself *and* with Prisma's CLI.
 */
const PRISMA_ADVISORY_LOCK = 72707369;

/**
 * Apply pending migrations to PostgreSQL, one transaction per migration, holding Prisma's
 * advisory lock for the whole run so that two processes starting at once cannot both migrate
 * (the second waits, then finds nothing left to do).
 */
export async function applyPostgresMigrations(url: string, migrations: LocalMigration[], folder: string, log: (message: string) => void): Promise<string[]> {
  assertDefaultSchema(url);
  // One dedicated connection: advisory locks belong to a session, not to a pool.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await takeMigrationLock(client);
    try {
      const exists = await client.query(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS "exists"`);
      if (!exists.rows[0]?.exists) await client.query(CREATE_MIGRATIONS_TABLE);

      const { rows } = await client.query<MigrationRecord>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at',
      );
      const applied: string[] = [];
      for (const migration of pendingMigrations(migrations, rows, folder, log)) {
        log(`Applying migration ${migration.name}`);
        await applyOne(client, migration, folder);
        applied.push(migration.name);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
    }
  } finally {
    await client.end();
  }
}

/** How long to wait for another process that is migrating the same database. */
const LOCK_WAIT = '60s';

async function takeMigrationLock(client: pg.Client): Promise<void> {
  // lock_timeout bounds the wait for the advisory lock; it is reset so that the migrations
  // themselves may wait on table locks as long as they need.
  await client.query(`SET lock_timeout = '${LOCK_WAIT}'`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw new Error(
        `Another process has been migrating this database for over ${LOCK_WAIT} (it holds advisory lock ${PRISMA_ADVISORY_LOCK}, ` +
          'shared with prisma migrate). Wait for it, or find it in pg_locks.',
      );
    }
    throw error;
  }
  await client.query('RESET lock_timeout');
}

async function applyOne(client: pg.Client, migration: LocalMigration, folder: string): Promise<void> {
  const startedAt = new Date();
  await client.query('BEGIN');
  try {
    // No parameters → pg uses the simple query protocol, which runs a multi-statement script
    // (including $$-quoted function bodies) as written.
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
       VALUES ($1, $2, $3, $4, NULL, NULL, $5, 1)`,
      [randomUUID(), migration.checksum, new Date(), migration.name, startedAt],
    );
    await client.query('COMMIT');
  } catch (error) {
    // Keep the migration's own error even if the connection is gone by now.
    await client.query('ROLLBACK').catch(() => {});
    throw new Error(
      `Migration ${migration.name} failed and was rolled back, so nothing of it was applied: ` +
        `${error instanceof Error ? error.message : String(error)}. ` +
        `Fix ${folder}/${migration.name}/migration.sql (if it was never applied anywhere else) and run again.`,
    );
  }
}

/**
 * Prisma reads ?schema=… from the URL; pg ignores it. Rather than migrate one schema while the
 * app's client reads another, only the default (public) schema is supported.
 */
function assertDefaultSchema(url: string): void {
  const schema = new URL(url).searchParams.get('schema');
  if (schema && schema !== 'public') {
    throw new Error(`DATABASE_URL asks for schema "${schema}"; Sightline only supports the public schema. Give it a database of its own.`);
  }
}
