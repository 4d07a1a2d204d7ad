import { afterAll, beforeAll } from 'vitest';
import { disconnectDb } from '@/lib/db/client';
import { applyMigrations } from '@/lib/db/migrate';
import { testDatabase } from './server';

/**
 * For tests that call lib/ code in this process (no server): a fresh, migrated database of the
 * configured kind (SQLite, or PostgreSQL with TEST_DATABASE=postgres) behind `getDb()` for the
 * file, removed afterwards.
 */
export function useFreshDatabase(): void {
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await testDatabase();
    cleanup = database.cleanup;
    process.env.DATABASE_URL = database.url;
    await applyMigrations({ databaseUrl: database.url, log: () => {} });
  });
  afterAll(async () => {
    await disconnectDb();
    await cleanup?.();
  });
}
