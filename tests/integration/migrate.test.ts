import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient as PostgresClient } from '../../lib/db/generated/postgres/client';
import { PrismaClient as SqliteClient } from '../../lib/db/generated/sqlite/client';
import { migrationsDir } from '../../lib/db/layout';
import { applyMigrations } from '../../lib/db/migrate';
import { MIGRATION_LOCK_FILE, readMigrations } from '../../lib/db/migrations-folder';
import { sqliteFilePath, type DatabaseProvider } from '../../lib/db/url';
import { postgresEngineAdapter, sqliteEngineAdapter } from '../../scripts/lib/engine-adapters';
import { NO_FILTERS, migrationList, withSchemaEngine } from '../../scripts/lib/schema-engine';
import { createTestDatabase, startPostgres, type TestPostgres } from '../support/postgres';

const root = process.cwd();
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const quiet = () => {};

let server: TestPostgres;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sightline-migrate-test-'));
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A new empty database of either kind, with just enough of a driver to look inside. */
interface TestDb {
  url: string;
  /** Run one statement with `?` placeholders; returns its rows (none for writes). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  tables(): Promise<string[]>;
  drop(): Promise<void>;
}

async function freshDatabase(provider: DatabaseProvider): Promise<TestDb> {
  if (provider === 'sqlite') {
    const url = `file:${path.join(tmp, `${randomUUID()}.db`)}`;
    const query = async <T>(sql: string, params: unknown[] = []) => {
      const db = new Database(sqliteFilePath(url));
      try {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all(...params) as T[];
        statement.run(...params);
        return [];
      } finally {
        db.close();
      }
    };
    return {
      url,
      query,
      tables: async () => (await query<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)).map((r) => r.name),
      drop: async () => {},
    };
  }
  const { url, drop } = await createTestDatabase(server.url);
  const query = async <T>(sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      let n = 0;
      const { rows } = await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      );
      return rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    url,
    query,
    tables: async () => (await query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`)).map((r) => r.name),
    drop,
  };
}

/** Prisma's schema engine (the logic behind `prisma migrate deploy`) pointed at a database. */
function prismaEngine(provider: DatabaseProvider, url: string) {
  const factory = provider === 'sqlite' ? sqliteEngineAdapter(sqliteFilePath(url)) : postgresEngineAdapter(url);
  const dir = migrationsDir(provider);
  const migrationsList = migrationList(dir, readFileSync(path.join(dir, MIGRATION_LOCK_FILE), 'utf8'));
  return { factory, migrationsList };
}

function runScript(script: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return spawnSync(tsx, [path.join(root, script), ...args], {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe.each(['sqlite', 'postgresql'] as const)('applyMigrations on %s', (provider) => {
  const local = readMigrations(migrationsDir(provider));
  let db: TestDb;

  beforeAll(async () => {
    db = await freshDatabase(provider);
  });
  afterAll(async () => {
    await db?.drop();
  });

  // The tests below share one database and run in order: first migrate, then probe it.
  it('applies every migration to an empty database and records each as Prisma does', async () => {
    expect(local.length).toBeGreaterThan(0);
    const { applied } = await applyMigrations({ databaseUrl: db.url, log: quiet });

    expect(applied).toEqual(local.map((m) => m.name));
    expect(await db.tables()).toEqual(expect.arrayContaining(['User', 'AuditEvent', '_prisma_migrations']));
    const records = await db.query(
      'SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count FROM _prisma_migrations ORDER BY started_at',
    );
    expect(records).toEqual(
      local.map((m) => ({
        migration_name: m.name,
        checksum: m.checksum,
        finished_at: expect.anything(),
        rolled_back_at: null,
        logs: null,
        applied_steps_count: 1,
      })),
    );
  });

  it('applies nothing the second time', async () => {
    expect(await applyMigrations({ databaseUrl: db.url, log: quiet })).toEqual({ applied: [] });
  });

  it("leaves nothing for Prisma's own migrate deploy logic to do", async () => {
    const { factory, migrationsList } = prismaEngine(provider, db.url);
    const result = await withSchemaEngine(factory, async (engine) => ({
      diagnosis: await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTERS }),
      applied: await engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
    }));
    expect(result.diagnosis).toMatchObject({ editedMigrationNames: [], failedMigrationNames: [], history: null });
    expect(result.applied.appliedMigrationNames).toEqual([]);
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const copy = path.join(tmp, `migrations-${provider}-${randomUUID()}`);
    cpSync(migrationsDir(provider), copy, { recursive: true });
    appendFileSync(path.join(copy, local[0]!.name, 'migration.sql'), '\n-- an innocent-looking edit\n');

    await expect(applyMigrations({ databaseUrl: db.url, migrationsDir: copy, log: quiet })).rejects.toThrow(
      new RegExp(`${local[0]!.name} .*changed after it was applied`),
    );
  });

  it('refuses to run while a migration is recorded as failed', async () => {
    const failed = '29990101000000_half_done';
    await db.query('INSERT INTO _prisma_migrations (id, checksum, migration_name, applied_steps_count) VALUES (?, ?, ?, 0)', [
      randomUUID(),
      '0'.repeat(64),
      failed,
    ]);
    try {
      await expect(applyMigrations({ databaseUrl: db.url, log: quiet })).rejects.toThrow(`${failed} failed earlier`);
    } finally {
      await db.query('DELETE FROM _prisma_migrations WHERE migration_name = ?', [failed]);
    }
  });

  it('makes AuditEvent append-only: UPDATE and DELETE are rejected by the database', async () => {
    await db.query('INSERT INTO "AuditEvent" ("action", "prevHash", "hash") VALUES (?, ?, ?)', ['test:created', 'genesis', 'h1']);

    await expect(db.query('UPDATE "AuditEvent" SET "action" = ?', ['test:rewritten'])).rejects.toThrow('AuditEvent is append-only');
    await expect(db.query('DELETE FROM "AuditEvent"')).rejects.toThrow('AuditEvent is append-only');
    if (provider === 'postgresql') {
      await expect(db.query('TRUNCATE "AuditEvent"')).rejects.toThrow('AuditEvent is append-only');
    }
    expect(await db.query('SELECT "action" FROM "AuditEvent"')).toEqual([{ action: 'test:created' }]);
  });

  it('serves the generated Prisma client for this provider', async () => {
    const email = `officer-${randomUUID()}@example.test`;
    const data = { email, name: 'Duty Officer', role: 'operator', passwordHash: 'x' };
    if (provider === 'sqlite') {
      const client = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: sqliteFilePath(db.url) }) });
      await client.user.create({ data });
      expect(await client.user.findUnique({ where: { email } })).toMatchObject({ name: 'Duty Officer', disabled: false });
      await client.$disconnect();
    } else {
      const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: db.url }) });
      await client.user.create({ data });
      expect(await client.user.findUnique({ where: { email } })).toMatchObject({ name: 'Duty Officer', disabled: false });
      await client.$disconnect();
    }
  });

  it("accepts a database that Prisma's engine migrated", async () => {
    const other = await freshDatabase(provider);
    try {
      const { factory, migrationsList } = prismaEngine(provider, other.url);
      const byPrisma = await withSchemaEngine(factory, (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTERS }));
      expect(byPrisma.appliedMigrationNames).toEqual(local.map((m) => m.name));

      expect(await applyMigrations({ databaseUrl: other.url, log: quiet })).toEqual({ applied: [] });
    } finally {
      await other.drop();
    }
  });

  it('applies each migration once when two processes start at the same time', async () => {
    const other = await freshDatabase(provider);
    try {
      const migrate = () =>
        new Promise<number | null>((resolve) => {
          const child = spawn(tsx, [path.join(root, 'scripts/db-migrate.ts')], {
            cwd: root,
            env: { ...process.env, DATABASE_URL: other.url },
            stdio: 'ignore',
          });
          child.on('exit', resolve);
        });
      expect(await Promise.all([migrate(), migrate()])).toEqual([0, 0]);
      expect(await other.query('SELECT migration_name FROM _prisma_migrations')).toHaveLength(local.length);
    } finally {
      await other.drop();
    }
  });
});

