/**
 * Probe path benchmark (issue 13, "capacity of one instance"): what one probe costs the server when
 * it arrives over HTTP (POST /api/deployments/:id/probes) rather than over a socket (`probe:submit`).
 * Both end in the same pipeline (lib/live/probes.ts submitProbe); the difference is what happens
 * before it — the HTTP path checks the session or API key and goes through Next's route stack on
 * every request, the socket path did that once at its handshake.
 *
 * Run:    npm run bench:probe-path        (about 2 minutes, a quarter of it set-up)
 *         NEXT_DIST_DIR=.next-bench npm run bench:probe-path   to use another build folder
 * Needs:  a production build (`npm run build`). The server is started here (tests/support/server.ts)
 *         on 127.0.0.1 with a throwaway SQLite database, and stopped at the end.
 * Options (environment): BENCH_RATES=50,100,200,400,800,1600 (probes per second, climbed in turn),
 *         BENCH_STEP_SECONDS=5, BENCH_LISTENERS=50, BENCH_PATHS=http,key,socket;
 *         BENCH_SERVER_NODE_OPTIONS, Node options for the server only, and BENCH_PROFILE_SIGNAL=1 to
 *         send it SIGUSR2 just before and after the steps (for a preloaded profiler that starts and
 *         stops on that signal: Node 20 refuses --cpu-prof in NODE_OPTIONS).
 * Output: a table per rate and path; the highest rate each path held; server CPU per probe and the
 *         ratio HTTP/socket; bench/results/probe-path.json. Exit code 1 when the HTTP (session) path
 *         costs more than twice the socket path's CPU per probe (the target of issue 13).
 *
 * What is measured, precisely:
 * - One live deployment with three cameras and BENCH_LISTENERS operator sockets in its room (as
 *   many operators watching it). The probes are strangers — random descriptors, far from every
 *   watchlist face, so each is answered `matched: false` at once, with no crop, write or alert: the
 *   cheap, common case, where the cost of getting to the pipeline matters most.
 * - Paths: `http` — the operator's session cookie, fetch() from this process with keep-alive;
 *   `key` — a camera agent's API key (Authorization: Bearer), the same route; `socket` — one
 *   socket signed in as the operator (a second session), `probe:submit` with an ack, as a live
 *   tile sends. each path uses a camera of its own (each holds its camera's lease).
 * - Each step sends at a fixed rate for BENCH_STEP_SECONDS (probe i at start + i/rate, open loop:
 *   never waiting for answers), then waits for the last answers. Latency: from the send to the
 *   answer here. A step is held when every probe was answered `matched: false` within 10 s and
 *   p99 < 500 ms. The paths take turns at each rate (http, key, socket, then the next rate), so
 *   machine noise falls on all of them alike; a path that failed a rate is not tried higher.
 * - Server CPU: utime + stime of the server process from /proc/<pid>/stat before and after each
 *   step (10 ms ticks), divided by the probes of the step. The server's idle CPU (timers, lease
 *   sweeps), measured for 3 s before the steps, is taken off ("net"). The headline ratio is each
 *   path's net CPU over all its probes of the rates both paths held (so a rate counts by its
 *   probes); the ratio at each of those rates is printed too.
 * - This process's own CPU is printed too: on a small machine the sender can be the limit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { CAMERA_INSIDE, validPlan } from '../tests/support/deployment-fixtures';
import { startServer } from '../tests/support/server';
import { createServiceAccount } from '../tests/support/service-accounts';
import type { Session } from '../tests/support/session';
import { connectSocket, type TestSocket } from '../tests/support/sockets';
import { seededRandom } from '../tests/support/seeded-random';
import { expectStatus, signedIn, sleep } from './support';

const RATES = list('BENCH_RATES', [50, 100, 200, 400, 800, 1600]).map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS || 5);
const LISTENERS = Number(process.env.BENCH_LISTENERS || 50);
const PATHS = list('BENCH_PATHS', ['http', 'key', 'socket']) as PathName[];
/** Sends the server SIGUSR2 before and after the steps, for a profiler preloaded through BENCH_SERVER_NODE_OPTIONS. */
const PROFILE_SIGNAL = process.env.BENCH_PROFILE_SIGNAL === '1';
const HELD_P99_MS = 500;
const ANSWER_TIMEOUT_MS = 10_000;
const TARGET_RATIO = 2;
const OVERRIDE = { overrideReason: 'Benchmark deployment: the bundled recogniser cannot meet the target.' };

type PathName = 'http' | 'key' | 'socket';

