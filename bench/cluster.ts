/**
 * Cluster benchmark (issue 13): does a second instance add capacity? For each socket.io adapter
 * (PostgreSQL LISTEN/NOTIFY, Redis streams) it starts a throwaway cluster (scripts/lib/cluster.ts:
 * PostgreSQL, Redis for the Redis adapter, two instances of the built server, no balancer), seeds
 * the demo data once, and measures the same stepped load first with ONE instance running (the
 * second stopped) and then with BOTH. Target: two instances hold at least 1.6× the rate of one, and
 * p99 under 100 ms at 200 probes/s.
 *
 * Run:    npm run bench:cluster            (about 6–10 minutes; needs `npx next build` first and
 *                                            PostgreSQL, redis-server on this machine)
 * Options (environment): BENCH_ADAPTERS=postgres,redis; BENCH_RATES=50,100,200,300,400,600,800
 *         (probes per second, in order); BENCH_STEP_SECONDS=4; BENCH_SOCKETS=50;
 *         BENCH_MATCH_EVERY=10 (each sender's every n-th probe is the watchlisted face).
 * Output: a table on stdout; bench/results/cluster.json.
 *
 * What is measured, precisely:
 * - The demo deployment (live in the seed, four cameras). 50 operator sockets (the demo's two
 *   operators, 25 sockets each) join its room, spread round-robin over the running instances.
 * - Four probe senders, each its own operator account and its own camera (camera leases are held
 *   per instance, so one camera's faces must all reach one instance), spread round-robin over the
 *   instances: with two instances each receives half of the probes. A sender sends as a live tile
 *   does (bench/alerts.ts): the descriptor, and for a candidate the crop again with the server's
 *   ticket, and again shortly if the verifier is busy with this user's other candidates.
 * - The offered rate is split evenly over the senders on one fixed schedule in this process. Every
 *   tenth probe of each sender is a frame of the demo's wanted person (DEMO-WAR-0001, a franck
 *   frame that is not enrolled, plus a little noise), the rest are strangers that match nothing.
 *   Each matching probe raises an alert or adds a sighting to the open one (four cameras, one
 *   person: after the first, sightings coalesce into `alert:updated`).
 * - Probe-to-every-socket latency, per matching probe: from handing it to socket.io to the LAST of
 *   the 50 sockets receiving its alert event (the first `alert:created`/`alert:updated` for its
 *   alert whose `sightings` reaches the probe's rank, received after it was sent; rank = the
 *   alert's sightings in the database at the start of the phase plus the order of the answers
 *   naming it, which all come over one socket). p50/p99 over the matching probes of a step.
 * - A step is HELD when that p99 is under 500 ms, no alert was lost (every socket had it within
 *   5 s), no probe was refused or unanswered, and the schedule was kept (±5 %). Steps go up to
 *   200 probes/s (the target's rate) in any case, then on until one is not held. "Highest rate
 *   held" is the highest step with every step up to it held.
 * - CPU per process from /proc/<pid>/stat (utime + stime) over each step: each instance, PostgreSQL
 *   (the postmaster and its backends), Redis, and this process (which sends every probe and
 *   receives every one of the 50 sockets' events), and the whole machine from /proc/stat.
 *
 * The server's probe limits (per socket, per user) and the sockets per user are raised for the run
 * (env below): this measures capacity, not the flood limits, which are per instance anyway.
 */
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { AlertView } from '../lib/alerts/data';
import { DEMO_LIVE_NAME } from '../lib/demo/deployment-seed';
import { TemplateIndex } from '../lib/matching/index';
import { bytesToVector } from '../lib/recognition/vectors';
import { startCluster, type Cluster, type ClusterInstance } from '../scripts/lib/cluster';
import { run as runScript } from '../scripts/lib/demo-run';
import { analyseFaces } from '../lib/recognition/face-analysis';
import { GROUP_PHOTOS } from '../tests/support/face-fixtures';
import { probeFixtures } from '../tests/support/probes';
import { rawQuery } from '../tests/support/raw-db';
import { seededRandom } from '../tests/support/seeded-random';
import { createAccount, DEMO_PASSWORD, Session } from '../tests/support/session';
import { connectSocket, type TestSocket } from '../tests/support/sockets';
import { cpuPressureMicros, now, percentile, positive, sleep } from './support';

// ---- configuration ------------------------------------------------------------------------

