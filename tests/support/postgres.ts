import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startThrowawayPostgres } from '../../scripts/lib/throwaway-postgres';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Where the run's throwaway cluster listens (tests/integration/global-setup.ts), when it has one. */
export const RUN_POSTGRES_ENV = 'SIGHTLINE_TEST_POSTGRES_SERVER';

/**
 * A PostgreSQL database for a test file: TEST_POSTGRES_URL when set (used as is, never
 * stopped — the caller owns that server); else a new database on the run's throwaway cluster
 * (one per run, not per file: starting a cluster takes seconds), which stop() drops; otherwise
 * a throwaway cluster of its own on 127.0.0.1 that stop() shuts down and deletes. Needs
 * `apt-get install -y postgresql` for the last two.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env.TEST_POSTGRES_URL?.trim();
  if (external) return { url: external, stop: async () => {} };
  const runCluster = process.env[RUN_POSTGRES_ENV];
  if (runCluster) {
    const database = await createTestDatabase(runCluster);
    return { url: database.url, stop: database.drop };
  }
  return startThrowawayPostgres({ database: 'sightline_test' });
}

/**
 * A new, empty database on the server behind `serverUrl` (whose user may CREATE DATABASE),
 * for a test that must start from nothing; drop() removes it even if connections linger.
 */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sightline_test_${randomUUID().replaceAll('-', '')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
