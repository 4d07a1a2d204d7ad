import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startThrowawayPostgres } from '../../scripts/lib/throwaway-postgres';
import { RUN_POSTGRES_ENV } from '../support/postgres';
import { SEED_CACHE_ENV } from '../support/server';

/**
 * One folder of seeded demo databases for this run's test files (tests/support/server.ts), and
 * for a PostgreSQL run one throwaway cluster on which each file gets a database of its own
 * (tests/support/postgres.ts); both removed at the end. Both projects call this; the first sets up.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env[SEED_CACHE_ENV]) return async () => {};
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-seed-cache-'));
  process.env[SEED_CACHE_ENV] = dir;
  const cluster = process.env.TEST_DATABASE === 'postgres' && !process.env.TEST_POSTGRES_URL?.trim() ? await startThrowawayPostgres() : undefined;
  if (cluster) process.env[RUN_POSTGRES_ENV] = cluster.url;
  return async () => {
    await cluster?.stop();
    delete process.env[RUN_POSTGRES_ENV];
    rmSync(dir, { recursive: true, force: true });
    delete process.env[SEED_CACHE_ENV];
  };
}