describe('applyMigrations on sqlite: foreign keys during migrations', () => {
  // What Prisma generates when a SQLite column changes (here: a default for User.role).
  const REBUILD_USER = `-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'operator',
    "passwordHash" TEXT NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_User" ("createdAt", "disabled", "email", "id", "name", "passwordHash", "role", "updatedAt") SELECT "createdAt", "disabled", "email", "id", "name", "passwordHash", "role", "updatedAt" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`;

  it('rebuilds a table other rows point at without firing their ON DELETE actions', async () => {
    const db = await freshDatabase('sqlite');
    await applyMigrations({ databaseUrl: db.url, log: quiet });
    await db.query(`INSERT INTO "User" ("id", "email", "name", "role", "passwordHash", "updatedAt") VALUES ('u1', 'a@example.test', 'A', 'admin', 'x', 0)`);
    await db.query(`INSERT INTO "AuditEvent" ("actorId", "action", "prevHash", "hash") VALUES ('u1', 'user:created', 'genesis', 'h1')`);

    // A later migration adds a table whose rows cascade-delete with their user, then rebuilds
    // User. With foreign keys on inside the transaction, DROP TABLE "User" would delete the note.
    const copy = path.join(tmp, `migrations-rebuild-${randomUUID()}`);
    cpSync(migrationsDir('sqlite'), copy, { recursive: true });
    const added = path.join(copy, '29990101000000_notes_and_role_default');
    cpSync(path.join(copy, readMigrations(copy)[0]!.name), added, { recursive: true });
    writeFileSync(
      path.join(added, 'migration.sql'),
      `CREATE TABLE "Note" ("id" TEXT NOT NULL PRIMARY KEY, "userId" TEXT NOT NULL,
    CONSTRAINT "Note_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
INSERT INTO "Note" ("id", "userId") VALUES ('n1', 'u1');
${REBUILD_USER}`,
    );

    const { applied } = await applyMigrations({ databaseUrl: db.url, migrationsDir: copy, log: quiet });
    expect(applied).toEqual(['29990101000000_notes_and_role_default']);
    expect(await db.query('SELECT "id", "role" FROM "User"')).toEqual([{ id: 'u1', role: 'admin' }]);
    expect(await db.query('SELECT "id", "userId" FROM "Note"')).toEqual([{ id: 'n1', userId: 'u1' }]);
    expect(await db.query('SELECT "actorId" FROM "AuditEvent"')).toEqual([{ actorId: 'u1' }]);
    expect(await db.query('PRAGMA foreign_key_check')).toEqual([]);
    expect(await db.query(`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`)).toEqual([
      { name: 'AuditEvent_no_delete' },
      { name: 'AuditEvent_no_update' },
      { name: 'AuditHead_forward_only' },
      { name: 'AuditHead_no_delete' },
      { name: 'AuditHead_one_row' },
    ]);
  });

  it('rolls back a migration that leaves rows pointing nowhere', async () => {
    const db = await freshDatabase('sqlite');
    await applyMigrations({ databaseUrl: db.url, log: quiet });
    await db.query(`INSERT INTO "User" ("id", "email", "name", "role", "passwordHash", "updatedAt") VALUES ('u1', 'a@example.test', 'A', 'admin', 'x', 0)`);
    await db.query(`INSERT INTO "AuditEvent" ("actorId", "action", "prevHash", "hash") VALUES ('u1', 'user:created', 'genesis', 'h1')`);

    const copy = path.join(tmp, `migrations-orphan-${randomUUID()}`);
    cpSync(migrationsDir('sqlite'), copy, { recursive: true });
    const added = path.join(copy, '29990101000000_lose_users');
    cpSync(path.join(copy, readMigrations(copy)[0]!.name), added, { recursive: true });
    writeFileSync(path.join(added, 'migration.sql'), 'DELETE FROM "User";\n');

    await expect(applyMigrations({ databaseUrl: db.url, migrationsDir: copy, log: quiet })).rejects.toThrow(/rolled back: it leaves 1 row/);
    expect(await db.query('SELECT "id" FROM "User"')).toEqual([{ id: 'u1' }]);
    expect(await db.query(`SELECT migration_name FROM _prisma_migrations WHERE migration_name LIKE '2999%'`)).toEqual([]);
  });
});

