/**
 * npm run check (the first step of npm test): the type check, the lint and the format check at
 * the same time. tsc and ESLint are each a single-threaded pass over the whole program, so on two
 * cores running them side by side saves the shorter one's time. Outputs are printed one after
 * the other, not mixed; the exit code is non-zero if any step failed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

type Step = { name: string; command: string[] };

const bin = (name: string) => path.join('node_modules', '.bin', name);

const STEPS: Step[] = [
  { name: 'typecheck', command: [bin('tsc'), '--noEmit', '-p', '.'] },
  { name: 'lint', command: [bin('eslint'), '--max-warnings=0', '.'] },
  { name: 'format', command: [bin('biome'), 'format', '.'] },
];

function run(step: Step): Promise<{ step: Step; code: number; output: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const [command, ...args] = step.command;
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const done = (code: number) => resolve({ step, code, output, seconds: (performance.now() - started) / 1000 });
    child.on('error', (error) => {
      output += `${error.message}\n`;
      done(1);
    });
    child.on('close', (code) => done(code ?? 1));
  });
}

const results = await Promise.all(STEPS.map(run));
for (const { step, code, output, seconds } of results) {
  if (output.trim()) process.stdout.write(`${output.trimEnd()}\n`);
  if (step.name === 'format' && code !== 0) console.log('[check] run `npm run format` to format the files above');
  console.log(`[check] ${step.name} ${code === 0 ? 'passed' : `failed (exit ${code})`} in ${seconds.toFixed(1)} s`);
}
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
