import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sqliteFilePath } from '@/lib/db/url';
import { findPostgresBin } from '../../scripts/lib/throwaway-postgres';
import { startPostgres } from './postgres';

const execFileAsync = promisify(execFile);

/**
 * Starts the real server (server.ts, production build) on a free port with its own fresh
 * database: a temp SQLite file, or a new PostgreSQL database when TEST_DATABASE=postgres.
 * Needs `npm run build` first (npm test does it).
 */
export type TestServer = {
  baseUrl: string;
  databaseUrl: string;
  provider: 'sqlite' | 'postgresql';
  output: () => string;
  /** Ends the server process (SIGTERM, as an operator would) but keeps its database. */
  shutdown: () => Promise<void>;
  /** Ends the server and deletes its database. */
  stop: () => Promise<void>;
  /** Signals the server process (SIGKILL: a crash) and resolves once it has exited. */
  kill: (signal: NodeJS.Signals) => Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function testDatabase(): Promise<{ url: string; provider: 'sqlite' | 'postgresql'; cleanup: () => Promise<void> }> {
  if (process.env.TEST_DATABASE === 'postgres') {
    const pg = await startPostgres();
    return { url: pg.url, provider: 'postgresql', cleanup: pg.stop };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-test-'));
  return {
    url: `file:${path.join(dir, 'test.db')}`,
    provider: 'sqlite',
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs a project script (TypeScript, via tsx) against a database and waits for it. */
export async function runScript(script: string, args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${code}:\n${output}`);
  return output;
}

/** Where seeded demo databases are kept for this run (tests/integration/global-setup.ts). */
export const SEED_CACHE_ENV = 'SIGHTLINE_TEST_SEED_CACHE';

/**
 * The demo seed enrols its watchlist through the face models: about 12 s of CPU, asked for by
 * nearly every test file. Within one run, a seeded database is kept per set of environment
 * values the seed sees and copied for each server: a SQLite file, or a PostgreSQL dump restored
 * into each file's fresh database (pg_restore takes well under a second). The folder lives only
 * as long as the run, so a change to the seed or the code is always seen by the next run.
 */
export async function seedDemoData(database: { url: string; provider: 'sqlite' | 'postgresql' }, serverEnv: Record<string, string>): Promise<void> {
  const cacheDir = process.env[SEED_CACHE_ENV];
  // The seed reads only the recognisers' settings (it enrols photos through them); the rest (tile
  // archives, session lifetimes, proxies, limits) are the server's. Only those reach the seed, so
  // servers differing in the rest share one cached seed.
  const extraEnv = Object.fromEntries(Object.entries(serverEnv).filter(([name]) => /^RECOGNI(SER|TION)_/.test(name)));
  const seed = () => runScript('scripts/seed.ts', ['--demo'], { ...extraEnv, DATABASE_URL: database.url });
  // An external server (TEST_POSTGRES_URL) is used as is, maybe not empty: seeded each time.
  if (!cacheDir || (database.provider === 'postgresql' && process.env.TEST_POSTGRES_URL?.trim())) {
    await seed();
    return;
  }
  const key = createHash('sha256')
    .update(JSON.stringify(Object.entries(extraEnv).sort()))
    .digest('hex')
    .slice(0, 16);
  if (database.provider === 'postgresql') {
    await seedPostgresFromCache(path.join(cacheDir, `demo-${key}.pgdump`), database.url, seed);
    return;
  }
  const cached = path.join(cacheDir, `demo-${key}.db`);
  const file = sqliteFilePath(database.url);
  if (existsSync(cached)) {
    copyFileSync(cached, file);
    return;
  }
  await seed();
  // Staged, then renamed: a file seeded at the same moment by another worker never shows half.
  const staged = `${cached}.${process.pid}.partial`;
  copyFileSync(file, staged);
  renameSync(staged, cached);
}

/** A database a server can be started on later (`databaseOf`); stop() deletes it. */
export type TestDatabase = Pick<TestServer, 'databaseUrl' | 'provider' | 'stop'>;

/**
 * A fresh database seeded with the demo, with no server started on it: cheaper than starting and
 * shutting down a server when a test needs only the seeded data (e.g. photos enrolled before a
 * recogniser is enabled).
 */
export async function seededDatabase(extraEnv: Record<string, string> = {}): Promise<TestDatabase> {
  const database = await testDatabase();
  await seedDemoData(database, extraEnv);
  return { databaseUrl: database.url, provider: database.provider, stop: database.cleanup };
}

/** Restores the cached dump into the fresh (empty) database, or seeds it and caches its dump. */
async function seedPostgresFromCache(cached: string, url: string, seed: () => Promise<unknown>): Promise<void> {
  const bin = findPostgresBin();
  if (existsSync(cached)) {
    await execFileAsync(path.join(bin, 'pg_restore'), ['--no-owner', '--no-privileges', '--exit-on-error', '--dbname', url, cached]);
    return;
  }
  await seed();
  const staged = `${cached}.${process.pid}.partial`;
  await execFileAsync(path.join(bin, 'pg_dump'), ['--format=custom', '--no-owner', '--no-privileges', '--file', staged, url]);
  renameSync(staged, cached);
}

type StartOptions = {
  env?: Record<string, string>;
  seedDemo?: boolean;
  dev?: boolean;
  /** Start on this database (an earlier, shut down server's, or seededDatabase()) instead of a fresh one; its stop() still deletes it. */
  databaseOf?: TestDatabase;
};

export async function startServer({ env: extraEnv = {}, seedDemo = true, dev = false, databaseOf }: StartOptions = {}): Promise<TestServer> {
  const database = databaseOf ? { url: databaseOf.databaseUrl, provider: databaseOf.provider, cleanup: async () => {} } : await testDatabase();
  // The seed enrols the demo watchlist with the same recognisers the server will run.
  if (seedDemo && !databaseOf) await seedDemoData(database, extraEnv);
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: dev ? 'development' : 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      AUTH_SECRET: randomBytes(32).toString('base64url'),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const baseUrl = `http://localhost:${port}`;
  const deadline = Date.now() + (dev ? 120_000 : 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      await database.cleanup();
      throw new Error(`server exited early (${child.exitCode}):\n${output}`);
    }
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  async function shutdown() {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }

  return {
    baseUrl,
    databaseUrl: database.url,
    provider: database.provider,
    output: () => output,
    shutdown,
    kill: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
    stop: async () => {
      await shutdown();
      await database.cleanup();
    },
  };
}
