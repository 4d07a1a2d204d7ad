import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from './tests/e2e/browser';
import { E2E_SEED_CACHE_PREFIX } from './tests/e2e/global-setup';
import { SEED_CACHE_ENV } from './tests/support/server';

// One folder of seeded demo databases for the run (removed by tests/e2e/global-setup.ts's
// teardown): the shared server below seeds into it, and a spec starting a server of its own
// copies from it. Set once, in the runner; its workers and the server inherit it.
process.env[SEED_CACHE_ENV] ??= mkdtempSync(path.join(tmpdir(), E2E_SEED_CACHE_PREFIX));

const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${PORT}`;

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    ...devices['Desktop Chrome'],
    launchOptions: { executablePath: chromiumExecutable(), args: CHROMIUM_ARGS },
  },
  webServer: {
    command: 'node --import tsx tests/e2e/serve.ts',
    url: `${baseURL}/api/health`,
    // Street tiles from configuration (they 404 here: the test only checks they are requested).
    env: { PORT: String(PORT), MAP_TILE_URL: '/geo/tiles/{z}/{x}/{y}.png' },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
