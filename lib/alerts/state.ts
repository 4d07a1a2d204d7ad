/**
 * Triage of an alert (docs/rules.md#triage): a human decides every alert.
 *
 *   status      new → false_alert            (decision: no match)
 *                   → engaged → closed       (decision: possible match → engage; then the outcome)
 *   claim       one operator holds an alert at a time (claimedById); only the holder decides.
 *               Released by the holder, by a senior officer, by a decision that ends the
 *               holder's part, or after CLAIM_TIMEOUT_MS without an action.
 *
 * A correction is a new recorded decision (AlertDecision rows are never edited): a decided
 * alert may be claimed again and decided again.
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

/** Still waiting for a person: counts in the tab title and the "unhandled" filter. */
export function isUnhandled(status: AlertStatus): boolean {
  return status === 'new';
}

export function isAlertStatus(value: unknown): value is AlertStatus {
  return typeof value === 'string' && (ALERT_STATUSES as readonly string[]).includes(value);
}