type Adapter = 'postgres' | 'redis';
const ADAPTERS = (process.env.BENCH_ADAPTERS ?? 'postgres,redis').split(',').map((a) => a.trim()) as Adapter[];
for (const a of ADAPTERS) if (a !== 'postgres' && a !== 'redis') throw new Error(`BENCH_ADAPTERS: unknown adapter "${a}"`);
const RATES = (process.env.BENCH_RATES ?? '50,100,200,300,400,600,800').split(',').map(Number);
if (RATES.some((r) => !(r > 0))) throw new Error('BENCH_RATES must be positive numbers, comma-separated.');
const STEP_SECONDS = positive('BENCH_STEP_SECONDS', 4);
const SOCKETS = Math.round(positive('BENCH_SOCKETS', 50));
const MATCH_EVERY = Math.round(positive('BENCH_MATCH_EVERY', 10));
const SENDERS = 4; // one per demo camera
const WARM_UP = { rate: 50, seconds: 2 };
const HELD_P99_MS = 500;
const LOST_AFTER_MS = 5000;
const ACK_TIMEOUT_MS = 10_000;
const TARGET = { ratio: 1.6, p99Ms: 100, atRate: 200 };
const SERVER_ENV = {
  PROBES_PER_SECOND_PER_SOCKET: '5000',
  PROBE_BURST_PER_SOCKET: '10000',
  PROBES_PER_SECOND_PER_USER: '10000',
  PROBE_BURST_PER_USER: '20000',
  MAX_SOCKETS_PER_USER: '100',
};
const RECEIVER_EMAILS = ['operator@sightline.test', 'operator2@sightline.test'];
const RETRYABLE_VERIFY_CODES = new Set(['verification_busy', 'analysis_busy', 'analysis_timeout', 'rate_limited']);
const ROOT = path.resolve(import.meta.dirname, '..');

// ---- small helpers ------------------------------------------------------------------------

const { gaussian } = seededRandom(20_261_305);

/** `base` moved in a random direction by exactly `norm`. */
function perturbed(base: readonly number[], norm: number): number[] {
  const direction = base.map(() => gaussian());
  const length = Math.hypot(...direction);
  return base.map((v, i) => Math.fround(v + (direction[i]! / length) * norm));
}

async function signedIn(baseUrl: string, email: string, password: string): Promise<Session> {
  const session = new Session(baseUrl);
  const { ok, location } = await session.signIn(email, password);
  if (!ok) throw new Error(`sign-in of ${email} failed (${location})`);
  return session;
}

// ---- CPU accounting (Linux /proc) ---------------------------------------------------------

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used, or null once it has gone. */
function cpuSecondsOf(pid: number): number | null {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS : null;
}

function processes(): { pid: number; ppid: number; cmdline: string }[] {
  const list: { pid: number; ppid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    list.push({ pid: Number(name), ppid: Number(f[1]), cmdline });
  }
  return list;
}

/** The processes to account for, by group: each instance, PostgreSQL (postmaster + backends), Redis. */
function processGroups(cluster: Cluster): Map<string, number[]> {
  const all = processes();
  const groups = new Map<string, number[]>();
  for (const instance of cluster.instances) {
    const pid = instance.pid();
    if (pid && statFields(pid)) groups.set(`instance ${instance.name}`, [pid]);
  }
  const port = new URL(cluster.databaseUrl).port;
  const postmaster = all.find((p) => p.cmdline.includes(`port=${port}`) && /postgres/.test(p.cmdline));
  if (postmaster) groups.set('postgres', [postmaster.pid, ...all.filter((p) => p.ppid === postmaster.pid).map((p) => p.pid)]);
  if (cluster.redisUrl) {
    const redisPort = new URL(cluster.redisUrl).port;
    const redis = all.find((p) => p.cmdline.includes('redis-server') && p.cmdline.includes(redisPort));
    if (redis) groups.set('redis', [redis.pid]);
  }
  return groups;
}

