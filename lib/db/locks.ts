import pg from 'pg';
import { dbProvider, dbUrl, type Tx } from './client';

/**
 * Locks that the database holds, so that they hold between instances of Sightline sharing it.
 * PostgreSQL's advisory locks, in their two-number form: the first number says what kind of
 * thing is locked (a key space of its own, apart from the audit chain's single-number lock), the
 * second is the hash of its name. Two names with the same hash only wait for each other.
 *
 * SQLite serves one process, and its transactions run one at a time (serialised-sqlite.ts), so
 * there is nothing to take there.
 */
const SPACE = { sighting: 1, job: 2 } as const;

/**
 * Holds the lock on one sighting key — (deployment, camera, entry) — until the caller's
 * transaction ends: whoever holds it decides alone whether the sighting updates an open alert or
 * raises a new one.
 */
export async function lockSightingKey(tx: Tx, key: string): Promise<void> {
  if (dbProvider() !== 'postgresql') return;
  // The function returns void, which the driver adapter cannot read back: cast to text.
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${SPACE.sighting}::int, hashtext(${key}))::text AS locked`;
}

export type JobLeadership = {
  /** Runs `work` if this instance leads the job (taking the lead if nobody holds it); `{ ran: false }` at once otherwise. */
  runIfLeading<T>(work: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }>;
  /** Gives the lead up (a clean shutdown), so another instance takes it at its next tick. */
  release(): Promise<void>;
};

/**
 * Which instance runs a recurring job: the one holding a session-level advisory lock named after
 * the job, on a connection of its own kept open between runs. It keeps the lead, and runs the job
 * on every tick, until it stops or loses that connection (the lock goes with the session); the
 * others try at each of their ticks and skip the run while someone leads, so the job runs once
 * per interval across the cluster, and again within an interval of its leader going away. Not a
 * pooled connection: the pool would hand the session, and its lock, to other queries.
 *
 * If the lead's connection dies unnoticed, PostgreSQL ends the session in time and another
 * instance may lead while the first still believes it does: every run checks its connection
 * first, and the jobs only do work that is still to be done (conditional updates), so a run
 * twice over finds nothing the second time.
 */
export function jobLeadership(name: string): JobLeadership {
  let client: pg.Client | null = null;
  let leading = false;
  const drop = async () => {
    const closing = client;
    client = null;
    leading = false;
    // Closing the session releases its advisory locks.
    await closing?.end().catch(() => {});
  };
  const connection = async () => {
    if (client) return client;
    // Keepalive and a query timeout: a half-open connection must not hold a job's lead (and, with
    // it, retention) for the hours TCP takes to notice.
    const fresh = new pg.Client({ connectionString: dbUrl(), keepAlive: true, keepAliveInitialDelayMillis: 10_000, query_timeout: 10_000 });
    const lost = () => {
      if (client !== fresh) return;
      client = null;
      leading = false;
    };
    fresh.on('error', lost);
    fresh.on('end', lost);
    await fresh.connect();
    client = fresh;
    return fresh;
  };
  return {
    async runIfLeading(work) {
      if (dbProvider() !== 'postgresql') return { ran: true, result: await work() };
      try {
        const c = await connection();
        if (leading) await c.query('SELECT 1');
        else
          leading =
            (await c.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked', [SPACE.job, name])).rows[0]?.locked === true;
      } catch (error) {
        await drop();
        throw error;
      }
      if (!leading) return { ran: false };
      return { ran: true, result: await work() };
    },
    release: drop,
  };
}
