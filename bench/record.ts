/**
 * Deployment record benchmark (issue 11): how long it takes to build the record of one large
 * deployment, and the dashboard across many, on SQLite and on PostgreSQL.
 *
 * Data (synthetic, figures only — like the real tables): DEPLOYMENTS deployments (default 1,000).
 * The one measured for its record has 16 cameras live for 8 hours: 7,680 per-camera minutes holding
 * 500,000 faces, 7,680 coverage minutes, 5,000 alerts (each with a 2 KB crop, as real alerts carry
 * one) of which 4,000 decided. Every other deployment has 4 cameras live for 4 hours (960 face and
 * coverage minutes) and 10 alerts — about a million per-minute rows in all — and 50,000 audit events
 * about other subjects sit beside the deployment's own.
 *
 * Measured, RUNS times each after a warm-up (default 30), p50/p95/max:
 * - record:    lib/records/record.ts deploymentRecord() — six indexed reads, the per-minute tables
 *              summed in the database;
 *   naive:     the same figures (checked equal) the way a first version would gather them: every
 *              per-minute row read and summed in memory, time to decision from the decision rows.
 * - dashboard: lib/dashboard/data.ts loadDashboard() over all deployments;
 *   naive:     faces summed from the per-minute rows of every deployment (no running total).
 * Plus each provider's query plan for each of the record's reads (each must use an index).
 *
 * Run:    npm run bench:record          (BENCH_DATABASES=sqlite,postgresql; DEPLOYMENTS; RUNS)
 * Needs:  PostgreSQL binaries for the PostgreSQL half (apt-get install -y postgresql); a throwaway
 *         cluster is started and removed. No server, no build.
 * Output: figures, ratios naive/record, PASS/FAIL against p95 < 200 ms; bench/results/record.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { disconnectDb, getDb } from '../lib/db/client';
import { sqliteFilePath } from '../lib/db/url';
import { applyMigrations } from '../lib/db/migrate';
import { buildRecord } from '../lib/records/record';
import { loadRecordRows, RECORD_EVENT_ACTIONS } from '../lib/records/data';
import { nearestRank } from '../lib/records/figures';
import { deploymentRecord } from '../lib/records/record';
import { startThrowawayPostgres } from '../scripts/lib/throwaway-postgres';
import { loadDashboard } from '../lib/dashboard/data';
import { parseDashboardFilter } from '../lib/dashboard/schema';
import { boroughNames } from '../lib/geo/boroughs';

const DEPLOYMENTS = Number(process.env.DEPLOYMENTS ?? 1000);
const RUNS = Number(process.env.RUNS ?? 30);
const TARGET_P95_MS = 200;
const PROVIDERS = (process.env.BENCH_DATABASES ?? 'sqlite,postgresql').split(',').map((p) => p.trim()) as ('sqlite' | 'postgresql')[];
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const BIG = { cameras: 16, minutes: 8 * 60, faces: 500_000, alerts: 5000, decided: 4000 };
const SMALL = { cameras: 4, minutes: 4 * 60, alerts: 10 };
/** Deployments a day (the dashboard shows at most a year at a time). */
const PER_DAY = 3;
const CROP = randomBytes(2048);

type Stats = { p50: number; p95: number; max: number };

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: nearestRank(sorted, 50), p95: nearestRank(sorted, 95), max: sorted[sorted.length - 1]! };
}

async function time(label: string, work: () => Promise<unknown>): Promise<Stats> {
  await work(); // warm-up: statement caches, first connection
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  const s = stats(samples);
  console.log(`  ${label.padEnd(22)} p50 ${s.p50.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms   max ${s.max.toFixed(1).padStart(7)} ms`);
  return s;
}

type Row = Record<string, unknown>;

/**
 * Fast inserts for seeding (millions of rows): the database's own driver, in one transaction,
 * with values stored exactly as Prisma stores them (SQLite: ISO text dates with +00:00, booleans as
 * 0/1; PostgreSQL: timestamp(3) in UTC).
 */
