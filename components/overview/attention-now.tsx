'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { formatLondon, formatLondonTime } from '@/components/deployments/london-time';
import { FACES_WINDOW_MINUTES, needsAttention, overdueDeployments, type Overview, type OverviewDeployment, type OverviewRetention } from '@/lib/overview/scope';
import { formatWaiting, plural } from '@/lib/overview/words';
import type { ServerToClientEvents } from '@/lib/realtime/events';
import { useRealtime } from '@/lib/realtime/use-realtime';

/** Changes arriving within this long are read once. */
const REFETCH_DEBOUNCE_MS = 300;
/** A read taking longer than this says so ("Updating…"). */
const SLOW_READ_MS = 400;

/**
 * The home page's "What needs attention now" for the signed-in role (lib/overview/scope.ts): first
 * drawn from the server's read, then read again (GET /api/overview) whenever the socket says it may
 * have changed (`attention:changed`: an alert, a deployment, a watchlist, a retention job; and a
 * steady tick for the faces figures). The oldest alert's age counts up every second here, measured
 * against the server's clock. Only the summary line is a live region, so the ticking age and the
 * faces figures are not read out.
 */
export function AttentionNow({ initial }: { initial: Overview }) {
  const { socket } = useRealtime();
  const [overview, setOverview] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  // Whether the server will tell this page of changes (it joined the overview's room).
  const [following, setFollowing] = useState(false);
  // The server's clock minus this browser's, and "now" on the server's clock (ages are counted on it).
  const skew = useRef(0);
  const [now, setNow] = useState(() => Date.parse(initial.generatedAt));
  const current = useRef(overview);
  current.current = overview;

  useEffect(() => {
    if (!socket) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    let again = false;
    let closed = false;
    const load = async () => {
      inFlight = true;
      // Said only when a read is slow: the steady tick would otherwise flicker "Updating…".
      const slow = setTimeout(() => setBusy(true), SLOW_READ_MS);
      try {
        const sentAt = Date.now();
        const response = await fetch('/api/overview', { cache: 'no-store' });
        if (!response.ok) throw new Error(`overview answered ${response.status}`);
        const body = (await response.json()) as Overview;
        if (closed) return;
        skew.current = Date.parse(body.generatedAt) - (sentAt + Date.now()) / 2;
        setOverview(body);
        setNow(Date.now() + skew.current);
        setFailed(false);
      } catch {
        if (!closed) setFailed(true);
      } finally {
        inFlight = false;
        clearTimeout(slow);
        if (!closed) setBusy(false);
        if (again && !closed) {
          again = false;
          schedule();
        }
      }
    };
    const schedule = () => {
      if (inFlight) {
        again = true;
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => void load(), REFETCH_DEBOUNCE_MS);
    };
    // (Re)joining after a reconnect reads again: changes while the socket was down were not told.
    const join = () => {
      if (!socket.connected) return;
      void socket
        .timeout(10_000)
        .emitWithAck('attention:join', {})
        .then((answer) => {
          setFollowing(answer.ok);
          if (answer.ok) schedule();
        })
        .catch(() => setFollowing(false));
    };
    const onDisconnect = () => setFollowing(false);
    const onChanged: ServerToClientEvents['attention:changed'] = ({ reason }) => {
      // The tick is for figures that move by themselves: faces processed, and retention falling due.
      if (reason === 'tick' && !movesByItself(current.current)) return;
      schedule();
    };
    join();
    socket.on('connect', join);
    socket.on('disconnect', onDisconnect);
    socket.on('attention:changed', onChanged);
    return () => {
      closed = true;
      clearTimeout(timer);
      socket.off('connect', join);
      socket.off('disconnect', onDisconnect);
      socket.off('attention:changed', onChanged);
    };
  }, [socket]);

  // The oldest alert's age counts up every second, only while one is waiting.
  const waiting = (overview.deployments ?? []).some((d) => d.awaiting?.oldestSince);
  useEffect(() => {
    if (!waiting) return;
    setNow(Date.now() + skew.current);
    const ticker = setInterval(() => setNow(Date.now() + skew.current), 1000);
    return () => clearInterval(ticker);
  }, [waiting]);

  const empty = !needsAttention(overview);
  return (
    <section className="panel attention" aria-labelledby="attention-now-heading" aria-busy={busy} data-testid="attention-now" data-following={following}>
      <div className="attention-header">
        <h2 id="attention-now-heading">What needs attention now</h2>
        <span className="muted attention-status" data-testid="attention-status">
          {failed ? `Could not refresh: figures as of ${formatLondonTime(overview.generatedAt)} London time` : busy ? 'Updating…' : ''}
        </span>
      </div>
      <p className="visually-hidden" aria-live="polite" data-testid="attention-summary">
        {summary(overview)}
      </p>
      {empty ? (
        // (the live region above already says it to screen readers)
        <p className="muted" data-testid="attention-empty" aria-hidden="true">
          Nothing needs attention.
        </p>
      ) : (
        <div className="attention-groups">
          {overview.deployments && overview.deployments.length > 0 && (
            <div>
              <h3>Live deployments</h3>
              <ul className="attention-list">
                {overview.deployments.map((deployment) => (
                  <DeploymentItem key={deployment.id} deployment={deployment} liveLinks={overview.liveLinks} now={now} />
                ))}
              </ul>
            </div>
          )}
          {overview.escalation && <OverdueAlerts deployments={overview.deployments ?? []} limitSeconds={overview.escalation.soundAfterSeconds} now={now} />}
          {overview.plansAwaitingAuthorisation && overview.plansAwaitingAuthorisation.length > 0 && (
            <div>
              <h3>Plans awaiting a second officer</h3>
              <ul className="attention-list">
                {overview.plansAwaitingAuthorisation.map((plan) => (
                  <li key={plan.id} data-testid="attention-plan" data-plan-id={plan.id}>
                    <Link href={`/deployments/${plan.id}`}>{plan.name}</Link>{' '}
                    <span className="muted">
                      planned by {plan.plannerName}, submitted {formatLondon(plan.submittedAt, { withYear: false })} London time
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {overview.overdueReviews && overview.overdueReviews.length > 0 && (
            <div>
              <h3>Watchlist entries past their review date</h3>
              <ul className="attention-list">
                {overview.overdueReviews.map((watchlist) => (
                  <li key={watchlist.id} data-testid="attention-watchlist" data-watchlist-id={watchlist.id}>
                    <Link href={`/watchlists/${watchlist.id}?reviewOverdue=true`}>{watchlist.name}</Link>:{' '}
                    <span className="warn-text">{plural(watchlist.overdue, 'entry', 'entries')} overdue for review</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {overview.retention && overview.retention.expiredCrops + overview.retention.leftoverSnapshots > 0 && (
            <RetentionItems retention={overview.retention} now={now} />
          )}
        </div>
      )}
    </section>
  );
}

function DeploymentItem({ deployment, liveLinks, now }: { deployment: OverviewDeployment; liveLinks: boolean; now: number }) {
  const awaiting = deployment.awaiting;
  return (
    <li data-testid="attention-deployment" data-deployment-id={deployment.id}>
      <Link href={liveLinks ? `/live/${deployment.id}` : `/deployments/${deployment.id}`}>{deployment.name}</Link>{' '}
      <span className="muted" data-testid="attention-faces">
        {plural(deployment.facesRecently, 'face')} processed in the last {FACES_WINDOW_MINUTES} minutes
      </span>
      {awaiting && (
        <div data-testid="attention-awaiting" data-count={awaiting.count}>
          {awaiting.count === 0 ? (
            <span className="muted">No alert awaiting a decision.</span>
          ) : (
            <>
              <Link href={`/alerts?deployment=${deployment.id}`} className="warn-text">
                {plural(awaiting.count, 'alert')} awaiting a decision
              </Link>
              {awaiting.oldestSince && <span data-testid="attention-oldest">, oldest waiting {formatWaiting(now - Date.parse(awaiting.oldestSince))}</span>}
            </>
          )}
        </div>
      )}
    </li>
  );
}

/**
 * For senior officers: each live deployment whose oldest awaiting alert has waited past the second
 * escalation limit, called out with a link to its queue. Appears as the age ticks past the limit,
 * without waiting for an event.
 */
function OverdueAlerts({ deployments, limitSeconds, now }: { deployments: OverviewDeployment[]; limitSeconds: number; now: number }) {
  const overdue = overdueDeployments(deployments, limitSeconds, now);
  if (overdue.length === 0) return null;
  return (
    <div className="attention-escalated" data-testid="attention-escalated">
      <h3>Alerts waiting too long</h3>
      <ul className="attention-list">
        {overdue.map((d) => (
          <li key={d.id} data-testid="attention-overdue" data-deployment-id={d.id}>
            <Link href={`/alerts?deployment=${d.id}`} className="danger-text">
              {d.name}: oldest alert waiting {formatWaiting(now - Date.parse(d.awaiting!.oldestSince!))}
            </Link>{' '}
            <span className="muted">(past the {formatWaiting(limitSeconds * 1000)} limit; you can take the claim over or release it)</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function RetentionItems({ retention, now }: { retention: OverviewRetention; now: number }) {
  const when = (nextRunAt: string | null) =>
    nextRunAt && Date.parse(nextRunAt) > now ? `the job next runs at ${formatLondonTime(nextRunAt)} London time` : 'due now';
  return (
    <div>
      <h3>Retention jobs due</h3>
      <ul className="attention-list">
        {retention.expiredCrops > 0 && (
          <li data-testid="attention-retention-crops">
            <Link href="/audit?action=alert.crop_deleted">
              {plural(retention.expiredCrops, 'alert face crop')} older than {retention.retentionDays} days
            </Link>{' '}
            <span className="muted">to delete: {when(retention.cropsJobNextRunAt)}</span>
          </li>
        )}
        {retention.leftoverSnapshots > 0 && (
          <li data-testid="attention-retention-snapshots">
            <Link href="/audit?action=snapshot.purged">{plural(retention.leftoverSnapshots, 'watchlist snapshot')} of deployments no longer live</Link>{' '}
            <span className="muted">to purge: {when(retention.snapshotsJobNextRunAt)}</span>
          </li>
        )}
      </ul>
    </div>
  );
}

/** Whether the overview shows figures that change without an event: faces processed, or retention falling due. */
function movesByItself(overview: Overview): boolean {
  return (overview.deployments?.length ?? 0) > 0 || overview.retention !== undefined;
}

/** The live region's words: counts only, so they change (and are read out) only when something does. */
function summary(overview: Overview): string {
  if (!needsAttention(overview)) return 'Nothing needs attention.';
  const parts: string[] = [];
  const deployments = overview.deployments ?? [];
  if (deployments.length > 0) parts.push(`${plural(deployments.length, 'live deployment')}`);
  const awaiting = deployments.reduce((sum, d) => sum + (d.awaiting?.count ?? 0), 0);
  if (deployments.some((d) => d.awaiting)) parts.push(`${plural(awaiting, 'alert')} awaiting a decision`);
  const plans = overview.plansAwaitingAuthorisation?.length ?? 0;
  if (plans > 0) parts.push(`${plural(plans, 'plan')} awaiting a second officer`);
  const overdue = (overview.overdueReviews ?? []).reduce((sum, w) => sum + w.overdue, 0);
  if (overdue > 0) parts.push(`${plural(overdue, 'watchlist entry', 'watchlist entries')} past their review date`);
  const retention = overview.retention;
  if (retention && retention.expiredCrops + retention.leftoverSnapshots > 0) parts.push('retention jobs due');
  return `${parts.join('; ')}.`;
}