/** Busy and total jiffies of the whole machine (/proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((s, x) => s + x, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

type CpuMark = {
  at: number;
  perPid: Map<number, number>;
  groups: Map<string, number[]>;
  bench: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
  pressure: number | null;
};

function cpuMark(cluster: Cluster): CpuMark {
  const groups = processGroups(cluster);
  const perPid = new Map<number, number>();
  for (const pids of groups.values()) for (const pid of pids) perPid.set(pid, cpuSecondsOf(pid) ?? 0);
  return { at: now(), perPid, groups, bench: process.cpuUsage(), machine: machineTicks(), pressure: cpuPressureMicros() };
}

/** Share of one core each group used between two marks (1 = one core fully busy). */
function cpuBetween(cluster: Cluster, start: CpuMark): { perProcess: Record<string, number>; machineBusy: number; cpuPressure: number | null } {
  const seconds = (now() - start.at) / 1000;
  const groups = processGroups(cluster);
  const perProcess: Record<string, number> = {};
  for (const [name, pids] of groups) {
    let used = 0;
    for (const pid of pids) used += (cpuSecondsOf(pid) ?? start.perPid.get(pid) ?? 0) - (start.perPid.get(pid) ?? 0);
    perProcess[name] = used / seconds;
  }
  const bench = process.cpuUsage(start.bench);
  perProcess.bench = (bench.user + bench.system) / 1e6 / seconds;
  const machine = machineTicks();
  const pressure = cpuPressureMicros();
  return {
    perProcess,
    // In cores: the machine's busy share × its cores.
    machineBusy: ((machine.busy - start.machine.busy) / Math.max(1, machine.total - start.machine.total)) * cpus().length,
    cpuPressure: pressure !== null && start.pressure !== null ? (pressure - start.pressure) / 1e6 / seconds : null,
  };
}

// ---- set-up -------------------------------------------------------------------------------

type Fixtures = {
  matches: number[][];
  strangers: number[][];
  crop: string;
  strangerCrop: string;
  box: { x: number; y: number; width: number; height: number };
};

type Prepared = {
  deploymentId: string;
  cameraIds: string[];
  receivers: Session[];
  senders: Session[];
};

/** Reads the demo deployment and its snapshot, checks the probes against it, and signs everyone in. */
async function prepare(
  cluster: Cluster,
  base: { match: number[]; strangers: number[][] },
): Promise<Prepared & { fixtures: Pick<Fixtures, 'matches' | 'strangers'> }> {
  const db = cluster.databaseUrl;
  const [deployment] = await rawQuery<{ id: string; threshold: number }>(db, 'SELECT id, threshold FROM "Deployment" WHERE name = $1 AND status = $2', [
    DEMO_LIVE_NAME,
    'live',
  ]);
  if (!deployment) throw new Error('The demo deployment is not live after seeding.');
  const cameras = await rawQuery<{ id: string }>(db, 'SELECT id FROM "Camera" WHERE "deploymentId" = $1 ORDER BY name', [deployment.id]);
  if (cameras.length < SENDERS) throw new Error(`The demo deployment has ${cameras.length} cameras; ${SENDERS} are needed.`);
  const snapshot = await rawQuery<{ entryId: string; referenceImageId: string; reference: string; vector: Uint8Array }>(
    db,
    'SELECT i."entryId", i."referenceImageId", i.reference, t.vector FROM "SnapshotImage" i JOIN "SnapshotTemplate" t ON t."snapshotImageId" = i.id JOIN "WatchlistSnapshot" s ON s.id = i."snapshotId" ' +
      `WHERE s."deploymentId" = $1 AND t."engineId" = 'faceapi-128' ORDER BY i.id`,
    [deployment.id],
  );
  const index = new TemplateIndex(
    snapshot.map((r) => ({ entryId: r.entryId, referenceImageId: r.referenceImageId, descriptor: bytesToVector(new Uint8Array(r.vector), 128) })),
  );
  const wanted = snapshot.find((r) => r.reference === 'DEMO-WAR-0001')?.entryId;
  if (!wanted) throw new Error('DEMO-WAR-0001 is not in the demo snapshot.');
  // Each matching probe finds the wanted person first; no stranger is anywhere near the threshold.
  const matches: number[][] = [];
  for (let attempt = 0; attempt < 1000 && matches.length < 64; attempt++) {
    const d = perturbed(base.match, 0.03);
    if (index.nearest(Float32Array.from(d), { within: deployment.threshold })?.entryId === wanted) matches.push(d);
  }
  if (matches.length < 64) throw new Error('The franck frame does not match DEMO-WAR-0001 within the demo threshold.');
  // Strangers stay clear of the threshold even with their noise.
  const far = base.strangers.filter((d) => index.nearest(Float32Array.from(d))!.distance > deployment.threshold + 0.05);
  if (far.length === 0) throw new Error('No stranger face lies far enough from the demo watchlist.');
  const strangers = Array.from({ length: 256 }, (_, i) => perturbed(far[i % far.length]!, 0.03));

  const url = cluster.instances[0]!.url;
  const admin = await signedIn(url, 'admin@sightline.test', DEMO_PASSWORD);
  const receivers = await Promise.all(RECEIVER_EMAILS.map((email) => signedIn(url, email, DEMO_PASSWORD)));
  const senders: Session[] = [];
  for (let k = 0; k < SENDERS; k++) {
    const account = { email: `bench-sender-${k + 1}@sightline.test`, name: `Bench sender ${k + 1}`, role: 'operator' as const };
    senders.push((await createAccount(admin, account, { password: 'bench-sender-password' })).session);
  }
  return { deploymentId: deployment.id, cameraIds: cameras.map((c) => c.id), receivers, senders, fixtures: { matches, strangers } };
}

