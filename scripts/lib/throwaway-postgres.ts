import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface ThrowawayPostgres {
  /** postgresql://postgres@127.0.0.1:<port>/<database> — trust auth, loopback only. */
  url: string;
  /** Stop the server and delete its files. Safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server but keeps its files (an outage: connections are cut), until resume(). */
  pause(): Promise<void>;
  /** Starts the paused server again on the same port. */
  resume(): Promise<void>;
}

/**
 * Start a private PostgreSQL cluster in a temp folder: for tests, and as the scratch server
 * db-make-migration needs to replay migrations. Starts in about a second.
 *
 * Assumes the PostgreSQL server binaries are installed (Debian: apt-get install -y postgresql).
 * It listens only on 127.0.0.1 with trust auth, so it must never hold anything worth keeping;
 * durability is switched off for speed. PostgreSQL refuses to run as root, so when we are root
 * the server runs as the `postgres` OS user.
 */
export async function startThrowawayPostgres({ database = 'postgres' }: { database?: string } = {}): Promise<ThrowawayPostgres> {
  const bin = findPostgresBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sightline-pg-'));
  const asServerUser = serverUser(dir);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const pgCtl = path.join(bin, 'pg_ctl');

  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(...asServerUser(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' });
    } catch {
      // Not running (start failed or already stopped): nothing to stop.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // A crashed or interrupted test run must not leave a server behind.
  process.once('exit', stopSync);
  const stop = async () => {
    process.removeListener('exit', stopSync);
    stopSync();
  };

  try {
    await runOrExplain(asServerUser(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']));
    const port = await freePort();
    const options = [
      'listen_addresses=127.0.0.1',
      `port=${port}`,
      // The socket goes in our folder: /var/run/postgresql may not exist or be writable.
      `unix_socket_directories=${dir}`,
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
    ].map((setting) => `-c ${setting}`);
    await runOrExplain(asServerUser(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', options.join(' '), 'start']), logFile);

    const url = `postgresql://postgres@127.0.0.1:${port}/${database}`;
    if (database !== 'postgres') await createDatabase(`postgresql://postgres@127.0.0.1:${port}/postgres`, database);
    const pause = () => runOrExplain(asServerUser(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', 'stop']));
    const resume = () => runOrExplain(asServerUser(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', options.join(' '), 'start']), logFile);
    return { url, stop, pause, resume };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The folder holding initdb and pg_ctl (and pg_dump, pg_restore): the newest /usr/lib/postgresql/<version>/bin, else PATH. */
export function findPostgresBin(): string {
  const debianRoot = '/usr/lib/postgresql';
  const versioned = existsSync(debianRoot)
    ? readdirSync(debianRoot)
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => path.join(debianRoot, version, 'bin'))
    : [];
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const bin = [...versioned, ...onPath].find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin or on PATH. ' +
        'Install them with: apt-get install -y postgresql — or point TEST_POSTGRES_URL at a running server.',
    );
  }
  return bin;
}

/**
 * How to run a server command. As root: hand the folder to the `postgres` user and run
 * through runuser. As anyone else: run it directly.
 */
function serverUser(dir: string): (command: string, args: string[]) => [string, string[]] {
  if (process.getuid?.() !== 0) return (command, args) => [command, args];
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error('Running as root, but there is no `postgres` OS user to run PostgreSQL as (apt-get install -y postgresql creates it).');
  }
  chownSync(dir, uid, gid);
  return (command, args) => ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

async function runOrExplain([command, args]: [string, string[]], logFile?: string): Promise<void> {
  try {
    await run(command, args, { timeout: 60_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    const log = logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n') : '';
    throw new Error(`Could not start the throwaway PostgreSQL: ${[command, ...args].join(' ')} failed.\n${stderr ?? ''}${log ? `\nServer log:\n${log}` : ''}`);
  }
}

/** A port nobody listens on right now (the kernel's choice). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function createDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
