import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What `npm run demo` and `npm run cluster` share: a fresh build, child processes, the demo camera agent. */

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

export function buildIsFresh(): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  const sources = Math.max(...[...SOURCE_DIRS, ...SOURCE_FILES].map((p) => newestMtime(path.join(root, p))));
  return sources < built;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code})`))));
  });
}

/** Runs a script and answers its standard output (its standard error goes to the terminal). */
function output(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`${args.join(' ')} failed (${code})`))));
  });
}

export async function serverAnswers(baseUrl: string, timeoutMs: number): Promise<boolean> {
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

/**
 * The camera agent on the demo deployment, once the server answers; null when it is not wanted or
 * cannot start. `env` is the environment its key is issued in (the demo's database).
 */
export async function startDemoAgent(baseUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess | null> {
  if (process.env.SIGHTLINE_DEMO_AGENT === '0') return null;
  const issued = JSON.parse(await output(['--import', 'tsx', 'scripts/demo-agent-key.ts', '--demo'], env)) as { key: string; deploymentId: string } | null;
  if (!issued) return null;
  if (!(await serverAnswers(baseUrl, 60_000))) {
    console.error('[demo] the server did not answer within a minute: no camera agent');
    return null;
  }
  console.log('[demo] starting the camera agent on the demo deployment (SIGHTLINE_DEMO_AGENT=0 to leave it to the browsers)');
  const agent = spawn(process.execPath, ['--import', 'tsx', 'scripts/agent.ts', '--deployment', issued.deploymentId, '--fps', '4'], {
    stdio: 'inherit',
    // The key goes through the environment, never the command line (which other users can list).
    env: { ...env, SIGHTLINE_URL: baseUrl, SIGHTLINE_AGENT_KEY: issued.key },
  });
  agent.on('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`[demo] the camera agent stopped (${code}); the camera wall's browsers analyse the cameras instead`);
  });
  return agent;
}
