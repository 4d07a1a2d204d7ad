import type { Permission } from '@/lib/auth/permissions';

/**
 * The deployment lifecycle (docs/rules.md#lifecycle), as one pure table (no database, no clock), so the
 * server, the pages and the tests all read the same rules.
 *
 *   draft ──submit──▶ submitted ──authorise──▶ authorised ──start──▶ live ──end──▶ ended
 *     ▲                  │                       │                    │
 *     └──── reject ──────┘                       └─suspend─▶ suspended ◀┘
 *     ▲                                                        │
 *     └─── edit (of submitted, authorised or suspended) ───────┘ (or submit again)
 *
 * Decisions (see also lib/deployments/mutations.ts):
 * - Rejected is not a stored status: a rejected plan goes back to `draft` with the reasons in
 *   `decisionNotes` (and `decidedAt` set, no authoriser), so the planner can fix and resubmit.
 *   That keeps the meaning of a rejection — back to draft, with reasons — with one editable
 *   state instead of two.
 * - Editing is allowed in draft and in the states before going live: editing a submitted plan
 *   withdraws the submission; editing an authorised (or suspended) plan withdraws the
 *   authorisation. Either way the plan is a draft again. A live deployment cannot be edited
 *   (suspend or end it first); ended and cancelled records are final.
 * - Suspended cannot resume on its own word: a suspended plan is submitted again (as it is,
 *   or after edits) and needs a fresh decision by a second senior officer before it can go
 *   live again. Going live again takes a fresh watchlist snapshot.
 * - Cancel (with a reason) is final. It is allowed from authorised, live and suspended, and
 *   also from draft and submitted, so a plan that will not go ahead can
 *   be closed with a recorded reason instead of lingering.
 */
export const DEPLOYMENT_STATUSES = ['draft', 'submitted', 'authorised', 'live', 'suspended', 'ended', 'cancelled'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const DEPLOYMENT_ACTIONS = ['edit', 'submit', 'authorise', 'reject', 'start', 'suspend', 'end', 'cancel'] as const;
export type DeploymentAction = (typeof DEPLOYMENT_ACTIONS)[number];

export const STATUS_LABELS: Record<DeploymentStatus, string> = {
  draft: 'a draft',
  submitted: 'submitted for authorisation',
  authorised: 'authorised',
  live: 'live',
  suspended: 'suspended',
  ended: 'ended',
  cancelled: 'cancelled',
};

/** How each action reads in a sentence: "it cannot be <verb>". */
const ACTION_VERBS: Record<DeploymentAction, string> = {
  edit: 'changed',
  submit: 'submitted',
  authorise: 'authorised',
  reject: 'rejected',
  start: 'started (taken live)',
  suspend: 'suspended',
  end: 'ended',
  cancel: 'cancelled',
};

/** from → action → to. Anything missing is a refused transition. */
const TRANSITIONS: Record<DeploymentStatus, Partial<Record<DeploymentAction, DeploymentStatus>>> = {
  draft: { edit: 'draft', submit: 'submitted', cancel: 'cancelled' },
  submitted: { edit: 'draft', authorise: 'authorised', reject: 'draft', cancel: 'cancelled' },
  authorised: { edit: 'draft', start: 'live', suspend: 'suspended', cancel: 'cancelled' },
  live: { suspend: 'suspended', end: 'ended', cancel: 'cancelled' },
  suspended: { edit: 'draft', submit: 'submitted', cancel: 'cancelled' },
  ended: {},
  cancelled: {},
};

/** Who may attempt each action (the two-person rule is checked per deployment on top). */
export const ACTION_PERMISSIONS: Record<DeploymentAction, Permission> = {
  edit: 'deployment:plan',
  submit: 'deployment:plan',
  start: 'deployment:plan',
  authorise: 'deployment:authorise',
  reject: 'deployment:authorise',
  suspend: 'deployment:suspend',
  end: 'deployment:suspend',
  cancel: 'deployment:suspend',
};

/** Actions that need a written reason. */
export const ACTIONS_NEEDING_REASON: readonly DeploymentAction[] = ['reject', 'suspend', 'cancel'];

export type Transition = { ok: true; from: DeploymentStatus; to: DeploymentStatus } | { ok: false; from: DeploymentStatus; message: string };

export function isDeploymentStatus(value: unknown): value is DeploymentStatus {
  return typeof value === 'string' && (DEPLOYMENT_STATUSES as readonly string[]).includes(value);
}

/** The outcome of `action` on a deployment in `from`; refusals carry a message naming the state. */
export function transition(from: DeploymentStatus, action: DeploymentAction): Transition {
  const to = TRANSITIONS[from][action];
  if (to) return { ok: true, from, to };
  return { ok: false, from, message: refusalMessage(from, action) };
}

/** Actions a deployment in `status` allows, in lifecycle order. */
export function allowedActions(status: DeploymentStatus): DeploymentAction[] {
  return DEPLOYMENT_ACTIONS.filter((action) => TRANSITIONS[status][action] !== undefined);
}

/** Final states: nothing more can happen to the record. */
export function isFinal(status: DeploymentStatus): boolean {
  return allowedActions(status).length === 0;
}

function refusalMessage(from: DeploymentStatus, action: DeploymentAction): string {
  const base = `This deployment is ${STATUS_LABELS[from]}, so it cannot be ${ACTION_VERBS[action]}.`;
  if (isFinal(from)) return `${base} ${from === 'ended' ? 'An ended' : 'A cancelled'} deployment is a final record.`;
  if (from === 'live' && action === 'edit') return `${base} Suspend or end it first.`;
  return `${base} From here it can be: ${allowedActions(from)
    .map((a) => ACTION_VERBS[a])
    .join(', ')}.`;
}

/**
 * Whether cameras may send faces now (docs/rules.md#going-live: only while live and inside the window). For
 * the probe and live-tile code, which must refuse anything else.
 */
export function acceptsFaces(deployment: { status: string; startsAt: Date | null; endsAt: Date | null }, now: Date = new Date()): boolean {
  return (
    deployment.status === 'live' &&
    deployment.startsAt !== null &&
    deployment.endsAt !== null &&
    deployment.startsAt.getTime() <= now.getTime() &&
    now.getTime() < deployment.endsAt.getTime()
  );
}
