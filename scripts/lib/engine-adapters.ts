import { randomUUID } from 'node:crypto';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/client/runtime/client';
import pg from 'pg';

/**
 * Driver adapters for @prisma/schema-engine-wasm, with the fixes it needs to run offline.
 *
 * The engine talks to databases only through a Prisma driver adapter factory that can also
 * open a "shadow" database (where it replays the migrations folder to learn the schema it
 * produces). Prisma's own adapters (7.10) fall short there; each gap has its workaround:
 *  - SQLite: the engine sends each migration to the shadow database as ONE executeRaw call,
 *    which better-sqlite3 refuses when it holds several statements → retried as a script.
 *  - PostgreSQL: PrismaPg.connectToShadowDb() creates a shadow database but then connects to
 *    the main one (a connectionString overrides `database`) and replays the migrations there,
 *    and cannot drop it while its own pool is connected → we create, connect to and
 *    DROP ... WITH (FORCE) shadow databases ourselves.
 *  - PostgreSQL: the adapter cannot decode the catalog's internal "char" type (OID 18), which
 *    the engine's introspection selects → reported to the adapter as text.
 *  - PostgreSQL: its executeScript splits scripts on every ";", breaking $$-quoted function
 *    bodies → scripts are sent whole (pg's simple query protocol runs several statements).
 */

type SqlDriverAdapter = Awaited<ReturnType<SqlDriverAdapterFactory['connect']>>;
export type { SqlDriverAdapter };

export interface EngineAdapterFactory {
  readonly provider: 'sqlite' | 'postgres';
  readonly adapterName: string;
  connect(): Promise<SqlDriverAdapter>;
  connectToShadowDb(): Promise<SqlDriverAdapter>;
  /** Release whatever the factory still holds (e.g. shadow databases the engine did not dispose). */
  close(): Promise<void>;
}

/**
 * SQLite: `file` is the main database (in memory by default: the engine needs a main
 * connection even when it only diffs); shadow databases are always in memory.
 */
export function sqliteEngineAdapter(file: string = ':memory:'): EngineAdapterFactory {
  const factory = new PrismaBetterSqlite3({ url: file });
  const connections = openConnections();
  const connect = async (open: () => Promise<SqlDriverAdapter>) => {
    const adapter = await open();
    return connections.track(
      override(adapter, {
        async executeRaw(query) {
          try {
            return await adapter.executeRaw(query);
          } catch (error) {
            // better-sqlite3 prepares one statement at a time; it refuses before running anything.
            const multiStatement = error instanceof RangeError && /more than one statement/.test(error.message);
            if (!multiStatement || query.args.length > 0) throw error;
            await adapter.executeScript(query.sql);
            return 0;
          }
        },
      }),
    );
  };
  return {
    provider: 'sqlite',
    adapterName: factory.adapterName,
    connect: () => connect(() => factory.connect()),
    connectToShadowDb: () => connect(() => factory.connectToShadowDb()),
    close: () => connections.disposeAll(),
  };
}

/**
 * PostgreSQL: `serverUrl` is a database the engine may connect to; shadow databases are
 * created next to it (so its user needs CREATEDB) and dropped afterwards.
 */
export function postgresEngineAdapter(serverUrl: string): EngineAdapterFactory {
  const connections = openConnections();
  const shadows = new Set<string>();
  const dropShadow = async (name: string) => {
    if (!shadows.delete(name)) return;
    await withAdminClient(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  };
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: async () => connections.track(await connectPostgres(serverUrl)),
    async connectToShadowDb() {
      const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
      await withAdminClient(serverUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
      shadows.add(name);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const adapter = await connectPostgres(url.toString());
      return connections.track(
        override(adapter, {
          async dispose() {
            await adapter.dispose();
            await dropShadow(name);
          },
        }),
      );
    },
    async close() {
      await connections.disposeAll();
      for (const name of [...shadows]) await dropShadow(name);
    },
  };
}

async function connectPostgres(url: string): Promise<SqlDriverAdapter> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  reportCharAsText(pool);
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
  return override(adapter, {
    async executeScript(script) {
      await pool.query(script);
    },
  });
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** Rewrite "char" columns in every result of pool.query (the only entry the adapter uses outside transactions). */
function reportCharAsText(pool: pg.Pool): void {
  const query = pool.query.bind(pool) as (config: unknown) => Promise<pg.QueryResult | pg.QueryResult[]>;
  const patched = async (config: unknown) => {
    const result = await query(config);
    for (const part of Array.isArray(result) ? result : [result]) {
      for (const field of part.fields ?? []) {
        if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
      }
    }
    return result;
  };
  pool.query = patched as typeof pool.query;
}

async function withAdminClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Connections the engine opened, so that close() can release those it did not dispose itself
 * (an open SQLite file keeps its lock; an open pg pool keeps the process alive).
 */
function openConnections() {
  const open = new Set<SqlDriverAdapter>();
  return {
    track(adapter: SqlDriverAdapter): SqlDriverAdapter {
      const tracked = override(adapter, {
        async dispose() {
          if (!open.delete(tracked)) return;
          await adapter.dispose();
        },
      });
      open.add(tracked);
      return tracked;
    },
    async disposeAll(): Promise<void> {
      for (const adapter of [...open]) await adapter.dispose();
    },
  };
}

/** The adapter with some methods replaced; everything else delegates to it. */
function override(adapter: SqlDriverAdapter, replaced: Partial<SqlDriverAdapter>): SqlDriverAdapter {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: (query) => adapter.executeRaw(query),
    executeScript: (script) => adapter.executeScript(script),
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    ...(adapter.getConnectionInfo ? { getConnectionInfo: () => adapter.getConnectionInfo!() } : {}),
    dispose: () => adapter.dispose(),
    ...replaced,
  };
}