// ---- one phase: the stepped load against the running instances ------------------------------

type Answer = { matched: true; alertId: string } | { matched: false; cropNeeded?: true; ticket?: string } | { error: string; message: string };
type Sent = { kind: 'match' | 'stranger'; step: number; sentAt: number; ackAt?: number; answer?: Answer; ackError?: string; rank?: number; retries: number };
type Arrival = { at: number; sightings: number };

/** Per alert, per receiving socket, every created/updated event in order of arrival. */
class Inbox {
  readonly byAlert = new Map<string, Arrival[][]>();
  disconnects = 0;
  constructor(readonly sockets: number) {}

  listen(socket: TestSocket, s: number): void {
    const record = (alert: AlertView) => {
      const at = now();
      let perSocket = this.byAlert.get(alert.id);
      if (!perSocket) this.byAlert.set(alert.id, (perSocket = Array.from({ length: this.sockets }, () => [])));
      perSocket[s]!.push({ at, sightings: alert.sightings });
    };
    socket.on('alert:created', record);
    socket.on('alert:updated', record);
    socket.on('disconnect', () => (this.disconnects += 1));
  }

  /** When socket `s` first had alert `alertId` with at least `sightings` sightings, not before `after`. */
  arrival(alertId: string, s: number, sightings: number, after: number): number | undefined {
    return this.byAlert.get(alertId)?.[s]?.find((a) => a.sightings >= sightings && a.at >= after)?.at;
  }
}

type StepResult = {
  rate: number;
  seconds: number;
  achievedRate: number;
  probes: number;
  matching: number;
  everySocket: { p50Ms: number; p99Ms: number; maxMs: number };
  baselineAck: { p50Ms: number; p99Ms: number };
  /** The matching probe's own answer (verified, alert written and published). */
  matchingAck: { p50Ms: number; p99Ms: number };
  /** First socket → last socket for one alert event: the fan-out, across instances through the adapter. */
  fanOutSpread: { p50Ms: number; p99Ms: number };
  lost: number;
  refused: Record<string, number>;
  ackTimeouts: number;
  verifyRetries: number;
  held: boolean;
  cpu: ReturnType<typeof cpuBetween>;
};

