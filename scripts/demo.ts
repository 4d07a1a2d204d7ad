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
import path from 'node:path';
import { buildIsFresh, run, startDemoAgent } from './lib/demo-run';

const root = process.cwd();

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

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
