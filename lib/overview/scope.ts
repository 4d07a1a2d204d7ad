import { can, type Role } from '@/lib/auth/permissions';

/**
 * What the home page's "What needs attention now" shows each role (docs/rules.md#the-home-page).
 * The one place that decides it: the page, GET /api/overview and the socket all ask here, and
 * data.ts reads only the parts a role is given. Nothing here is a face, a crop, a watchlist
 * person's name or reference: only counts, deployment and watchlist names, and times.
 */
export type OverviewScope = {
  /** Live deployments with their faces processed in the last minutes (who watches or reads deployments). */
  liveDeployments: boolean;
  /** Alerts awaiting a decision per live deployment, with the oldest one's age (who reads alerts: not admins, not auditors). */
  awaitingAlerts: boolean;
  /** Alerts waiting past the second escalation limit, called out on their own (senior officers, who may take a claim over). */
  escalations: boolean;
  /** Links to a deployment go to its live page rather than its plan. */
  liveLinks: boolean;
  /** Plans submitted and awaiting a second officer (who may authorise). */
  plansAwaitingAuthorisation: boolean;
  /** Watchlist entries past their review date, per watchlist (who curates watchlists). */
  overdueReviews: boolean;
  /** Retention work due: alert crops past the retention period, snapshots not yet purged (who oversees the records). */
  retention: boolean;
};

export function overviewScope(role: Role): OverviewScope {
  return {
    liveDeployments: can(role, 'live:view') || can(role, 'deployment:read'),
    awaitingAlerts: can(role, 'alert:read'),
    escalations: can(role, 'alert:read') && can(role, 'alert:release-any'),
    liveLinks: can(role, 'live:view'),
    plansAwaitingAuthorisation: can(role, 'deployment:authorise'),
    overdueReviews: can(role, 'watchlist:manage'),
    // Admins and auditors: those who read the audit trail, where the jobs' deletions are recorded.
    retention: can(role, 'audit:read'),
  };
}

/** Whether a role has anything to see in the overview at all (camera agents have not). */
export function hasOverview(role: Role): boolean {
  return Object.values(overviewScope(role)).some(Boolean);
}

/** Faces are counted over this many whole minutes, the current one included. */
export const FACES_WINDOW_MINUTES = 5;

export type OverviewDeployment = {
  id: string;
  name: string;
  /** Faces processed in the last FACES_WINDOW_MINUTES minutes, counted and not yet written included. */
  facesRecently: number;
  /** Present only for roles that read alerts. */
  awaiting?: { count: number /** ISO time the oldest alert awaiting a decision was raised; null when none. */; oldestSince: string | null };
};

export type OverviewPlan = { id: string; name: string; plannerName: string /** ISO time last submitted. */; submittedAt: string };

export type OverviewWatchlist = { id: string; name: string; overdue: number };

export type OverviewRetention = {
  retentionDays: number;
  /** Alert crops older than the retention period, not retained and not yet deleted. */
  expiredCrops: number;
  /** Snapshots of deployments no longer live, not yet purged. */
  leftoverSnapshots: number;
  /** ISO time each job next runs in this server, or null when it is not running (then: due now). */
  cropsJobNextRunAt: string | null;
  snapshotsJobNextRunAt: string | null;
};

/** The overview as one role sees it; a part the role may not see is absent, not empty. */
export type Overview = {
  /** The server's clock when this was read (the client measures ages against it). */
  generatedAt: string;
  deployments?: OverviewDeployment[];
  plansAwaitingAuthorisation?: OverviewPlan[];
  overdueReviews?: OverviewWatchlist[];
  retention?: OverviewRetention;
  /** When awaiting alerts escalate (seconds); present for senior officers, who see the overdue ones called out. */
  escalation?: { colourAfterSeconds: number; soundAfterSeconds: number };
  /** Links to deployments go to their live pages (live:view) or else to the deployment. */
  liveLinks: boolean;
};

/** The live deployments whose oldest alert awaiting a decision has waited `limitSeconds` or more at `now` (escalated to senior officers). */
export function overdueDeployments(deployments: readonly OverviewDeployment[], limitSeconds: number, now: number): OverviewDeployment[] {
  return deployments.filter((d) => d.awaiting?.oldestSince && now - Date.parse(d.awaiting.oldestSince) >= limitSeconds * 1000);
}

/** Whether anything in it needs someone's attention (else the page says "Nothing needs attention"). */
export function needsAttention(overview: Overview): boolean {
  const retention = overview.retention;
  return (
    (overview.deployments?.length ?? 0) > 0 ||
    (overview.plansAwaitingAuthorisation?.length ?? 0) > 0 ||
    (overview.overdueReviews?.length ?? 0) > 0 ||
    (retention !== undefined && retention.expiredCrops + retention.leftoverSnapshots > 0)
  );
}