async function runPhase(
  cluster: Cluster,
  running: ClusterInstance[],
  prepared: Prepared,
  fixtures: Fixtures,
  sightingsOf: Map<string, number>,
  log: (line: string) => void,
): Promise<{ steps: StepResult[]; highestHeld: number | null; disconnects: number }> {
  const n = running.length;
  await syncSightings(cluster.databaseUrl, prepared.deploymentId, sightingsOf);
  // Receivers round-robin over the instances, and over the two operators.
  const receivers = await Promise.all(
    Array.from({ length: SOCKETS }, async (_, k) => {
      const { socket, error } = await connectSocket(running[k % n]!.url, prepared.receivers[k % prepared.receivers.length]!.cookieHeader());
      if (error) throw new Error(`receiver ${k}: ${error}`);
      const joined = await socket.emitWithAck('deployment:join', { deploymentId: prepared.deploymentId });
      if (!joined.ok) throw new Error(`receiver ${k} could not join: ${joined.error}`);
      return socket;
    }),
  );
  const senders = await Promise.all(
    prepared.senders.map(async (session, k) => {
      const { socket, error } = await connectSocket(running[k % n]!.url, session.cookieHeader());
      if (error) throw new Error(`sender ${k}: ${error}`);
      return socket;
    }),
  );
  const inbox = new Inbox(SOCKETS);
  receivers.forEach((socket, s) => inbox.listen(socket, s));

  const sent: Sent[] = [];
  const perSender = new Array<number>(SENDERS).fill(0);
  let global = 0;
  const send = (step: number) => {
    const k = global++ % SENDERS;
    const j = perSender[k]!++;
    const kind = j % MATCH_EVERY === 0 ? 'match' : 'stranger';
    const socket = senders[k]!;
    const payload = {
      deploymentId: prepared.deploymentId,
      cameraId: prepared.cameraIds[k]!,
      trackId: `s${k}-${j}`,
      descriptor: kind === 'match' ? fixtures.matches[j % fixtures.matches.length]! : fixtures.strangers[j % fixtures.strangers.length]!,
      box: fixtures.box,
      detectionScore: 0.97,
      capturedAt: new Date().toISOString(),
    };
    const record: Sent = { kind, step, sentAt: now(), retries: 0 };
    sent.push(record);
    const settle = (error: Error | null, answer: Answer) => {
      record.ackAt = now();
      if (error) return void (record.ackError = error.message);
      record.answer = answer;
      // Answers naming one alert all come over this socket, in the order the server raised its sightings.
      if ('matched' in answer && answer.matched) {
        const rank = (sightingsOf.get(answer.alertId) ?? 0) + 1;
        sightingsOf.set(answer.alertId, rank);
        record.rank = rank;
      }
    };
    const crop = kind === 'match' ? fixtures.crop : fixtures.strangerCrop;
    const sendCrop = (ticket: string) =>
      socket.timeout(ACK_TIMEOUT_MS).emit('probe:submit', { ...payload, crop, ticket }, (error: Error | null, answer: Answer) => {
        if (!error && 'error' in answer && RETRYABLE_VERIFY_CODES.has(answer.error) && now() - record.sentAt < LOST_AFTER_MS) {
          record.retries += 1;
          setTimeout(() => sendCrop(ticket), Math.min(2000, 250 * 2 ** (record.retries - 1)) * (0.5 + Math.random()));
        } else settle(error, answer);
      });
    socket.timeout(ACK_TIMEOUT_MS).emit('probe:submit', payload, (error: Error | null, answer: Answer) => {
      if (!error && 'cropNeeded' in answer && answer.cropNeeded && answer.ticket) sendCrop(answer.ticket);
      else settle(error, answer);
    });
  };

  /** `count` probes at `rate` on a fixed schedule (late timers catch up; nothing is sent early). */
  const paced = (rate: number, seconds: number, step: number) =>
    new Promise<void>((resolve) => {
      const count = Math.round(rate * seconds);
      const interval = 1000 / rate;
      const startedAt = now() + 5;
      let next = 0;
      const tick = () => {
        const due = Math.min(count, Math.floor((now() - startedAt) / interval) + 1);
        while (next < due) {
          send(step);
          next++;
        }
        if (next < count) setTimeout(tick, Math.max(0, startedAt + next * interval - now()));
        else resolve();
      };
      setTimeout(tick, 5);
    });

  const complete = (from: number) => {
    const mine = sent.slice(from);
    if (!mine.every((s) => s.ackAt !== undefined)) return false;
    return mine.every(
      (s) => s.rank === undefined || receivers.every((_, k) => inbox.arrival((s.answer as { alertId: string }).alertId, k, s.rank!, s.sentAt) !== undefined),
    );
  };
  const settleAfter = async (from: number, withinMs = LOST_AFTER_MS) => {
    const endedAt = now();
    while (!complete(from) && now() - endedAt < withinMs) await sleep(50);
  };

  const steps: StepResult[] = [];
  try {
    // Warm-up (not measured): JIT, Prisma's query plans, the senders take their cameras' leases,
    // and each instance's verifying thread loads its models (seconds on a busy machine).
    await paced(WARM_UP.rate, WARM_UP.seconds, -1);
    await settleAfter(0, 60_000);
    await sleep(1000);
    for (const [stepIndex, rate] of RATES.entries()) {
      const from = sent.length;
      const mark = cpuMark(cluster);
      await paced(rate, STEP_SECONDS, stepIndex);
      const cpu = cpuBetween(cluster, mark);
      await settleAfter(from);
      const step = analyseStep(sent.slice(from), inbox, rate, cpu);
      steps.push(step);
      log(formatStep(n, step));
      // Up to the target's rate every step runs (its p99 is a target of its own); above it, the
      // first step not held ends the phase.
      if (!step.held && rate >= TARGET.atRate) break;
      await sleep(500);
    }
  } finally {
    for (const socket of [...receivers, ...senders]) socket.close();
  }
  // The highest held step below the first one not held.
  let highestHeld: number | null = null;
  for (const step of steps) {
    if (!step.held) break;
    highestHeld = step.rate;
  }
  return { steps, highestHeld, disconnects: inbox.disconnects };
}

