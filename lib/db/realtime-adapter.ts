import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import pg from 'pg';
import { createClient } from 'redis';
import type { ServerOptions } from 'socket.io';
import { databaseProvider, resolveDatabaseUrl } from './url';

/**
 * The socket.io adapter that joins several Sightline instances into one control room
 * (docs/architecture.md#several-instances): every broadcast, room operation (disconnecting a revoked user's
 * sockets, narrowing a room) and server-side announcement (lib/cluster/bus.ts) reaches the sockets
 * and caches of every instance. Chosen by SIGHTLINE_ADAPTER:
 * - `postgres`: @socket.io/postgres-adapter over LISTEN/NOTIFY on Sightline's own PostgreSQL
 *   database (no other server to run). Payloads over NOTIFY's 8,000 bytes go through an unlogged
 *   table in a schema of its own (`realtime`), outside the tables Prisma manages.
 * - `redis`: @socket.io/redis-streams-adapter on REDIS_URL (Redis streams survive a short outage
 *   of a reader: it resumes from its last offset).
 * - `none`: one process, socket.io's in-memory adapter, as Sightline has always run.
 *
 * `healthy()` says whether the transport answers now; it is checked every BUS_CHECK_MS and on
 * every error, and is what /api/health and the pages' "degraded" banner report.
 */
export type RealtimeTransport = {
  kind: 'none' | 'postgres' | 'redis';
  adapter: ServerOptions['adapter'] | undefined;
  healthy(): boolean;
  /** Called whenever `healthy()` changes. */
  onHealthChange(listener: (healthy: boolean) => void): void;
  close(): Promise<void>;
};

export const BUS_CHECK_MS = 1000;

type Settings = { SIGHTLINE_ADAPTER: 'none' | 'postgres' | 'redis'; REDIS_URL?: string; DATABASE_URL?: string };

/** Builds the configured transport, or throws a start-up error naming what is missing. */
export async function createRealtimeTransport(settings: Settings, log: Pick<Console, 'log' | 'error'> = console): Promise<RealtimeTransport> {
  if (settings.SIGHTLINE_ADAPTER === 'none') return singleProcess();
  const databaseUrl = resolveDatabaseUrl({ ...process.env, DATABASE_URL: settings.DATABASE_URL });
  if (databaseProvider(databaseUrl) !== 'postgresql') {
    throw new Error(
      `SIGHTLINE_ADAPTER=${settings.SIGHTLINE_ADAPTER} needs PostgreSQL as the database: several instances cannot share one SQLite file. Set DATABASE_URL=postgresql://…`,
    );
  }
  if (settings.SIGHTLINE_ADAPTER === 'redis') {
    if (!settings.REDIS_URL) throw new Error('SIGHTLINE_ADAPTER=redis needs REDIS_URL (redis://host:6379).');
    return redisTransport(settings.REDIS_URL, log);
  }
  return postgresTransport(databaseUrl, log);
}

function singleProcess(): RealtimeTransport {
  return { kind: 'none', adapter: undefined, healthy: () => true, onHealthChange: () => {}, close: async () => {} };
}

/** Health with change listeners, and one log line per change (never one per failed check). */
function healthTracker(name: string, log: Pick<Console, 'log' | 'error'>) {
  let healthy = true;
  const listeners: ((healthy: boolean) => void)[] = [];
  return {
    healthy: () => healthy,
    onHealthChange: (listener: (healthy: boolean) => void) => void listeners.push(listener),
    set(now: boolean, reason?: string) {
      if (now === healthy) return;
      healthy = now;
      if (now) log.log(`[cluster] ${name} reachable again: realtime events flow between instances`);
      else
        log.error(
          `[cluster] ${name} unreachable${reason ? ` (${reason})` : ''}: events raised on other instances do not reach this one's screens until it is back`,
        );
      for (const listener of listeners) listener(now);
    },
  };
}

const ATTACHMENTS_TABLE = 'realtime.socket_io_attachments';

/**
 * The adapter's table, made by whichever instance starts first. Instances starting together on a
 * fresh database raced here: CREATE … IF NOT EXISTS is not safe against a concurrent CREATE (the
 * loser failed with 'type "socket_io_attachments" already exists' and exited), so they take turns
 * under an advisory lock held for the transaction.
 */
async function createAttachmentsTable(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [ATTACHMENTS_TABLE]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS realtime`);
    await client.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${ATTACHMENTS_TABLE} (id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function postgresTransport(connectionString: string, log: Pick<Console, 'log' | 'error'>): Promise<RealtimeTransport> {
  // (a generous connect timeout: a busy start-up may hold the event loop for seconds)
  const pool = new pg.Pool({ connectionString, max: 4, connectionTimeoutMillis: 15_000 });
  const health = healthTracker('PostgreSQL (realtime)', log);
  // A connection lost while idle or listening must not take the process down: the adapter
  // reconnects its listener itself, and the periodic check below notices when it is back.
  pool.on('error', (error) => health.set(false, error.message));
  pool.on('connect', (client) => {
    client.on('error', (error) => health.set(false, error.message));
    // The adapter keeps its LISTEN connection checked out and, when it is lost, connects anew without
    // releasing the dead one: give its slot back, or a few outages would exhaust the pool.
    client.once('end', () => {
      try {
        (client as pg.PoolClient).release(true);
      } catch {
        // already released (an idle connection the pool had dropped itself)
      }
    });
  });
  await createAttachmentsTable(pool);
  const adapter = createPostgresAdapter(pool, {
    tableName: ATTACHMENTS_TABLE,
    errorHandler: (error: Error) => health.set(false, error.message),
  });
  const check = setInterval(() => {
    pool.query('SELECT 1').then(
      () => health.set(true),
      (error: Error) => health.set(false, error.message),
    );
  }, BUS_CHECK_MS);
  check.unref();
  return {
    kind: 'postgres',
    adapter,
    healthy: health.healthy,
    onHealthChange: health.onHealthChange,
    close: async () => {
      clearInterval(check);
      // pool.end() waits for every client to be released, and the adapter can keep one checked
      // out after a failed reconnection: do not let that hold a shutdown up.
      await Promise.race([pool.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };
}

async function redisTransport(url: string, log: Pick<Console, 'log' | 'error'>): Promise<RealtimeTransport> {
  const health = healthTracker('Redis', log);
  const client = createClient({ url, socket: { connectTimeout: 3000, reconnectStrategy: (retries) => Math.min(250 * 2 ** retries, 2000) } });
  client.on('error', (error: Error) => health.set(false, error.message));
  client.on('ready', () => health.set(true));
  await client.connect();
  // A short stream: it holds alert views (names of watchlist subjects) for as long as Redis keeps it.
  const adapter = createRedisStreamsAdapter(client, { streamName: 'sightline', maxLen: 1000 });
  const check = setInterval(() => {
    if (!client.isReady) return health.set(false, 'not connected');
    client.ping().then(
      () => health.set(true),
      (error: Error) => health.set(false, error.message),
    );
  }, BUS_CHECK_MS);
  check.unref();
  return {
    kind: 'redis',
    adapter,
    healthy: health.healthy,
    onHealthChange: health.onHealthChange,
    close: async () => {
      clearInterval(check);
      await client.quit().catch(() => undefined);
    },
  };
}
