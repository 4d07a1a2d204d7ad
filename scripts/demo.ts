/**
 * `npm run demo`: builds the app (when the build is missing or older than the sources),
 * migrates the embedded database, seeds the demo and serves it — all on this machine,
 * nothing downloaded. Honours PORT; the session secret is generated into data/.
 */
import { spawn } from 'node:child_process';
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
  await run(process.execPath, ['--import', 'tsx', 'server.ts'], { ...process.env, NODE_ENV: 'production', SIGHTLINE_DEMO: '1' });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
