/**
 * `npm run demo`: builds the app (when the build is missing or older than the sources),
 * migrates the embedded database, seeds the demo and serves it — all on this machine,
 * nothing downloaded. Honours PORT; the session secret is generated into data/.
 *
 * It also starts the camera agent (`npm run agent`) on the demo deployment with a fresh service
 * account key, so the demo cameras are analysed and raise alerts with no browser open. Without
 * ffmpeg, or with SIGHTLINE_DEMO_AGENT=0, the demo runs without it and the camera wall's
 * browsers analyse the cameras instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = process.cwd();
const SOURCE_DIRS = ['app', 'components', 'lib', 'public'];
const SOURCE_FILES = ['auth.ts', 'proxy.ts', 'next.config.js', 'package-lock.json'];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of readdirSync(entry)) {
    if (child === 'generated' || child === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(path.join(entry, child)));
  }
  return newest;
}

function buildIsFresh(): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  const sources = Math.max(...[...SOURCE_DIRS, ...SOURCE_FILES].map((p) => newestMtime(path.join(root, p))));
  return sources < built;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code})`))));
  });
}

async function main() {
  if (buildIsFresh()) {
    console.log('[demo] build is up to date');
  } else {
    console.log('[demo] building the app (about a minute the first time)…');
    await run(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build']);
  }
  console.log('[demo] preparing the embedded database and demo data…');
  await run(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--demo']);
  console.log('[demo] starting Sightline. Demo logins: see README (password sightline-demo). Ctrl+C to stop.');
  const server = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', SIGHTLINE_DEMO: '1' },
  });
  let agent: ChildProcess | null = null;
  const stop = () => {
    agent?.kill('SIGTERM');
    server.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const exited = new Promise<number>((resolve) => server.on('exit', (code) => resolve(code ?? 0)));
  agent = await startDemoAgent(`http://localhost:${process.env.PORT ?? 3000}`).catch((error: unknown) => {
    console.error(`[demo] no camera agent: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  const code = await exited;
  agent?.kill('SIGTERM');
  process.exit(code);
}

/** Runs a script and answers its standard output (its standard error goes to the terminal). */
function output(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`${args.join(' ')} failed (${code})`))));
  });
}

async function serverAnswers(baseUrl: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

/** The camera agent on the demo deployment, once the server answers; null when it is not wanted or cannot start. */
async function startDemoAgent(baseUrl: string): Promise<ChildProcess | null> {
  if (process.env.SIGHTLINE_DEMO_AGENT === '0') return null;
  const issued = JSON.parse(await output(['--import', 'tsx', 'scripts/demo-agent-key.ts', '--demo'])) as { key: string; deploymentId: string } | null;
  if (!issued) return null;
  if (!(await serverAnswers(baseUrl, 60_000))) {
    console.error('[demo] the server did not answer within a minute: no camera agent');
    return null;
  }
  console.log('[demo] starting the camera agent on the demo deployment (SIGHTLINE_DEMO_AGENT=0 to leave it to the browsers)');
  const agent = spawn(process.execPath, ['--import', 'tsx', 'scripts/agent.ts', '--deployment', issued.deploymentId, '--fps', '4'], {
    stdio: 'inherit',
    // The key goes through the environment, never the command line (which other users can list).
    env: { ...process.env, SIGHTLINE_URL: baseUrl, SIGHTLINE_AGENT_KEY: issued.key },
  });
  agent.on('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`[demo] the camera agent stopped (${code}); the camera wall's browsers analyse the cameras instead`);
  });
  return agent;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