function list(name: string, fallback: (string | number)[]): string[] {
  const raw = process.env[name]?.trim();
  return raw ? raw.split(',').map((s) => s.trim()) : fallback.map(String);
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** CPU seconds used so far by the server process (this process's child running server.ts), Linux only. */
function serverCpuReader(): { pid: number; read: () => number } {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const pid = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .find((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('server.ts');
      } catch {
        return false;
      }
    });
  if (!pid) throw new Error('Cannot find the server process in /proc (this benchmark needs Linux).');
  const read = () => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks; // utime + stime
  };
  return { pid: Number(pid), read };
}

// Seeded, so every run sends the same faces.
const { gaussian } = seededRandom(20_261_305);

/** A stranger: a random unit vector lies about √2 from every face-api descriptor, far beyond any threshold. */
function strangerDescriptor(): number[] {
  const v = Array.from({ length: 128 }, () => gaussian());
  const norm = Math.hypot(...v);
  return v.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}

const DESCRIPTORS = Array.from({ length: 256 }, strangerDescriptor);
let sent = 0;

function probeBody(cameraId: string): Record<string, unknown> {
  const i = sent++;
  return {
    cameraId,
    trackId: `bench-${i}`,
    descriptor: DESCRIPTORS[i % DESCRIPTORS.length],
    box: { x: 100, y: 80, width: 120, height: 120 },
    detectionScore: 0.97,
    capturedAt: new Date().toISOString(),
  };
}

type Sender = (signal: { startedAt: number }) => Promise<boolean>;

type Step = {
  path: PathName;
  rate: number;
  sent: number;
  answered: number;
  failed: number;
  firstFailure: string | null;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  slipMs: number;
  serverCpuMsPerProbe: number;
  netServerCpuMsPerProbe: number;
  benchCpuMsPerProbe: number;
  held: boolean;
};

async function runStep(pathName: PathName, rate: number, send: Sender, serverCpu: () => number, idleCpuPerSecond: number): Promise<Step> {
  const total = Math.round(rate * STEP_SECONDS);
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | null = null;
  let slip = 0;
  const pending: Promise<void>[] = [];
  const cpuBefore = serverCpu();
  const benchBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const start = performance.now() + 20;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    else slip = Math.max(slip, -wait);
    const startedAt = performance.now();
    pending.push(
      Promise.race([send({ startedAt }), sleep(ANSWER_TIMEOUT_MS).then(() => 'timeout' as const)]).then(
        (outcome) => {
          if (outcome === true) latencies.push(performance.now() - startedAt);
          else {
            failed++;
            firstFailure ??= outcome === 'timeout' ? `no answer within ${ANSWER_TIMEOUT_MS} ms` : 'unexpected answer';
          }
        },
        (error: unknown) => {
          failed++;
          firstFailure ??= error instanceof Error ? error.message : String(error);
        },
      ),
    );
  }
  await Promise.all(pending);
  const wallSeconds = (performance.now() - wallBefore) / 1000;
  const cpuSeconds = serverCpu() - cpuBefore;
  const bench = process.cpuUsage(benchBefore);
  latencies.sort((a, b) => a - b);
  const p99 = percentile(latencies, 0.99);
  return {
    path: pathName,
    rate,
    sent: total,
    answered: latencies.length,
    failed,
    firstFailure,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: p99,
    maxMs: latencies.at(-1) ?? NaN,
    slipMs: slip,
    serverCpuMsPerProbe: (cpuSeconds * 1000) / total,
    netServerCpuMsPerProbe: (Math.max(0, cpuSeconds - idleCpuPerSecond * wallSeconds) * 1000) / total,
    benchCpuMsPerProbe: (bench.user + bench.system) / 1000 / total,
    held: failed === 0 && p99 < HELD_P99_MS,
  };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

