import type { LocalMigration } from './migrations-folder';

/** The columns of a _prisma_migrations row that decide what to do next. */
export interface MigrationRecord {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

const isSet = (value: unknown) => value !== null && value !== undefined;

/**
 * Compare the migrations folder with what the database recorded, the way `prisma migrate
 * deploy` reads _prisma_migrations: a row counts as applied when it finished and was not
 * rolled back; rolled-back rows are history only.
 *
 * Returns the migrations still to apply, in order. Throws (and so applies nothing) when a
 * migration is recorded as failed, or when an applied migration's file no longer matches the
 * checksum recorded when it ran — Prisma only warns about the latter, but running on with a
 * history that differs from the files would leave the database in a state nobody can reproduce.
 */
export function pendingMigrations(local: LocalMigration[], records: MigrationRecord[], folder: string, warn: (message: string) => void): LocalMigration[] {
  const failed = records.filter((r) => !isSet(r.finished_at) && !isSet(r.rolled_back_at));
  if (failed.length > 0) {
    const names = failed.map((r) => r.migration_name).join(', ');
    throw new Error(
      `Migration ${names} failed earlier and is recorded as failed in _prisma_migrations. ` +
        'Repair the database by hand, then mark it rolled back — `npx prisma migrate resolve --rolled-back <name>`, ' +
        'or offline: UPDATE "_prisma_migrations" SET rolled_back_at = CURRENT_TIMESTAMP WHERE migration_name = \'<name>\' AND finished_at IS NULL — ' +
        'and start again.',
    );
  }

  const applied = new Map<string, MigrationRecord>();
  for (const record of records) {
    if (isSet(record.finished_at) && !isSet(record.rolled_back_at)) applied.set(record.migration_name, record);
  }

  const edited = local.filter((m) => {
    const record = applied.get(m.name);
    return record !== undefined && record.checksum.toLowerCase() !== m.checksum;
  });
  if (edited.length > 0) {
    const details = edited.map((m) => `${m.name} (applied ${applied.get(m.name)?.checksum.slice(0, 12)}…, file now ${m.checksum.slice(0, 12)}…)`).join(', ');
    throw new Error(
      `Refusing to migrate: ${details} changed after it was applied to this database. ` +
        `Restore ${folder}/<name>/migration.sql from version control and put new changes in a new migration ` +
        '(npm run db:make-migration -- <name>).',
    );
  }

  const localNames = new Set(local.map((m) => m.name));
  const unknown = [...applied.keys()].filter((name) => !localNames.has(name));
  if (unknown.length > 0) {
    // Prisma also carries on here: typically a newer build migrated this database first.
    warn(`Warning: the database records migrations that are not in ${folder}: ${unknown.join(', ')}`);
  }

  return local.filter((m) => !applied.has(m.name));
}
