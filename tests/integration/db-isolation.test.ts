import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { useFreshDatabase } from '../support/in-process-db';

/**
 * Requests run concurrently in one process. While one of them holds a transaction open (an
 * alert being written, say), another request's plain query must neither see its uncommitted
 * rows nor be swept into it — on SQLite, whose adapter has a single connection, as on PostgreSQL.
 */
useFreshDatabase();

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
const user = (email: string) => ({ data: { email, name: email, role: 'operator', passwordHash: 'x' } });

/** Holds a transaction open, with one uncommitted user, until `finish` is called. */
function openTransaction(email: string, outcome: 'commit' | 'rollback') {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let inserted!: () => void;
  const ready = new Promise<void>((resolve) => (inserted = resolve));
  const done = getDb()
    .$transaction(async (tx) => {
      await tx.user.create(user(email));
      inserted();
      await finished;
      if (outcome === 'rollback') throw new Error('rolled back on purpose');
    })
    .catch((error: Error) => {
      if (error.message !== 'rolled back on purpose') throw error;
    });
  return { ready, finish, done };
}

describe('queries outside a transaction', () => {
  it('do not see rows another transaction has not committed', async () => {
    const tx = openTransaction('uncommitted@x.test', 'rollback');
    await tx.ready;
    // Prisma runs a query when it is awaited; `then` starts it, and it is given time to finish.
    const seen = getDb()
      .user.findUnique({ where: { email: 'uncommitted@x.test' } })
      .then((row) => row);
    await settle();
    tx.finish();
    await tx.done;
    expect(await seen).toBeNull();
  });

  it('are not lost when another transaction rolls back', async () => {
    const tx = openTransaction('rolled-back@x.test', 'rollback');
    await tx.ready;
    const outside = getDb()
      .user.create(user('independent@x.test'))
      .then((row) => row);
    await settle();
    tx.finish();
    await tx.done;
    await outside;
    expect(await getDb().user.findUnique({ where: { email: 'independent@x.test' } })).not.toBeNull();
    expect(await getDb().user.findUnique({ where: { email: 'rolled-back@x.test' } })).toBeNull();
  });

  it('see what a transaction committed once it has', async () => {
    const tx = openTransaction('committed@x.test', 'commit');
    await tx.ready;
    tx.finish();
    await tx.done;
    expect(await getDb().user.findUnique({ where: { email: 'committed@x.test' } })).not.toBeNull();
  });
});