async function bulkInsert(url: string, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const started = performance.now();
  const columns = Object.keys(rows[0]!);
  const quoted = columns.map((c) => `"${c}"`).join(', ');
  if (url.startsWith('file:')) {
    const db = new Database(sqliteFilePath(url));
    const insert = db.prepare(`INSERT INTO "${table}" (${quoted}) VALUES (${columns.map(() => '?').join(', ')})`);
    const value = (v: unknown) => (v instanceof Date ? v.toISOString().replace('Z', '+00:00') : typeof v === 'boolean' ? Number(v) : v);
    db.transaction(() => {
      for (const row of rows) insert.run(columns.map((c) => value(row[c])));
    })();
    db.close();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const value = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, -1) : v);
    const perStatement = Math.floor(60_000 / columns.length);
    await client.query('BEGIN');
    for (let i = 0; i < rows.length; i += perStatement) {
      const batch = rows.slice(i, i + perStatement);
      const params: unknown[] = [];
      const tuples = batch.map((row) => `(${columns.map((c) => `$${params.push(value(row[c]))}`).join(', ')})`);
      await client.query(`INSERT INTO "${table}" (${quoted}) VALUES ${tuples.join(', ')}`, params);
    }
    await client.query('COMMIT');
    await client.end();
  }
  if (process.env.BENCH_VERBOSE) console.log(`    ${table}: ${rows.length} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Seeds the data set; returns the ids of the large deployment and of a typical one. */
async function seed(url: string): Promise<{ bigId: string; smallId: string }> {
  const db = getDb();
  const planner = await db.user.create({ data: { email: 'planner@bench.test', name: 'Bench Planner', role: 'senior_officer', passwordHash: 'x' } });
  const authoriser = await db.user.create({ data: { email: 'authoriser@bench.test', name: 'Bench Authoriser', role: 'senior_officer', passwordHash: 'x' } });
  const operator = await db.user.create({ data: { email: 'operator@bench.test', name: 'Bench Operator', role: 'operator', passwordHash: 'x' } });
  const zone = JSON.stringify({
    type: 'Polygon',
    coordinates: [
      [
        [-0.143, 51.514],
        [-0.139, 51.514],
        [-0.139, 51.516],
        [-0.143, 51.516],
        [-0.143, 51.514],
      ],
    ],
  });
  const end = Date.UTC(2026, 10, 30, 18, 0);
  let bigId = '';
  let smallId = '';
  const faceRows: { id: string; deploymentId: string; cameraId: string; minute: Date; count: number }[] = [];
  const coverageRows: { id: string; deploymentId: string; cameraId: string; minute: Date }[] = [];
  const alertRows: Record<string, unknown>[] = [];
  const decisionRows: Record<string, unknown>[] = [];
  const auditRows: Record<string, unknown>[] = [];
  const deploymentRows: Record<string, unknown>[] = [];
  const cameraRows: Record<string, unknown>[] = [];
  for (let d = 0; d < DEPLOYMENTS; d++) {
    const big = d === 0;
    const shape = big ? { ...BIG } : { ...SMALL, faces: 10_000 + ((d * 7919) % 20_000), decided: 8 };
    const start = end - Math.floor(d / PER_DAY) * DAY - shape.minutes * MINUTE;
    const deployment = { id: randomUUID() };
    deploymentRows.push({
      id: deployment.id,
      name: `Bench deployment ${d}`,
      status: 'ended',
      zone,
      startsAt: new Date(start),
      endsAt: new Date(start + shape.minutes * MINUTE),
      wentLiveAt: new Date(start),
      endedAt: new Date(start + shape.minutes * MINUTE),
      threshold: 0.5,
      verifierId: 'faceapi-128',
      verifyThreshold: 0.45,
      plannerId: planner.id,
      authoriserId: authoriser.id,
      decidedAt: new Date(start - DAY),
      facesProcessed: shape.faces,
      authorisedForecast: JSON.stringify({ complete: true, falseAlertsPerFace: { estimate: 1e-4, upper: 2e-4 }, meetsTarget: false, summary: 'bench' }),
      createdAt: new Date(start - 2 * DAY),
      updatedAt: new Date(),
    });
    if (big) bigId = deployment.id;
    if (d === 1) smallId = deployment.id;
    const cameras: { id: string }[] = [];
    for (let c = 0; c < shape.cameras; c++) {
      const camera = { id: randomUUID() };
      cameras.push(camera);
      cameraRows.push({
        id: camera.id,
        deploymentId: deployment.id,
        name: `Camera ${c + 1}`,
        lat: 51.515,
        lng: -0.141,
        heading: 0,
        fov: 60,
        rangeM: 30,
        sourceKind: 'file',
        sourceUrl: '/x.mp4',
        updatedAt: new Date(),
      });
    }
    const perMinute = Math.floor(shape.faces / (shape.cameras * shape.minutes));
    let left = shape.faces - perMinute * shape.cameras * shape.minutes;
    for (const camera of cameras) {
      for (let m = 0; m < shape.minutes; m++) {
        const minute = new Date(start + m * MINUTE);
        const extra = left > 0 ? 1 : 0;
        left -= extra;
        faceRows.push({ id: randomUUID(), deploymentId: deployment.id, cameraId: camera.id, minute, count: perMinute + extra });
        coverageRows.push({ id: randomUUID(), deploymentId: deployment.id, cameraId: camera.id, minute });
      }
    }
    for (let a = 0; a < shape.alerts; a++) {
      const createdAt = new Date(start + ((a * 9973) % (shape.minutes * MINUTE)));
      const decided = a < shape.decided;
      const id = randomUUID();
      alertRows.push({
        id,
        deploymentId: deployment.id,
        cameraId: cameras[a % cameras.length]!.id,
        entryId: `entry-${a % 50}`,
        referenceImageId: `image-${a % 50}`,
        watchlistId: 'bench',
        reference: `REF-${a % 50}`,
        name: `Person ${a % 50}`,
        category: 'wanted_by_court',
        distance: 0.4,
        firstSeenAt: createdAt,
        lastSeenAt: createdAt,
        crop: CROP,
        status: decided ? (a % 10 === 0 ? 'false_alert' : 'closed') : 'new',
        decision: decided ? (a % 10 === 0 ? 'false_alert' : 'engage') : null,
        outcome: decided && a % 10 !== 0 ? 'not_subject' : null,
        firstClaimedAt: decided ? new Date(createdAt.getTime() + 5000 + (a % 60) * 1000) : null,
        firstDecidedAt: decided ? new Date(createdAt.getTime() + 20_000 + (a % 120) * 1000) : null,
        createdAt,
        updatedAt: createdAt,
      });
      if (decided) {
        decisionRows.push({
          id: randomUUID(),
          alertId: id,
          kind: 'decision',
          value: a % 10 === 0 ? 'false_alert' : 'engage',
          byId: operator.id,
          at: new Date(createdAt.getTime() + 20_000 + (a % 120) * 1000),
        });
      }
    }
    for (const [action, at, details] of [
      ['deployment.authorised', start - DAY, {}],
      ['snapshot.created', start, { entryCount: 9756, entriesByCategory: { wanted_by_court: 9000, missing_vulnerable: 756 } }],
      ['deployment.started', start, {}],
      ['deployment.ended', start + shape.minutes * MINUTE, {}],
      ['snapshot.purged', start + shape.minutes * MINUTE, {}],
    ] as const) {
      auditRows.push({ at: new Date(at), action, subjectType: 'deployment', subjectId: deployment.id, details: JSON.stringify(details) });
    }
  }
  // The rest of an audit trail: events about other subjects (sign-ins, claims…).
  for (let i = 0; i < 50_000; i++) {
    auditRows.push({
      at: new Date(end - (i % 1000) * MINUTE),
      action: i % 2 ? 'alert.claimed' : 'auth.sign_in',
      subjectType: 'alert',
      subjectId: `other-${i}`,
      details: '{}',
    });
  }
  await bulkInsert(url, 'Deployment', deploymentRows);
  await bulkInsert(url, 'Camera', cameraRows);
  await bulkInsert(url, 'FaceCount', faceRows);
  await bulkInsert(url, 'CoverageMinute', coverageRows);
  await bulkInsert(url, 'Alert', alertRows);
  await bulkInsert(url, 'AlertDecision', decisionRows);
  // Hashes are not chained here (nothing verifies this trail); they only have to be unique.
  await bulkInsert(
    url,
    'AuditEvent',
    auditRows.map((row) => ({ ...row, prevHash: randomUUID(), hash: randomUUID() })),
  );
  return { bigId, smallId };
}

/**
 * The record as a first version would gather it: every per-minute row read and summed in memory
 * (no sums in the database), and the time to decision from the decision rows (no first-decision
 * column). Same columns otherwise — no crops — so the difference is the design, not blob reading.
 */
async function naiveRecord(deploymentId: string) {
  const db = getDb();
  const deployment = await db.deployment.findUniqueOrThrow({
    where: { id: deploymentId },
    include: { cameras: { orderBy: { name: 'asc' } }, planner: true, authoriser: true },
  });
  const rows = await db.alert.findMany({
    where: { deploymentId },
    select: { id: true, createdAt: true, firstClaimedAt: true, decision: true, outcome: true, decisions: { select: { kind: true, at: true, groupId: true } } },
  });
  const faceMinutes = await db.faceCount.findMany({ where: { deploymentId }, select: { cameraId: true, minute: true, count: true } });
  const coverage = await db.coverageMinute.findMany({ where: { deploymentId }, select: { cameraId: true, minute: true } });
  const events = await db.auditEvent.findMany({
    where: { subjectType: 'deployment', subjectId: deploymentId, action: { in: [...RECORD_EVENT_ACTIONS] } },
    select: { action: true, at: true, details: true, actor: { select: { name: true } } },
    orderBy: { seq: 'asc' },
  });
  const latest = (a: (typeof rows)[number], kind: string) =>
    a.decisions.filter((d) => d.kind === kind).sort((x, y) => y.at.getTime() - x.at.getTime())[0]?.groupId ?? null;
  const alerts = rows.map((a) => ({
    id: a.id,
    decisionGroupId: latest(a, 'decision'),
    outcomeGroupId: latest(a, 'outcome'),
    createdAt: a.createdAt,
    firstClaimedAt: a.firstClaimedAt,
    firstDecidedAt: a.decisions.filter((d) => d.kind === 'decision').sort((x, y) => x.at.getTime() - y.at.getTime())[0]?.at ?? null,
    decision: a.decision,
    outcome: a.outcome,
  }));
  const byCamera = new Map<string, { cameraId: string; faces: number; minutesWithFaces: number }>();
  const byMinute = new Map<number, number>();
  for (const row of faceMinutes) {
    const camera = byCamera.get(row.cameraId) ?? { cameraId: row.cameraId, faces: 0, minutesWithFaces: 0 };
    camera.faces += row.count;
    camera.minutesWithFaces++;
    byCamera.set(row.cameraId, camera);
    byMinute.set(row.minute.getTime(), (byMinute.get(row.minute.getTime()) ?? 0) + row.count);
  }
  const analysed = new Map<string, number>();
  for (const row of coverage) analysed.set(row.cameraId, (analysed.get(row.cameraId) ?? 0) + 1);
  return buildRecord(
    {
      deployment,
      alerts,
      faceByCamera: [...byCamera.values()],
      faceByMinute: [...byMinute].sort((a, b) => a[0] - b[0]).map(([minute, count]) => ({ minute: new Date(minute), count })),
      coverageByCamera: [...analysed].map(([cameraId, analysedMinutes]) => ({ cameraId, analysedMinutes })),
      events,
    },
    { forceName: 'Bench', targetFacesPerFalseAlert: 6000, now: new Date() },
  );
}

/** The dashboard as a first version would gather it: faces summed from every deployment's minutes (no running total). */
async function naiveDashboard() {
  const db = getDb();
  const deployments = await db.deployment.findMany({ select: { id: true, name: true, status: true, zone: true, startsAt: true, endsAt: true } });
  const faces = await db.faceCount.groupBy({ by: ['deploymentId'], _sum: { count: true } });
  const alerts = await db.alert.findMany({ select: { deploymentId: true, createdAt: true, firstDecidedAt: true, decision: true, outcome: true } });
  return { deployments: deployments.length, faces: faces.length, alerts: alerts.length };
}

/** The record's reads as SQL, to ask each database how it runs them. */
const RECORD_QUERIES = [
  ['faces per camera', 'SELECT "cameraId", SUM("count"), COUNT(*) FROM "FaceCount" WHERE "deploymentId" = $1 GROUP BY "cameraId"'],
  ['faces per minute', 'SELECT "minute", SUM("count") FROM "FaceCount" WHERE "deploymentId" = $1 GROUP BY "minute"'],
  ['coverage per camera', 'SELECT "cameraId", COUNT(*) FROM "CoverageMinute" WHERE "deploymentId" = $1 GROUP BY "cameraId"'],
  ['alerts', 'SELECT "createdAt", "firstClaimedAt", "firstDecidedAt", "decision", "outcome" FROM "Alert" WHERE "deploymentId" = $1'],
  [
    'lifecycle events',
    `SELECT "action", "at", "details" FROM "AuditEvent" WHERE "subjectType" = 'deployment' AND "subjectId" = $1 AND "action" IN ('deployment.started', 'deployment.ended') ORDER BY "seq"`,
  ],
] as const;

async function queryPlans(provider: 'sqlite' | 'postgresql', deploymentId: string): Promise<{ query: string; plan: string; usesIndex: boolean }[]> {
  const db = getDb();
  const plans = [];
  for (const [query, sql] of RECORD_QUERIES) {
    let plan: string;
    if (provider === 'sqlite') {
      const rows = await db.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql.replace('$1', '?')}`, deploymentId);
      plan = rows.map((r) => r.detail).join(' | ');
    } else {
      const rows = await db.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, deploymentId);
      plan = rows.map((r) => r['QUERY PLAN'].trim()).join(' | ');
    }
    plans.push({ query, plan, usesIndex: /USING (COVERING )?INDEX|Index (Only )?Scan|Bitmap Index Scan/.test(plan) });
  }
  return plans;
}