/**
 * Starts the sightings count of every alert from the database, once the previous phase's last
 * probes (still queued for verification when its sockets closed) have all been written: the
 * database's figures stay unchanged for 3 s (at most 60 s). Ranks then follow from the answers.
 */
async function syncSightings(databaseUrl: string, deploymentId: string, sightingsOf: Map<string, number>): Promise<void> {
  const read = () => rawQuery<{ id: string; sightings: number }>(databaseUrl, 'SELECT id, sightings FROM "Alert" WHERE "deploymentId" = $1', [deploymentId]);
  const total = (rows: { sightings: number }[]) => rows.reduce((sum, r) => sum + Number(r.sightings), 0);
  const deadline = now() + 60_000;
  let rows = await read();
  let stableSince = now();
  while (now() - stableSince < 3000 && now() < deadline) {
    await sleep(500);
    const next = await read();
    if (total(next) !== total(rows)) stableSince = now();
    rows = next;
  }
  sightingsOf.clear();
  for (const row of rows) sightingsOf.set(row.id, Number(row.sightings));
}

function analyseStep(sent: Sent[], inbox: Inbox, rate: number, cpu: ReturnType<typeof cpuBetween>): StepResult {
  const everySocket: number[] = [];
  const baseline: number[] = [];
  const matchAck: number[] = [];
  const spread: number[] = [];
  const refused: Record<string, number> = {};
  let lost = 0;
  let ackTimeouts = 0;
  for (const s of sent) {
    if (s.ackError) ackTimeouts += 1;
    const answer = s.answer;
    if (answer && 'error' in answer) refused[answer.error] = (refused[answer.error] ?? 0) + 1;
    if (s.kind === 'stranger') {
      if (answer && 'matched' in answer && s.ackAt !== undefined) baseline.push(s.ackAt - s.sentAt);
      continue;
    }
    if (!answer || !('matched' in answer) || !answer.matched || s.rank === undefined) {
      lost += 1;
      continue;
    }
    matchAck.push(s.ackAt! - s.sentAt);
    let last = 0;
    let first = Infinity;
    let missing = false;
    for (let k = 0; k < inbox.sockets; k++) {
      const at = inbox.arrival(answer.alertId, k, s.rank, s.sentAt);
      if (at === undefined || at - s.sentAt > LOST_AFTER_MS) missing = true;
      else {
        last = Math.max(last, at - s.sentAt);
        first = Math.min(first, at - s.sentAt);
      }
    }
    if (missing) lost += 1;
    else {
      everySocket.push(last);
      spread.push(last - first);
    }
  }
  const times = sent.map((s) => s.sentAt);
  const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
  const achievedRate = (sent.length - 1) / seconds;
  const p99 = percentile(everySocket, 0.99);
  const errors = Object.values(refused).reduce((a, b) => a + b, 0) + ackTimeouts;
  return {
    rate,
    seconds: +seconds.toFixed(2),
    achievedRate: +achievedRate.toFixed(1),
    probes: sent.length,
    matching: sent.filter((s) => s.kind === 'match').length,
    everySocket: { p50Ms: round(percentile(everySocket, 0.5)), p99Ms: round(p99), maxMs: round(everySocket.length ? Math.max(...everySocket) : NaN) },
    baselineAck: { p50Ms: round(percentile(baseline, 0.5)), p99Ms: round(percentile(baseline, 0.99)) },
    matchingAck: { p50Ms: round(percentile(matchAck, 0.5)), p99Ms: round(percentile(matchAck, 0.99)) },
    fanOutSpread: { p50Ms: round(percentile(spread, 0.5)), p99Ms: round(percentile(spread, 0.99)) },
    lost,
    refused,
    ackTimeouts,
    verifyRetries: sent.reduce((s, p) => s + p.retries, 0),
    held: p99 < HELD_P99_MS && lost === 0 && errors === 0 && Math.abs(achievedRate / rate - 1) <= 0.05,
    cpu,
  };
}

