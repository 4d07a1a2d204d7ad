import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

/**
 * Which Chromium the end-to-end tests drive: Playwright's own build when installed
 * (`npx playwright install chromium`, needs internet), else a system Chromium
 * (Debian: `apt-get install chromium`), else a clear message. CHROMIUM_PATH overrides.
 */
const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/snap/bin/chromium'];

export function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    if (existsSync(chromium.executablePath())) return undefined; // Playwright's own: no override needed
  } catch {
    // Playwright has no browser for this platform
  }
  const system = SYSTEM_CHROMIUMS.find((candidate) => existsSync(candidate));
  if (system) return system;
  throw new Error(
    'No Chromium found for the end-to-end tests. Install one: `npx playwright install chromium` ' +
      '(needs internet) or `sudo apt-get install chromium` (Debian), or set CHROMIUM_PATH.',
  );
}

/** Flags that keep a headless Chromium quiet on a closed network and runnable as root in CI. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
