import { AsyncLocalStorage } from 'node:async_hooks';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { processState } from '@/lib/process-state';
import { PrismaClient as SqliteClient, Prisma } from './generated/sqlite/client';
import { PrismaClient as PostgresClient } from './generated/postgres/client';
import { serialisedSqlite } from './serialised-sqlite';
import { databaseProvider, resolveDatabaseUrl, sqliteFilePath } from './url';

/**
 * The one Prisma client of the process, on globalThis so that Next's bundles and
 * server.ts (socket.io) share it and hot reload does not open a new pool per edit.
 *
 * Both generated clients expose the same model API (the Postgres schema is generated from
 * the SQLite one), so the rest of the code is typed against the SQLite client.
 * Only lib/<domain>/data.ts and mutations.ts import this module.
 */
export type Db = SqliteClient;
export type Tx = Prisma.TransactionClient;
export { Prisma };

type DbHolder = { db: Db; url: string; provider: 'sqlite' | 'postgresql' };
const holder = processState<{ current?: DbHolder }>('db', () => ({}));

function createDb(url: string): DbHolder {
  const provider = databaseProvider(url);
  if (provider === 'postgresql') {
    const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) });
    return { db: client as unknown as Db, url, provider };
  }
  // One connection: statements outside transactions wait for the open one (serialised-sqlite.ts).
  const adapter = serialisedSqlite(new PrismaBetterSqlite3({ url: sqliteFilePath(url), timeout: 5000 }));
  const db = new SqliteClient({ adapter });
  // Deleted rows (alert crops past retention, watchlist images) are overwritten in the file,
  // not left in free pages. The adapter keeps one connection, so this covers every query.
  void db.$queryRawUnsafe('PRAGMA secure_delete = ON').catch((error: unknown) => console.error('[db] secure_delete not set', error));
  return { db, url, provider };
}

function current(): DbHolder {
  const url = resolveDatabaseUrl();
  if (!holder.current || holder.current.url !== url) {
    holder.current = createDb(url);
  }
  return holder.current;
}

export function getDb(): Db {
  return (instance.getStore() ?? current()).db;
}

/** The URL of the database getDb() talks to (for a connection of its own: lib/db/locks.ts). */
export function dbUrl(): string {
  return (instance.getStore() ?? current()).url;
}

export function dbProvider(): 'sqlite' | 'postgresql' {
  return (instance.getStore() ?? current()).provider;
}

/**
 * Another instance's view of the database, for tests that play two Sightline instances in one
 * process: a client with its own pool (`openSeparateDb`), used by every getDb() in `work` and
 * whatever it awaits (`asInstance`). What the database decides between instances (locks,
 * conditional updates, unique keys) then decides between the two clients the same way.
 */
const instance = new AsyncLocalStorage<DbHolder>();

export function openSeparateDb(url = resolveDatabaseUrl()): { db: Db; close(): Promise<void>; run<T>(work: () => Promise<T>): Promise<T> } {
  const separate = createDb(url);
  return {
    db: separate.db,
    close: () => separate.db.$disconnect(),
    run: (work) => instance.run(separate, work),
  };
}

export async function disconnectDb(): Promise<void> {
  const existing = holder.current;
  holder.current = undefined;
  await existing?.db.$disconnect();
}