const round = (v: number) => (Number.isFinite(v) ? +v.toFixed(1) : NaN);
const cell = (v: number, width = 8) => (Number.isFinite(v) ? v.toFixed(0) : '—').padStart(width);

function formatStep(instances: number, s: StepResult): string {
  const cpu = Object.entries(s.cpu.perProcess)
    .map(([name, share]) => `${name.replace('instance ', '')} ${(share * 100).toFixed(0)}%`)
    .join(' ');
  const errors = [
    s.lost ? `lost ${s.lost}` : '',
    Object.keys(s.refused).length ? `refused ${JSON.stringify(s.refused)}` : '',
    s.ackTimeouts ? `no answer ${s.ackTimeouts}` : '',
    s.verifyRetries ? `crop retries ${s.verifyRetries}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    `  ${String(instances).padStart(2)} inst ${cell(s.rate, 5)}/s (sent ${s.achievedRate.toFixed(0).padStart(4)}/s) ` +
    `every socket p50 ${cell(s.everySocket.p50Ms, 5)} p99 ${cell(s.everySocket.p99Ms, 5)} ms (n ${String(s.matching).padStart(3)}) ` +
    `match ack ${cell(s.matchingAck.p50Ms, 4)}/${cell(s.matchingAck.p99Ms, 0)} fan-out ${cell(s.fanOutSpread.p50Ms, 0)}/${cell(s.fanOutSpread.p99Ms, 0)} plain ack ${cell(s.baselineAck.p50Ms, 0)}/${cell(s.baselineAck.p99Ms, 0)} ms  ${s.held ? 'held' : 'NOT HELD'}` +
    `  cpu: ${cpu}, machine ${(s.cpu.machineBusy * 100).toFixed(0)}%` +
    (s.cpu.cpuPressure === null ? '' : `, a task waited for a CPU ${(Math.min(1, s.cpu.cpuPressure) * 100).toFixed(0)}% of the time`) +
    (errors ? `  [${errors}]` : '')
  );
}

// ---- main ---------------------------------------------------------------------------------

type AdapterResult = {
  adapter: Adapter;
  oneInstance: Awaited<ReturnType<typeof runPhase>>;
  twoInstances: Awaited<ReturnType<typeof runPhase>>;
  ratio: number | null;
};

type Faces = Awaited<ReturnType<typeof probeFixtures>> & { strangers: number[][] };

/** The probe fixtures, and more strangers: every clear face of two group photos (as bench/alerts.ts). */
async function faces(): Promise<Faces> {
  const fixtures = await probeFixtures('placeholder');
  const strangers = [fixtures.stranger.descriptor];
  for (const photo of [GROUP_PHOTOS[0]!, GROUP_PHOTOS[4]!]) {
    const { faces: found } = await analyseFaces(new Uint8Array(readFileSync(photo)));
    for (const face of found) if (face.score >= 0.8) strangers.push(Array.from(face.descriptor));
  }
  return { ...fixtures, strangers };
}

async function benchAdapter(adapter: Adapter, base: Faces, log: (line: string) => void): Promise<AdapterResult> {
  const output: string[] = [];
  const keep = (line: string) => {
    output.push(line);
    if (output.length > 400) output.shift();
  };
  const setUpAt = now();
  const cluster = await startCluster({
    instances: 2,
    adapter,
    balancerPort: null,
    env: SERVER_ENV,
    log: keep,
    prepare: (env) => runScript(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--demo'], env),
  });
  try {
    const prepared = await prepare(cluster, { match: base.match.descriptor, strangers: base.strangers });
    const fixtures: Fixtures = {
      ...prepared.fixtures,
      crop: base.match.crop!,
      strangerCrop: base.stranger.crop!,
      box: base.match.box,
    };
    log(`  ${adapter}: cluster up and seeded in ${((now() - setUpAt) / 1000).toFixed(0)} s`);
    const sightingsOf = new Map<string, number>();
    const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
    // One instance: the second is stopped, so nothing of it runs; the adapter still carries every event.
    await b.kill('SIGTERM');
    const oneInstance = await runPhase(cluster, [a], prepared, fixtures, sightingsOf, log);
    await b.start();
    const twoInstances = await runPhase(cluster, [a, b], prepared, fixtures, sightingsOf, log);
    const ratio = oneInstance.highestHeld && twoInstances.highestHeld ? twoInstances.highestHeld / oneInstance.highestHeld : null;
    return { adapter, oneInstance, twoInstances, ratio };
  } catch (error) {
    console.error(`The cluster's last output:\n${output.slice(-40).join('\n')}`);
    throw error;
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  try {
    readFileSync(path.join(ROOT, '.next', 'BUILD_ID'));
  } catch {
    throw new Error('No production build in .next/: run `npx next build` first.');
  }
  const loadBefore = loadavg();
  const startedAt = now();
  const log = (line: string) => console.log(line);
  log(
    `Cluster benchmark — node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  log(
    `${SOCKETS} operator sockets, ${SENDERS} probe senders (one camera each), every ${MATCH_EVERY}th probe of a sender matching; steps of ${STEP_SECONDS} s at ${RATES.join(', ')} probes/s until one above ${TARGET.atRate}/s is not held (p99 ≥ ${HELD_P99_MS} ms, a lost alert, a refused probe or the schedule missed).`,
  );
  const base = await faces();
  const results: AdapterResult[] = [];
  for (const adapter of ADAPTERS) results.push(await benchAdapter(adapter, base, log));
  const loadAfter = loadavg();

  log('\nSummary (probe → alert at every one of the sockets):');
  log(`  ${'adapter'.padEnd(9)}${'inst'.padStart(5)}${'held ≤'.padStart(9)}  ${'p50/p99 ms at 200/s'.padStart(20)}  p50/p99 ms at each step`);
  const at = (phase: AdapterResult['oneInstance'], rate: number) => phase.steps.find((s) => s.rate === rate);
  for (const r of results) {
    for (const [label, phase] of [
      ['1', r.oneInstance],
      ['2', r.twoInstances],
    ] as const) {
      const s200 = at(phase, TARGET.atRate);
      log(
        `  ${r.adapter.padEnd(9)}${label.padStart(5)}${(phase.highestHeld === null ? 'none' : `${phase.highestHeld}/s`).padStart(9)}  ${(s200 ? `${cell(s200.everySocket.p50Ms, 0)} / ${cell(s200.everySocket.p99Ms, 0)}` : '—').padStart(20)}  ` +
          phase.steps.map((s) => `${s.rate}: ${cell(s.everySocket.p50Ms, 0)}/${cell(s.everySocket.p99Ms, 0)}${s.held ? '' : '✗'}`).join('  '),
      );
    }
    log(`  ${r.adapter.padEnd(9)} ratio 2 ÷ 1 instance: ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`} (target ≥ ${TARGET.ratio}×)`);
  }
  log(
    `  load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`,
  );

  const checks = results.flatMap((r) => {
    const s200 = at(r.twoInstances, TARGET.atRate);
    return [
      { what: `${r.adapter}: 2 instances hold ≥ ${TARGET.ratio}× the rate of one`, pass: r.ratio !== null && r.ratio >= TARGET.ratio },
      { what: `${r.adapter}: p99 < ${TARGET.p99Ms} ms at ${TARGET.atRate} probes/s with 2 instances`, pass: !!s200 && s200.everySocket.p99Ms < TARGET.p99Ms },
    ];
  });
  log('');
  for (const c of checks) log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.what}`);

  const outDir = path.join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, 'cluster.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpu: cpus()[0]?.model ?? null,
        cores: cpus().length,
        minutes: +((now() - startedAt) / 60_000).toFixed(1),
        loadBefore,
        loadAfter,
        config: {
          rates: RATES,
          stepSeconds: STEP_SECONDS,
          sockets: SOCKETS,
          senders: SENDERS,
          matchEvery: MATCH_EVERY,
          heldP99Ms: HELD_P99_MS,
          serverEnv: SERVER_ENV,
        },
        definitions: {
          everySocket: "per matching probe: sent → the last of the sockets receiving its alert event (alert:created/updated with sightings ≥ the probe's rank)",
          baselineAck: 'per non-matching probe: sent → its answer ({ matched: false })',
          held: `p99 < ${HELD_P99_MS} ms, no alert lost (5 s), no probe refused or unanswered, schedule kept ±5 %`,
          cpu: 'share of one core per process over the step (/proc/<pid>/stat); machineBusy in cores (/proc/stat)',
        },
        target: TARGET,
        results,
        checks,
      },
      null,
      2,
    )}\n`,
  );
  log(`Figures written to ${path.relative(process.cwd(), path.join(outDir, 'cluster.json'))}`);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  })
  .finally(() => setTimeout(() => process.exit(), 100).unref());
