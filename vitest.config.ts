import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Files whose behaviour does not depend on the database (face analysis, worker pools, the HTTP
 * edge, in-memory limiters, the route matrix) or that test SQLite files themselves: run once, on
 * SQLite, and left out of the PostgreSQL run (TEST_DATABASE=postgres) to keep `npm test` short.
 */
const SQLITE_ONLY = [
  'tests/integration/face-enrolment.test.ts',
  'tests/integration/migrate.test.ts',
  'tests/integration/map-tiles.test.ts',
  'tests/integration/verification.test.ts',
  'tests/integration/dev-server.test.ts',
  'tests/integration/face-pool.test.ts',
  'tests/integration/security-matrix.test.ts',
  'tests/integration/probe-limits.test.ts',
  'tests/integration/input-robustness.test.ts',
  'tests/integration/web-edge.test.ts',
  'tests/integration/trusted-proxy.test.ts',
  'tests/integration/session-expiry.test.ts',
  'tests/integration/sign-in-limits.test.ts',
  // Prisma-only queries, passes on PostgreSQL too (~42 s); left out of that run for npm test's time budget.
  'tests/integration/service-accounts.test.ts',
  // Camera leases live in the server's memory; what they change in the database (face counts) is
  // covered on PostgreSQL by live-matching.test.ts.
  'tests/integration/camera-leases.test.ts',
  'tests/integration/camera-agent.test.ts',
];
/** Files that need PostgreSQL (several instances cannot share one SQLite file): the PostgreSQL run only. */
const POSTGRES_ONLY = ['tests/integration/cluster.test.ts', 'tests/integration/cluster-leases.test.ts'];
const onPostgres = process.env.TEST_DATABASE === 'postgres';

const TIMING_SENSITIVE = [
  'tests/integration/verification.test.ts',
  'tests/integration/face-pool.test.ts',
  'tests/integration/input-robustness.test.ts',
  'tests/integration/probe-limits.test.ts',
  'tests/integration/session-expiry.test.ts',
  'tests/integration/dev-server.test.ts',
  // Not camera-leases.test.ts: its failover bounds (the 3 s TTL, then under 5 s) leave over a
  // second to spare, and held with the machine loaded seven times over (a lease moved 3.1 s after
  // the freeze), so it runs beside other files.
];

export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          // Two files at a time: most of their time is spent waiting on a server or a socket.
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/integration/global-setup.ts'],
          exclude: [...TIMING_SENSITIVE, ...(onPostgres ? SQLITE_ONLY : POSTGRES_ONLY)],
          environment: 'node',
          pool: 'forks',
          maxWorkers: 2,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // One at a time, after the rest: files that measure latency or lean on timers and worker
          // deadlines, or load the CPU on purpose (a burst of probes, a dev-mode compile).
          name: 'integration-timing',
          include: TIMING_SENSITIVE,
          exclude: onPostgres ? SQLITE_ONLY : [],
          globalSetup: ['tests/integration/global-setup.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