describe.each(['sqlite', 'postgresql'] as const)('the recognition migration on %s, with data', (provider) => {
  it('turns each stored face-api descriptor into a labelled template, and keeps each plan’s threshold', async () => {
    const db = await freshDatabase(provider);
    try {
      // The database as the version before recognisers had it.
      const { before, later } = migrationsBefore(provider, '_recognition');
      await applyMigrations({ databaseUrl: db.url, migrationsDir: before, log: quiet });
      const descriptor = Buffer.alloc(512, 7);
      const now = new Date().toISOString();
      await db.query(`INSERT INTO "User" ("id", "email", "name", "role", "passwordHash", "updatedAt") VALUES ('u1', 'a@example.test', 'A', 'admin', 'x', ?)`, [
        now,
      ]);
      await db.query(`INSERT INTO "Watchlist" ("id", "name", "createdById", "updatedAt") VALUES ('w1', 'W', 'u1', ?)`, [now]);
      await db.query(
        `INSERT INTO "WatchlistEntry" ("id", "watchlistId", "reference", "name", "category", "imageSource", "legalBasis", "imageTakenOn", "reviewBy", "addedById", "updatedAt") VALUES ('e1', 'w1', 'R-1', 'N', 'wanted_by_court', 's', 'l', ?, ?, 'u1', ?)`,
        [now, now, now],
      );
      await db.query(
        `INSERT INTO "ReferenceImage" ("id", "entryId", "mediaType", "bytes", "width", "height", "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore", "descriptor") VALUES ('r1', 'e1', 'image/jpeg', ?, 10, 10, 0, 0, 5, 5, 0.9, ?)`,
        [Buffer.from([1, 2, 3]), descriptor],
      );
      await db.query(`INSERT INTO "Deployment" ("id", "name", "status", "threshold", "plannerId", "updatedAt") VALUES ('d1', 'D', 'live', 0.55, 'u1', ?)`, [
        now,
      ]);
      await db.query(`INSERT INTO "WatchlistSnapshot" ("id", "deploymentId", "entryCount", "imageCount") VALUES ('s1', 'd1', 1, 1)`);
      await db.query(
        `INSERT INTO "SnapshotImage" ("id", "snapshotId", "entryId", "referenceImageId", "watchlistId", "reference", "name", "category", "descriptor") VALUES ('si1', 's1', 'e1', 'r1', 'w1', 'R-1', 'N', 'wanted_by_court', ?)`,
        [descriptor],
      );

      const { applied } = await applyMigrations({ databaseUrl: db.url, log: quiet });
      expect(applied).toEqual(later);
      expect(applied[0]).toMatch(/_recognition$/);
      // Accounts that existed before sessions keep working: no forced password change, no recorded creator.
      const users = await db.query<{ mustChangePassword: boolean | number; createdById: string | null }>(
        'SELECT "mustChangePassword", "createdById" FROM "User"',
      );
      expect(users.map((u) => [Boolean(u.mustChangePassword), u.createdById])).toEqual([[false, null]]);
      const templates = await db.query<{ referenceImageId: string; engineId: string; engineVersion: string; dims: number; vector: Uint8Array }>(
        'SELECT "referenceImageId", "engineId", "engineVersion", "dims", "vector" FROM "FaceTemplate"',
      );
      expect(templates.map((t) => [t.referenceImageId, t.engineId, t.engineVersion, Number(t.dims)])).toEqual([['r1', 'faceapi-128', '1.7.15', 128]]);
      expect(Buffer.from(templates[0]!.vector).equals(descriptor)).toBe(true);
      const frozen = await db.query<{ snapshotImageId: string; engineId: string; vector: Uint8Array }>(
        'SELECT "snapshotImageId", "engineId", "vector" FROM "SnapshotTemplate"',
      );
      expect(frozen.map((t) => [t.snapshotImageId, t.engineId])).toEqual([['si1', 'faceapi-128']]);
      expect(Buffer.from(frozen[0]!.vector).equals(descriptor)).toBe(true);
      expect(await db.query('SELECT "threshold", "verifierId", "verifyThreshold" FROM "Deployment"')).toEqual([
        { threshold: 0.55, verifierId: 'faceapi-128', verifyThreshold: 0.55 },
      ]);
    } finally {
      await db.drop();
    }
  });
});