/** The dashboard over every seeded deployment (three a day, so 1,000 fit in one view). */
function dashboardOverAll(): () => Promise<unknown> {
  const to = '2026-11-30';
  const from = new Date(Date.UTC(2026, 10, 30) - Math.ceil(DEPLOYMENTS / PER_DAY) * DAY).toISOString().slice(0, 10);
  const parsed = parseDashboardFilter({ from, to }, boroughNames());
  if (!parsed.ok) throw new Error(`dashboard filter: ${parsed.message}`);
  return () => loadDashboard(parsed.filter);
}

async function benchProvider(provider: 'sqlite' | 'postgresql') {
  console.log(`\n${provider}: seeding ${DEPLOYMENTS} deployments…`);
  let url: string;
  let cleanup: () => Promise<void>;
  if (provider === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'sightline-bench-record-'));
    url = `file:${path.join(dir, 'bench.db')}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const pg = await startThrowawayPostgres({ database: 'sightline_bench' });
    url = pg.url;
    cleanup = pg.stop;
  }
  process.env.DATABASE_URL = url;
  try {
    await applyMigrations({ databaseUrl: url, log: () => {} });
    const seeded = performance.now();
    const { bigId, smallId } = await seed(url);
    await getDb().$executeRawUnsafe('ANALYZE'); // planner statistics, as a database in service has
    console.log(`  seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    const check = await deploymentRecord(bigId);
    if (check.faces.total !== BIG.faces || check.alerts.raised !== BIG.alerts) {
      throw new Error(`the record counted ${check.faces.total} faces and ${check.alerts.raised} alerts, expected ${BIG.faces} and ${BIG.alerts}`);
    }
    // A fair baseline computes the same record.
    const comparable = (r: Awaited<ReturnType<typeof naiveRecord>>) => JSON.stringify({ ...r, generatedAt: null });
    if (comparable(await naiveRecord(bigId)) !== comparable(await buildFrom(bigId))) throw new Error('the naive record differs from the record');
    // A plan is chosen per query: for the large deployment (a third of all alerts here) a database
    // may rightly prefer to scan a table; for a typical one every read must use an index.
    const plans = await queryPlans(provider, bigId);
    for (const p of plans) console.log(`  plan (large), ${p.query}: ${p.plan}  → ${p.usesIndex ? 'index' : 'no index'}`);
    const typical = await queryPlans(provider, smallId);
    for (const p of typical) console.log(`  plan (typical), ${p.query}: ${p.plan}  → ${p.usesIndex ? 'index' : 'NO INDEX'}`);
    const usesIndex = typical.every((p) => p.usesIndex);
    const record = await time('record', () => deploymentRecord(bigId));
    const naive = await time('record (naive)', () => naiveRecord(bigId));
    const all = (await dashboardOverAll()()) as { rows: unknown[] };
    if (all.rows.length !== DEPLOYMENTS) throw new Error(`the dashboard listed ${all.rows.length} deployments, expected ${DEPLOYMENTS}`);
    const dashboard: Stats | null = await time('dashboard', dashboardOverAll());
    const naiveDash = await time('dashboard (naive)', naiveDashboard);
    // Without the dashboard (lib/dashboard/data.ts) half of what is asked is unmeasured: that is a failure.
    const pass = record.p95 < TARGET_P95_MS && dashboard !== null && dashboard.p95 < TARGET_P95_MS && usesIndex;
    console.log(
      `  ratio naive/record p95 ${(naive.p95 / record.p95).toFixed(1)}×` +
        (dashboard ? `, naive/dashboard p95 ${(naiveDash.p95 / dashboard.p95).toFixed(1)}×` : ', dashboard NOT MEASURED (lib/dashboard/data.ts missing)') +
        ` → ${pass ? 'PASS' : 'FAIL'} (p95 < ${TARGET_P95_MS} ms for both, every read on an index)`,
    );
    return { provider, record, naive, dashboard, naiveDashboard: naiveDash, plans, typicalPlans: typical, usesIndex, pass };
  } finally {
    await disconnectDb();
    await cleanup();
  }
}

/** The record from the record's own reads, with the naive version's clock and names, to compare figures. */
async function buildFrom(deploymentId: string) {
  return buildRecord(await loadRecordRows(deploymentId), { forceName: 'Bench', targetFacesPerFalseAlert: 6000, now: new Date() });
}

async function main() {
  console.log(
    `Deployment record benchmark: ${DEPLOYMENTS} deployments, the largest ${BIG.faces.toLocaleString('en-GB')} faces / ${BIG.alerts} alerts; ${RUNS} runs each`,
  );
  const results = [];
  for (const provider of PROVIDERS) results.push(await benchProvider(provider));
  const out = path.join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'record.json'), JSON.stringify({ at: new Date().toISOString(), deployments: DEPLOYMENTS, runs: RUNS, results }, null, 2));
  process.exitCode = results.every((r) => r.pass) ? 0 : 1;
}

await main();
