import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEED_CACHE_ENV } from '../support/server';

/** One folder of seeded demo databases for this run's test files (tests/support/server.ts), removed at the end. */
export default function globalSetup(): () => void {
  if (process.env[SEED_CACHE_ENV]) return () => {};
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-seed-cache-'));
  process.env[SEED_CACHE_ENV] = dir;
  return () => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env[SEED_CACHE_ENV];
  };
}
