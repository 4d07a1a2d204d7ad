/**
 * The server the end-to-end tests drive: the production build on a fresh temp SQLite
 * database seeded with the demo. Started by playwright.config.ts.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seedDemoData } from '../support/server';

const dir = mkdtempSync(path.join(tmpdir(), 'sightline-e2e-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'production',
  DATABASE_URL: `file:${path.join(dir, 'e2e.db')}`,
  AUTH_SECRET: randomBytes(32).toString('base64url'),
  HOST: '127.0.0.1',
};
// Seeded into the run's cache (playwright.config.ts): a spec starting a server of its own copies it.
await seedDemoData({ url: env.DATABASE_URL!, provider: 'sqlite' }, {});
const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { env, stdio: 'inherit' });
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => process.exit(code ?? 0));