async function main(): Promise<void> {
  console.log(`Probe path: rates ${RATES.join(', ')}/s, ${STEP_SECONDS} s each, ${LISTENERS} listeners; paths ${PATHS.join(', ')}`);
  const limits = '100000';
  const server = await startServer({
    // The per-user and per-socket probe limits (lib/live/limits.ts) are far above a camera wall's
    // rate but would cut the climb short: this measures capacity, not the limits.
    env: {
      PROBES_PER_SECOND_PER_SOCKET: limits,
      PROBE_BURST_PER_SOCKET: limits,
      PROBES_PER_SECOND_PER_USER: limits,
      PROBE_BURST_PER_USER: limits,
      MAX_SOCKETS_PER_USER: String(LISTENERS + 10),
      ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
    },
  });
  const sockets: TestSocket[] = [];
  try {
    const base = server.baseUrl;
    const [admin, officer, officer2, operator, tile, watcher] = (await Promise.all(
      ['admin', 'officer', 'officer2', 'operator', 'operator', 'operator2'].map((who) => signedIn(base, `${who}@sightline.test`)),
    )) as [Session, Session, Session, Session, Session, Session];
    const { watchlists } = await expectStatus<{ watchlists: { id: string; name: string }[] }>(await officer.fetch('/api/watchlists'), 200, 'watchlists');
    const demoId = watchlists.find((w) => w.name === 'Demo — central London')!.id;
    const { id } = await expectStatus<{ id: string }>(
      await officer.json('/api/deployments', 'POST', validPlan([demoId], { name: 'Probe path' })),
      201,
      'create',
    );
    for (const name of ['Probe path 1', 'Probe path 2', 'Probe path 3']) {
      await expectStatus(await officer.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, name }), 201, 'camera');
    }
    await expectStatus(await officer.json(`/api/deployments/${id}/submit`, 'POST', OVERRIDE), 200, 'submit');
    await expectStatus(await officer2.json(`/api/deployments/${id}/authorise`, 'POST', OVERRIDE), 200, 'authorise');
    const live = await expectStatus<{ cameras: { id: string }[] }>(await officer.fetch(`/api/deployments/${id}/start`, { method: 'POST' }), 200, 'start');
    const [httpCamera, keyCamera, socketCamera] = live.cameras.map((c) => c.id) as [string, string, string];
    const agent = await createServiceAccount(base, admin, [id], { name: 'Probe path agent' });

    // The listeners: operators watching the deployment (the second demo operator, many tabs).
    for (let i = 0; i < LISTENERS; i++) {
      const { socket, error } = await connectSocket(base, watcher.cookieHeader());
      if (error) throw new Error(`listener ${i + 1}: ${error}`);
      const joined = await socket.emitWithAck('deployment:join', { deploymentId: id });
      if (!joined.ok) throw new Error(`listener ${i + 1} could not join: ${joined.error}`);
      sockets.push(socket);
    }
    const { socket: submitter, error } = await connectSocket(base, tile.cookieHeader());
    if (error) throw new Error(`submitter: ${error}`);
    sockets.push(submitter);
    const offered = await submitter.emitWithAck('lease:offer', { deploymentId: id, cameraIds: [socketCamera] });
    if (!offered.ok) throw new Error(`offer: ${offered.error}`);
    // A live tile renews its lease every second; HTTP senders renew theirs with each probe.
    const renewer = setInterval(() => {
      void submitter
        .emitWithAck('lease:renew', { deploymentId: id, cameras: [{ cameraId: socketCamera, state: 'analysing', detectionsPerSecond: 5 }] })
        .catch(() => undefined);
    }, 1000);

    const url = `${base}/api/deployments/${id}/probes`;
    const httpSender =
      (cameraId: string, headers: Record<string, string>): Sender =>
      async () => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(probeBody(cameraId)),
        });
        const answer = (await response.json()) as { matched?: boolean; cropNeeded?: boolean; message?: string };
        if (response.status !== 200) throw new Error(`${response.status}: ${answer.message ?? ''}`);
        return answer.matched === false && !answer.cropNeeded;
      };
    const senders: Record<PathName, Sender> = {
      http: httpSender(httpCamera, { cookie: operator.cookieHeader() }),
      key: httpSender(keyCamera, { authorization: `Bearer ${agent.key}` }),
      socket: async () => {
        const answer = (await submitter.timeout(ANSWER_TIMEOUT_MS).emitWithAck('probe:submit', { deploymentId: id, ...probeBody(socketCamera) })) as {
          matched?: boolean;
          cropNeeded?: boolean;
          error?: string;
          message?: string;
        };
        if (answer.error) throw new Error(`${answer.error}: ${answer.message ?? ''}`);
        return answer.matched === false && !answer.cropNeeded;
      },
    };

    // Warm-up, not measured: JIT, Prisma's prepared queries, connections, the matcher.
    const { pid: serverPid, read: serverCpu } = serverCpuReader();
    for (const name of PATHS) for (let i = 0; i < 200; i++) await senders[name]({ startedAt: 0 });
    await sleep(1000);
    const idleBefore = serverCpu();
    await sleep(3000);
    const idleCpuPerSecond = (serverCpu() - idleBefore) / 3;
    console.log(`  set up: deployment live, ${LISTENERS} listeners; server idle CPU ${fmt(idleCpuPerSecond * 1000)} ms/s`);

    const steps: Step[] = [];
    if (PROFILE_SIGNAL) process.kill(serverPid, 'SIGUSR2');
    const failedAt = new Set<PathName>();
    console.log('\n  path    rate/s  answered  failed  p50 ms  p99 ms  max ms  server CPU ms/probe (net)  bench CPU ms/probe  held');
    for (const rate of RATES) {
      for (const name of PATHS) {
        if (failedAt.has(name)) continue;
        const step = await runStep(name, rate, senders[name], serverCpu, idleCpuPerSecond);
        steps.push(step);
        if (!step.held) failedAt.add(name);
        console.log(
          `  ${name.padEnd(7)} ${String(rate).padStart(6)}  ${String(step.answered).padStart(8)}  ${String(step.failed).padStart(6)}  ${fmt(step.p50Ms).padStart(6)}  ${fmt(step.p99Ms).padStart(6)}  ${fmt(step.maxMs).padStart(6)}  ${fmt(step.serverCpuMsPerProbe, 2).padStart(10)} (${fmt(step.netServerCpuMsPerProbe, 2)})`.padEnd(
            94,
          ) +
            `  ${fmt(step.benchCpuMsPerProbe, 2).padStart(8)}            ${step.held ? 'yes' : `no${step.firstFailure ? ` (${step.firstFailure.slice(0, 80)})` : ''}`}`,
        );
        await sleep(500);
      }
      if (PATHS.every((name) => failedAt.has(name))) break;
    }
    clearInterval(renewer);
    if (PROFILE_SIGNAL) process.kill(serverPid, 'SIGUSR2');

    // ---- summary ------------------------------------------------------------------------------
    const heldRate = (name: PathName) => Math.max(0, ...steps.filter((s) => s.path === name && s.held).map((s) => s.rate));
    const heldBy = (name: PathName) => new Set(steps.filter((s) => s.path === name && s.held).map((s) => s.rate));
    /** Net server CPU per probe over every probe of these rates (so each rate counts by its probes). */
    const cpuOver = (name: PathName, rates: Set<number>) => {
      const chosen = steps.filter((s) => s.path === name && rates.has(s.rate));
      return chosen.reduce((sum, s) => sum + s.netServerCpuMsPerProbe * s.sent, 0) / chosen.reduce((sum, s) => sum + s.sent, 0);
    };
    console.log('\n  highest rate held (every probe answered, p99 < 500 ms):');
    for (const name of PATHS) console.log(`    ${name.padEnd(7)} ${heldRate(name)}/s${failedAt.has(name) ? '' : ' (the highest tried)'}`);
    const ratios: Record<string, { rates: number[]; cpuMsPerProbe: number; socketCpuMsPerProbe: number; ratio: number }> = {};
    if (PATHS.includes('socket')) {
      for (const name of PATHS.filter((p) => p !== 'socket')) {
        const common = new Set([...heldBy(name)].filter((r) => heldBy('socket').has(r)));
        if (common.size === 0) continue;
        const cpu = cpuOver(name, common);
        const socketCpu = cpuOver('socket', common);
        ratios[name] = { rates: [...common], cpuMsPerProbe: cpu, socketCpuMsPerProbe: socketCpu, ratio: cpu / socketCpu };
        const perRate = [...common].map((rate) => `${rate}/s ${fmt(cpuOver(name, new Set([rate])) / cpuOver('socket', new Set([rate])), 2)}×`).join(', ');
        console.log(
          `  ${name}/socket server CPU per probe (net, over every probe of ${[...common].join(', ')}/s): ${fmt(cpu, 2)} / ${fmt(socketCpu, 2)} ms = ${fmt(cpu / socketCpu, 2)}×  (${perRate})`,
        );
      }
    }
    console.log(
      `  machine: ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const pass = ratios.http ? ratios.http.ratio <= TARGET_RATIO : false;
    console.log(
      ratios.http ? `\n${pass ? 'PASS' : 'FAIL'}: HTTP costs ${fmt(ratios.http.ratio, 2)}× the socket path's CPU per probe (target ≤ ${TARGET_RATIO}×)` : '',
    );

    const outDir = path.join(import.meta.dirname, 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      path.join(outDir, 'probe-path.json'),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          settings: { rates: RATES, stepSeconds: STEP_SECONDS, listeners: LISTENERS, paths: PATHS },
          idleServerCpuMsPerSecond: idleCpuPerSecond * 1000,
          steps,
          highestRateHeld: Object.fromEntries(PATHS.map((name) => [name, heldRate(name)])),
          ratios,
          machine: { cpus: cpus().length, loadavg: loadavg() },
        },
        null,
        2,
      ) + '\n',
    );
    if (ratios.http && !pass) process.exitCode = 1;
  } finally {
    for (const socket of sockets) socket.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
