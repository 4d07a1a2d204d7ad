import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { pendingMigrations, type MigrationRecord } from './migration-history';
import type { LocalMigration } from './migrations-folder';

/** _prisma_migrations exactly as Prisma's SQLite connector creates it. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);
`;

/** How long to wait for another process's write lock (e.g. a second server starting). */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * Apply pending migrations to a SQLite file, one transaction per migration.
 * Each step takes SQLite's write lock first (BEGIN IMMEDIATE) and re-reads the history under
 * it, so two processes starting at once apply every migration exactly once.
 */
export function applySqliteMigrations(filePath: string, migrations: LocalMigration[], folder: string, log: (message: string) => void): string[] {
  const db = new Database(filePath);
  try {
    // WAL lets readers carry on while a writer commits; it is stored in the file, so the app's
    // connections get it too. busy_timeout (per connection) makes a second process wait for
    // the write lock instead of failing at once.
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Prisma's SQLite migrations rebuild tables (create new, copy, DROP old, rename) after
    // `PRAGMA foreign_keys=OFF`, but that pragma is a no-op inside a transaction. With foreign
    // keys on (better-sqlite3's default), DROP TABLE would run the ON DELETE actions of the rows
    // pointing at the old table: Cascade deletes them, SetNull clears their references. So
    // foreign keys are off on this connection, which only ever migrates, and checked before
    // each commit instead.
    db.pragma('foreign_keys = OFF');

    // Each step re-reads the history; say each warning about it once.
    const warned = new Set<string>();
    const warnOnce = (warning: string) => {
      if (!warned.has(warning)) log(warning);
      warned.add(warning);
    };
    const applied: string[] = [];
    for (;;) {
      const next = inWriteTransaction(db, () => applyNext(db, migrations, folder, log, warnOnce));
      if (!next) break;
      applied.push(next);
    }
    return applied;
  } finally {
    db.close();
  }
}

/** Apply the first pending migration, if any; returns its name. Runs inside the write lock. */
function applyNext(
  db: Database.Database,
  migrations: LocalMigration[],
  folder: string,
  log: (message: string) => void,
  warn: (message: string) => void,
): string | undefined {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
  if (!hasTable) db.exec(CREATE_MIGRATIONS_TABLE);

  const records = db
    .prepare(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`)
    .all() as MigrationRecord[];
  const migration = pendingMigrations(migrations, records, folder, warn)[0];
  if (!migration) return undefined;

  log(`Applying migration ${migration.name}`);
  // Prisma's native engine stores DATETIME values in SQLite as Unix milliseconds.
  const startedAt = Date.now();
  try {
    db.exec(migration.sql);
  } catch (error) {
    throw new Error(
      `Migration ${migration.name} failed and was rolled back, so nothing of it was applied: ${message(error)}. ` +
        `Fix ${folder}/${migration.name}/migration.sql (if it was never applied anywhere else) and run again.`,
    );
  }
  assertForeignKeysHold(db, migration.name);
  db.prepare(
    `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
     VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
  ).run(randomUUID(), migration.checksum, Date.now(), migration.name, startedAt);
  return migration.name;
}

function assertForeignKeysHold(db: Database.Database, migrationName: string): void {
  const violations = db.prepare('PRAGMA foreign_key_check').all() as { table: string; rowid: number; parent: string }[];
  if (violations.length === 0) return;
  const sample = violations
    .slice(0, 5)
    .map((v) => `${v.table} row ${v.rowid} → ${v.parent}`)
    .join('; ');
  throw new Error(`Migration ${migrationName} was rolled back: it leaves ${violations.length} row(s) referring to missing rows (${sample}).`);
}

/** Run `work` between BEGIN IMMEDIATE and COMMIT, rolling back if it throws. */
function inWriteTransaction<T>(db: Database.Database, work: () => T): T {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(`Another process has held this database's write lock for over ${BUSY_TIMEOUT_MS / 1000} s; migrations did not run.`);
    }
    throw error;
  }
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
