import type { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';

type Adapter = Awaited<ReturnType<PrismaBetterSqlite3['connect']>>;
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>;

/**
 * The better-sqlite3 adapter has one connection. Its transactions take a lock, but a query made
 * outside any transaction does not wait for it: it runs on the same connection, inside whatever
 * transaction another request holds open. So it would read that request's uncommitted rows, and
 * a write of its own would be undone if that transaction rolled back (both shown by
 * tests/integration/db-isolation.test.ts). PostgreSQL, with a pool, has neither problem.
 *
 * This wraps the adapter so that every statement outside a transaction waits until no
 * transaction is open, and a transaction waits for the statement in progress. Statements are
 * synchronous in better-sqlite3 anyway; what waits is only the gap while a transaction's own
 * awaits are pending, usually well under a millisecond.
 *
 * Consequence: code inside `$transaction(async (tx) => …)` must use `tx`, never the global
 * client (that would wait for its own transaction until Prisma's timeout) — as on PostgreSQL,
 * where the global client would not see the transaction's rows either.
 */
export function serialisedSqlite(factory: PrismaBetterSqlite3): PrismaBetterSqlite3 {
  return forwarding(factory, {
    connect: async () => serialise(await factory.connect()),
  });
}

function serialise(adapter: Adapter): Adapter {
  const lock = createLock();
  const outside =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const release = await lock();
      try {
        return await run(...args);
      } finally {
        release();
      }
    };

  return forwarding(adapter, {
    queryRaw: outside(adapter.queryRaw.bind(adapter)),
    executeRaw: outside(adapter.executeRaw.bind(adapter)),
    executeScript: outside(adapter.executeScript.bind(adapter)),
    startTransaction: async (...args: Parameters<Adapter['startTransaction']>) => {
      const release = await lock();
      try {
        return releasingOnEnd(await adapter.startTransaction(...args), release);
      } catch (error) {
        release();
        throw error;
      }
    },
  });
}

/** The transaction as it is, except that ending it (either way) also frees the lock, once. */
function releasingOnEnd(transaction: Transaction, release: () => void): Transaction {
  let released = false;
  const end = (finish: () => Promise<void>) => async (): Promise<void> => {
    try {
      await finish();
    } finally {
      if (!released) {
        released = true;
        release();
      }
    }
  };
  return forwarding(transaction, {
    commit: end(transaction.commit.bind(transaction)),
    rollback: end(transaction.rollback.bind(transaction)),
  });
}

/** A first-come, first-served lock: `await lock()` gives the function that frees it. */
function createLock(): () => Promise<() => void> {
  let tail: Promise<void> = Promise.resolve();
  return async () => {
    let free!: () => void;
    const previous = tail;
    tail = new Promise<void>((resolve) => (free = resolve));
    await previous;
    return free;
  };
}

/**
 * `target` with some members replaced. Everything else is forwarded to `target` itself (its
 * methods bound to it: the adapters keep state in private `#fields`, which a proxy cannot reach).
 */
function forwarding<T extends object>(target: T, overrides: Partial<Record<keyof T, unknown>>): T {
  return new Proxy(target, {
    get(object, property) {
      if (Object.prototype.hasOwnProperty.call(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}
