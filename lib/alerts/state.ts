/**
 * Triage of an alert (docs/rules.md#triage): a human decides every alert.
 *
 *   status      new → false_alert            (decision: no match)
 *                   → engaged → closed       (decision: possible match → engage; then the outcome)
 *   claim       one operator holds an alert at a time (claimedById); only the holder decides.
 *               Released by the holder, by a senior officer, by a decision that ends the
 *               holder's part, or after CLAIM_TIMEOUT_MS without an action.
 *
 * A correction is a new recorded decision (AlertDecision rows are never edited). A decided alert
 * is claimed again only as a correction, with a reason (kept with the claim, and audited): an
 * ordinary claim — someone working from a list that has not caught up — is refused with 409
 * `alert_decided`, so a decision is never overridden by accident. The one exception is an
 * engagement awaiting its outcome: anyone may claim it to record the outcome, but changing its
 * decision takes a correction too.
 */
export const ALERT_STATUSES = ['new', 'false_alert', 'engaged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const DECISIONS = ['false_alert', 'engage'] as const;
export type Decision = (typeof DECISIONS)[number];

export const OUTCOMES = ['arrest', 'safeguarding', 'other_action', 'not_subject', 'not_engaged'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const STATUS_LABELS: Record<AlertStatus, string> = {
  new: 'Awaiting decision',
  false_alert: 'False alert',
  engaged: 'Engaging',
  closed: 'Closed',
};

export const DECISION_LABELS: Record<Decision, string> = { false_alert: 'No match (false alert)', engage: 'Possible match → engage' };

export const OUTCOME_LABELS: Record<Outcome, string> = {
  arrest: 'Confirmed — arrest',
  safeguarding: 'Confirmed — safeguarding',
  other_action: 'Confirmed — other action',
  not_subject: 'Not the person',
  not_engaged: 'Not engaged',
};

/** A claim lapses after this long without an action by its holder. */
export const CLAIM_TIMEOUT_MS = 5 * 60_000;

/** The same entry on the same camera within this window updates the open alert. */
export const COALESCE_WINDOW_MS = 30_000;

export function statusAfterDecision(decision: Decision): AlertStatus {
  return decision === 'false_alert' ? 'false_alert' : 'engaged';
}

/** An outcome follows an engagement (or corrects an earlier outcome). */
export function acceptsOutcome(status: AlertStatus): boolean {
  return status === 'engaged' || status === 'closed';
}

/** A person has recorded a decision on it. */
export function isDecided(status: AlertStatus): boolean {
  return status !== 'new';
}

/** What an ordinary claim (no correction) may be for: the decision, or an engagement's outcome. */
export function claimableWithoutCorrection(status: AlertStatus): boolean {
  return status === 'new' || status === 'engaged';
}

/**
 * Whether the holder may record a decision now: on an alert awaiting one, or — on a decided
 * alert — only under a claim taken as a correction.
 */
export function mayDecide(alert: { status: AlertStatus; claimCorrection: string | null }): boolean {
  return alert.status === 'new' || alert.claimCorrection !== null;
}

/** Whether the holder may record an outcome now: after an engagement, or correcting a closed alert's outcome under a correction claim. */
export function mayRecordOutcome(alert: { status: AlertStatus; claimCorrection: string | null }): boolean {
  return alert.status === 'engaged' || (alert.status === 'closed' && alert.claimCorrection !== null);
}

/** Still waiting for a person: counts in the tab title and the "unhandled" filter. */
export function isUnhandled(status: AlertStatus): boolean {
  return status === 'new';
}

export function isAlertStatus(value: unknown): value is AlertStatus {
  return typeof value === 'string' && (ALERT_STATUSES as readonly string[]).includes(value);
}
