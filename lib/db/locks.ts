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
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${SPACE.sighting}::int, hashtext(${key}))::text AS locked`;
}

/**
 * Runs `work` unless another instance is running the job of this name right now, in which case
 * it returns `{ ran: false }` at once. On PostgreSQL the lock is a session-level advisory lock on
 * a connection of its own, taken without waiting and held for the whole run, so it is released
 * whatever happens to the run — or to this process (the connection closes). Not a pooled
 * connection: the pool would hand the session to others while the run is going on.
 */
export async function runUnlessRunningElsewhere<T>(name: string, work: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }> {
  if (dbProvider() !== 'postgresql') return { ran: true, result: await work() };
  const client = new pg.Client({ connectionString: dbUrl() });
  // A lost connection ends the lock; the run in progress goes on and the error surfaces below.
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::int, hashtext($2)) AS locked', [SPACE.job, name]);
    if (!rows[0]?.locked) return { ran: false };
    return { ran: true, result: await work() };
  } finally {
    // Closing the session releases its advisory locks.
    await client.end().catch(() => {});
  }
}