describe.each(['sqlite', 'postgresql'] as const)('the audit_indexes migration on %s, with data', (provider) => {
  it('records the newest event as the head, numbering from the next one, and guards the head', async () => {
    const db = await freshDatabase(provider);
    try {
      const { before, later } = migrationsBefore(provider, '_audit_indexes');
      await applyMigrations({ databaseUrl: db.url, migrationsDir: before, log: quiet });
      // Numbers as a PostgreSQL sequence may leave them: 3 was rolled back.
      for (const [seq, hash] of [
        [1, 'h1'],
        [2, 'h2'],
        [4, 'h4'],
      ] as const) {
        await db.query('INSERT INTO "AuditEvent" ("seq", "action", "prevHash", "hash") VALUES (?, ?, ?, ?)', [seq, 'user.created', `p${seq}`, hash]);
      }

      expect((await applyMigrations({ databaseUrl: db.url, log: quiet })).applied).toEqual(later);
      const head = await db.query<{ id: number; seq: number; hash: string; contiguousFrom: number }>(
        'SELECT "id", "seq", "hash", "contiguousFrom" FROM "AuditHead"',
      );
      expect(head.map((h) => [Number(h.id), Number(h.seq), h.hash, Number(h.contiguousFrom)])).toEqual([[1, 4, 'h4', 5]]);
      await expect(db.query('UPDATE "AuditHead" SET "seq" = 9')).rejects.toThrow('AuditHead only moves forward');
      await expect(db.query('DELETE FROM "AuditHead"')).rejects.toThrow('AuditHead cannot be removed');
      if (provider === 'postgresql') await expect(db.query('TRUNCATE "AuditHead"')).rejects.toThrow('AuditHead cannot be removed');
      await db.query('UPDATE "AuditHead" SET "seq" = 5, "hash" = ?', ['h5']);
    } finally {
      await db.drop();
    }
  });

  it('starts an empty database without a head (the first event creates it)', async () => {
    const db = await freshDatabase(provider);
    try {
      await applyMigrations({ databaseUrl: db.url, log: quiet });
      expect(await db.query('SELECT * FROM "AuditHead"')).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

/**
 * A copy of the migrations folder without the migration whose name ends with `suffix` and every
 * one after it (the database as it was before that version), and the names left out.
 */
function migrationsBefore(provider: DatabaseProvider, suffix: string): { before: string; later: string[] } {
  const before = path.join(tmp, `migrations-before-${randomUUID()}`);
  cpSync(migrationsDir(provider), before, { recursive: true });
  const all = readMigrations(before).map((m) => m.name);
  const from = all.findIndex((name) => name.endsWith(suffix));
  if (from < 0) throw new Error(`no migration ending with ${suffix}`);
  const later = all.slice(from);
  for (const name of later) rmSync(path.join(before, name), { recursive: true });
  return { before, later };
}

describe('db-make-migration', () => {
  it('--check passes for the committed schema and migrations', () => {
    const result = runScript('scripts/db-make-migration.ts', ['--check'], { env: { SCRATCH_POSTGRES_URL: server.url } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('writes a migration for both providers when the schema changes, after which --check passes', () => {
    // A copy of prisma/ in a scratch project folder: the scripts work relative to the current directory.
    const project = path.join(tmp, `project-${randomUUID()}`);
    cpSync(path.join(root, 'prisma'), path.join(project, 'prisma'), { recursive: true });
    const schemaFile = path.join(project, 'prisma/schema.prisma');
    writeFileSync(schemaFile, readFileSync(schemaFile, 'utf8').replace(/^([ \t]+)name([ \t]+)String\n/m, '$&$1note$2String?\n'));
    const run = (args: string[]) => runScript('scripts/db-make-migration.ts', args, { cwd: project, env: { SCRATCH_POSTGRES_URL: server.url } });

    const before = run(['--check']);
    expect(before.status).toBe(1);
    expect(before.stderr).toContain('postgres/schema.prisma is stale');
    expect(before.stderr).toContain('no sqlite migration');

    const made = run(['Add note']);
    expect(made.status, made.stderr).toBe(0);
    for (const provider of ['sqlite', 'postgresql'] as const) {
      const newest = readdirSync(migrationsDir(provider, project)).filter((name) => name.endsWith('_add_note'));
      expect(newest).toHaveLength(1);
      const sql = readFileSync(path.join(migrationsDir(provider, project), newest[0]!, 'migration.sql'), 'utf8');
      expect(sql).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"note" TEXT/);
    }
    expect(readFileSync(path.join(project, 'prisma/postgres/schema.prisma'), 'utf8')).toContain('note');

    expect(run(['--check']).status).toBe(0);
    expect(run(['again']).stdout).toContain('No changes');
  });
});
