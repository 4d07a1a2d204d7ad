import type { Outcome } from '@/lib/alerts/state';
import { summariseDurations, tallyBuckets, type AlertTally } from '@/lib/records/figures';

/**
 * The dashboard's figures per deployment and over the table, from the deployments' stored totals
 * and their alerts grouped by decision and outcome (lib/records/figures.ts does the arithmetic). Pure.
 * Totals come from sums — false alerts over faces, one median over every alert — never from an
 * average of the rows' rates, which would weigh a ten-face deployment like a million-face one.
 */

export type DeploymentFacts = {
  id: string;
  name: string;
  status: string;
  borough: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  wentLiveAt: Date | null;
  endedAt: Date | null;
  cameras: number;
  facesProcessed: number;
};

export type Figures = {
  facesProcessed: number;
  alertsRaised: number;
  alertsDecided: number;
  falseAlerts: number;
  engagements: number;
  outcomes: Record<Outcome, number>;
  /** False alerts per 1,000 faces processed; null with no faces. */
  falseAlertsPer1000: number | null;
  /** Median time from alert to first decision, ms; null when none was decided. */
  medianDecisionMs: number | null;
};

export type DashboardRow = Omit<DeploymentFacts, 'startsAt' | 'endsAt' | 'wentLiveAt' | 'endedAt'> &
  Figures & { startsAt: string | null; endsAt: string | null; wentLiveAt: string | null; endedAt: string | null };

export type DashboardTotals = Figures & { deployments: number; cameras: number };

export const per1000 = (falseAlerts: number, faces: number): number | null => (faces > 0 ? (falseAlerts * 1000) / faces : null);

/**
 * Alerts of one deployment with the same decision and outcome, counted in the database, with the
 * time each took to its first decision (ms; the undecided have none). The dashboard reads these
 * groups, not the alerts one by one: 10,000 alerts are a few thousand groups.
 */
export type AlertGroup = {
  deploymentId: string;
  decision: string | null;
  outcome: string | null;
  count: number;
  /** Distinct engagements and outcomes among them (a group decision's alerts count once; lib/records/figures.ts AlertBucket). */
  engagements: number;
  outcomes: number;
  decisionMs: number[];
};

/**
 * The tally of grouped alerts, by lib/records/figures.ts's own rules (tallyBuckets): alerts are
 * counted apiece, engagements and outcomes once per group decision.
 */
export function tallyGroups(groups: readonly AlertGroup[]): AlertTally {
  return tallyBuckets(groups.map((g) => ({ decision: g.decision, outcome: g.outcome, alerts: g.count, engagements: g.engagements, outcomes: g.outcomes })));
}

function figures(facesProcessed: number, groups: readonly AlertGroup[]): Figures {
  const tally = tallyGroups(groups);
  return {
    facesProcessed,
    alertsRaised: tally.raised,
    alertsDecided: tally.decided,
    falseAlerts: tally.falseAlerts,
    engagements: tally.engagements,
    outcomes: tally.outcomes,
    falseAlertsPer1000: per1000(tally.falseAlerts, facesProcessed),
    medianDecisionMs: summariseDurations(groups.flatMap((g) => g.decisionMs))?.medianMs ?? null,
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** One row per deployment (in the order given) and the totals over them. */
export function summariseDashboard(
  deployments: readonly DeploymentFacts[],
  groupsByDeployment: ReadonlyMap<string, readonly AlertGroup[]>,
): { rows: DashboardRow[]; totals: DashboardTotals } {
  const rows = deployments.map((d): DashboardRow => {
    return {
      ...d,
      startsAt: iso(d.startsAt),
      endsAt: iso(d.endsAt),
      wentLiveAt: iso(d.wentLiveAt),
      endedAt: iso(d.endedAt),
      ...figures(d.facesProcessed, groupsByDeployment.get(d.id) ?? []),
    };
  });
  const faces = deployments.reduce((sum, d) => sum + d.facesProcessed, 0);
  return {
    rows,
    totals: {
      deployments: deployments.length,
      cameras: deployments.reduce((sum, d) => sum + d.cameras, 0),
      ...figures(
        faces,
        deployments.flatMap((d) => groupsByDeployment.get(d.id) ?? []),
      ),
    },
  };
}
