import { dbProvider, getDb, Prisma } from '@/lib/db/client';
import { boroughOfZone } from '@/lib/geo/boroughs';
import { processState } from '@/lib/process-state';
import { getAccuracyTarget } from '@/lib/settings/data';
import type { DashboardFilter } from './schema';
import { summariseDashboard, type AlertGroup, type DashboardRow, type DashboardTotals, type DeploymentFacts } from './summary';

/**
 * The dashboard across deployments (/records, GET /api/records.csv). Callers hold 'report:read'
 * (senior officers and auditors, who may see every deployment). Two queries whatever the number
 * of deployments: the deployments whose planned start falls in the range (by the startsAt index),
 * and their alerts counted by decision and outcome with their times to decision — never a crop,
 * a name or anything else about a watchlist person. The borough is worked out from each zone here
 * (it is not stored), so a borough filter narrows the rows after the queries.
 */

export type DashboardData = {
  filter: { from: string; to: string; borough: string | null; status: string | null };
  rows: DashboardRow[];
  totals: DashboardTotals;
  /** The force's target: one false alert in `facesPerFalseAlert` faces, i.e. `per1000` per 1,000 faces. */
  target: { facesPerFalseAlert: number; per1000: number; isDefault: boolean };
};

/**
 * Boroughs by zone text, kept for the process: finding the borough (parsing the zone, testing it
 * against every borough's outline) was most of the time of a warm dashboard over 1,000
 * deployments, and a zone's text names its borough for good. Bounded: emptied past 20,000 zones.
 */
const boroughs = processState('dashboard-boroughs', () => new Map<string, string | null>());

function boroughOf(zone: string | null): string | null {
  if (!zone) return null;
  const known = boroughs.get(zone);
  if (known !== undefined) return known;
  if (boroughs.size >= 20_000) boroughs.clear();
  const borough = boroughOfZone(zone);
  boroughs.set(zone, borough);
  return borough;
}

type GroupRow = {
  deploymentId: string;
  decision: string | null;
  outcome: string | null;
  alerts: bigint | number;
  engagements: bigint | number;
  outcomes: bigint | number;
  decisionMs: string | null;
};

/**
 * The alerts of the deployments in range, counted per deployment, decision and outcome, each group
 * with its distinct engagements and outcomes (the group call that recorded the alert's latest
 * decision or outcome, else the alert: lib/records/figures.ts countingKeys) and its times to first
 * decision (ms, comma-separated; the undecided add none). One query; SQL differs only in how each
 * database subtracts two instants and joins strings. Reads the columns of one index
 * (prisma/schema.prisma) and each alert's latest decision records, never an alert's row: no crop,
 * name or reference is touched.
 */
async function alertGroups(filter: DashboardFilter): Promise<AlertGroup[]> {
  const status = filter.status ? Prisma.sql`AND d."status" = ${filter.status}` : Prisma.empty;
  const decisionMs =
    dbProvider() === 'postgresql'
      ? Prisma.sql`string_agg(ROUND(EXTRACT(EPOCH FROM (k."firstDecidedAt" - k."createdAt")) * 1000)::bigint::text, ',')`
      : Prisma.sql`group_concat(CAST(ROUND((julianday(k."firstDecidedAt") - julianday(k."createdAt")) * 86400000) AS INTEGER))`;
  // Only engaged alerts need their groups looked up (the others' engagements and outcomes are not counted).
  const groupOf = (kind: string) =>
    Prisma.sql`CASE WHEN a."decision" = 'engage' THEN (SELECT ad."groupId" FROM "AlertDecision" ad WHERE ad."alertId" = a."id" AND ad."kind" = ${kind} ORDER BY ad."at" DESC, ad."id" DESC LIMIT 1) END`;
  const rows = await getDb().$queryRaw<GroupRow[]>`
    SELECT k."deploymentId" AS "deploymentId", k."decision" AS "decision", k."outcome" AS "outcome",
           COUNT(*) AS "alerts",
           COUNT(DISTINCT COALESCE('group:' || k."decisionGroupId", 'alert:' || k."id")) AS "engagements",
           COUNT(DISTINCT COALESCE('group:' || k."outcomeGroupId", 'group:' || k."decisionGroupId", 'alert:' || k."id")) AS "outcomes",
           ${decisionMs} AS "decisionMs"
    FROM (
      SELECT a."id", a."deploymentId", a."decision", a."outcome", a."createdAt", a."firstDecidedAt",
             ${groupOf('decision')} AS "decisionGroupId", ${groupOf('outcome')} AS "outcomeGroupId"
      FROM "Alert" a JOIN "Deployment" d ON d."id" = a."deploymentId"
      WHERE d."startsAt" >= ${filter.start} AND d."startsAt" < ${filter.end} ${status}
    ) k
    GROUP BY k."deploymentId", k."decision", k."outcome"`;
  return rows.map((row) => ({
    deploymentId: row.deploymentId,
    decision: row.decision,
    outcome: row.outcome,
    count: Number(row.alerts),
    engagements: Number(row.engagements),
    outcomes: Number(row.outcomes),
    // A decision recorded before the alert's own time (clocks) counts as immediate, as in the record.
    decisionMs: row.decisionMs ? row.decisionMs.split(',').map((ms) => Math.max(0, Number(ms))) : [],
  }));
}

export async function loadDashboard(filter: DashboardFilter): Promise<DashboardData> {
  const [deployments, groups, target] = await Promise.all([
    getDb().deployment.findMany({
      where: { startsAt: { gte: filter.start, lt: filter.end }, ...(filter.status ? { status: filter.status } : {}) },
      select: {
        id: true,
        name: true,
        status: true,
        zone: true,
        startsAt: true,
        endsAt: true,
        wentLiveAt: true,
        endedAt: true,
        facesProcessed: true,
        _count: { select: { cameras: true } },
      },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    }),
    alertGroups(filter),
    getAccuracyTarget(),
  ]);

  const facts: DeploymentFacts[] = [];
  for (const d of deployments) {
    const borough = boroughOf(d.zone);
    if (filter.borough && borough !== filter.borough) continue;
    facts.push({
      id: d.id,
      name: d.name,
      status: d.status,
      borough,
      startsAt: d.startsAt,
      endsAt: d.endsAt,
      wentLiveAt: d.wentLiveAt,
      endedAt: d.endedAt,
      cameras: d._count.cameras,
      facesProcessed: d.facesProcessed,
    });
  }
  const byDeployment = new Map<string, AlertGroup[]>();
  for (const group of groups) {
    let list = byDeployment.get(group.deploymentId);
    if (!list) byDeployment.set(group.deploymentId, (list = []));
    list.push(group);
  }
  const { rows, totals } = summariseDashboard(facts, byDeployment);
  return {
    filter: { from: filter.from, to: filter.to, borough: filter.borough, status: filter.status },
    rows,
    totals,
    target: { facesPerFalseAlert: target.facesPerFalseAlert, per1000: 1000 / target.facesPerFalseAlert, isDefault: target.isDefault },
  };
}
