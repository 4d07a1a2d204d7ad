import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One migration as Prisma stores it: <folder>/<name>/migration.sql. */
export interface LocalMigration {
  /** The folder name, e.g. 20261126120000_init — also the name recorded in _prisma_migrations. */
  name: string;
  sql: string;
  checksum: string;
}

/** The lock file Prisma keeps next to the migration folders; it names the provider. */
export const MIGRATION_LOCK_FILE = 'migration_lock.toml';

/**
 * Prisma's checksum of a migration: SHA-256 of the script's UTF-8 bytes, lower-case hex.
 * Nothing is normalised (not even line endings), so any edit — a re-saved CRLF file included —
 * counts as a change.
 */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/**
 * Every migration under `dir`, in the order Prisma applies them (folder names compared with
 * localeCompare, exactly as the Prisma CLI sorts them; the timestamp prefix decides).
 * A missing folder means no migrations. A folder without migration.sql is an error, as in Prisma.
 */
export function readMigrations(dir: string): LocalMigration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b))
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      if (!existsSync(file)) {
        throw new Error(`Migration folder ${path.join(dir, name)} has no migration.sql; remove the folder or restore the file.`);
      }
      const sql = readFileSync(file, 'utf8');
      return { name, sql, checksum: migrationChecksum(sql) };
    });
}
