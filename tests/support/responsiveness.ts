import { spawn } from 'node:child_process';
import path from 'node:path';

export type Latency = { health: number[]; socket: number[]; failures: string[] };

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Until `work` settles, a separate process asks the server's /api/health and a socket `whoami`
 * (signed in with `cookie`) one after another; returns what `work` gave, how long each answer
 * took and how long the work took.
 */
export async function whileProbing<T>(baseUrl: string, cookie: string, work: () => Promise<T>): Promise<{ result: T; latency: Latency; tookMs: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/support/responsiveness-probe.ts'), baseUrl, cookie], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!output.includes('ready\n')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the probe did not start:\n${errors}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const started = performance.now();
  let result: T;
  try {
    result = await work();
  } finally {
    child.stdin.end();
  }
  const tookMs = performance.now() - started;
  if ((await exited) !== 0) throw new Error(`the probe failed:\n${errors}`);
  const latency = JSON.parse(output.slice(output.indexOf('ready\n') + 'ready\n'.length)) as Latency;
  return { result, latency, tookMs };
}

export const slowest = (values: number[]) => Math.round(Math.max(0, ...values));
