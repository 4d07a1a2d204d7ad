/**
 * `tsx scripts/run-together.ts <npm script> <npm script> …`: runs npm scripts at the same time,
 * the first one's output live and each other's printed whole when it ends (so outputs never mix),
 * and exits non-zero if any failed. npm test runs the PostgreSQL integration tier beside the
 * end-to-end tier this way: the end-to-end tests spend most of their time waiting on a browser
 * and leave a core free, and neither tier has timing-sensitive files (those run on SQLite only,
 * alone, before — see vitest.config.ts).
 */
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error('usage: tsx scripts/run-together.ts <npm script> [<npm script> …]');
  process.exit(2);
}

function run(script: string, live: boolean): Promise<{ script: string; code: number; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => {
      output += `${error.message}\n`;
    });
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (!live) process.stdout.write(`\n[together] output of ${script}:\n${output.trimEnd()}\n`);
      console.log(`[together] ${script} ${code === 0 ? 'passed' : `failed (exit ${code})`} in ${seconds.toFixed(0)} s`);
      resolve({ script, code: code ?? 1, seconds });
    });
  });
}

const results = await Promise.all(scripts.map((script, index) => run(script, index === 0)));
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
