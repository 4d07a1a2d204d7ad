import { describe, expect, it } from 'vitest';
import { can, ROLES } from '@/lib/auth/permissions';
import {
  ACTION_PERMISSIONS,
  acceptsFaces,
  allowedActions,
  DEPLOYMENT_ACTIONS,
  DEPLOYMENT_STATUSES,
  isFinal,
  STATUS_LABELS,
  transition,
  type DeploymentAction,
  type DeploymentStatus,
} from '@/lib/deployments/state-machine';

// Written out from docs/rules.md#lifecycle and the documented decisions, independently of the table:
// from → action → to. Every other pair must be refused.
const EXPECTED: Record<DeploymentStatus, Partial<Record<DeploymentAction, DeploymentStatus>>> = {
  draft: { edit: 'draft', submit: 'submitted', cancel: 'cancelled' },
  // rejected = back to draft with reasons; an edit withdraws the submission
  submitted: { edit: 'draft', authorise: 'authorised', reject: 'draft', cancel: 'cancelled' },
  // an edit withdraws the authorisation
  authorised: { edit: 'draft', start: 'live', suspend: 'suspended', cancel: 'cancelled' },
  // a live deployment is never edited in place
  live: { suspend: 'suspended', end: 'ended', cancel: 'cancelled' },
  // resuming means a fresh submission and a second officer's authorisation
  suspended: { edit: 'draft', submit: 'submitted', cancel: 'cancelled' },
  ended: {},
  cancelled: {},
};

describe('deployment lifecycle', () => {
  for (const from of DEPLOYMENT_STATUSES) {
    for (const action of DEPLOYMENT_ACTIONS) {
      const to = EXPECTED[from][action];
      if (to) {
        it(`${from} —${action}→ ${to}`, () => {
          expect(transition(from, action)).toEqual({ ok: true, from, to });
        });
      } else {
        it(`${from} refuses ${action}, naming the current state`, () => {
          const result = transition(from, action);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.message).toContain(`This deployment is ${STATUS_LABELS[from]}`);
        });
      }
    }
  }

  it('lists the allowed actions in lifecycle order', () => {
    expect(allowedActions('submitted')).toEqual(['edit', 'authorise', 'reject', 'cancel']);
    expect(allowedActions('live')).toEqual(['suspend', 'end', 'cancel']);
  });

  it('treats ended and cancelled as final, and says so', () => {
    expect(DEPLOYMENT_STATUSES.filter(isFinal)).toEqual(['ended', 'cancelled']);
    const refused = transition('ended', 'start');
    expect(!refused.ok && refused.message).toMatch(/final record/);
  });

  it('tells a planner how to change a live deployment', () => {
    const refused = transition('live', 'edit');
    expect(!refused.ok && refused.message).toMatch(/Suspend or end it first/);
  });

  it('never reaches live without passing through authorised', () => {
    const into = (target: DeploymentStatus) => DEPLOYMENT_STATUSES.filter((from) => DEPLOYMENT_ACTIONS.some((a) => EXPECTED[from][a] === target));
    expect(into('live')).toEqual(['authorised']);
    expect(into('authorised')).toEqual(['submitted']);
  });
});

describe('who may attempt each action', () => {
  it('only senior officers may attempt any lifecycle action', () => {
    for (const action of DEPLOYMENT_ACTIONS) {
      const roles = ROLES.filter((role) => can(role, ACTION_PERMISSIONS[action]));
      expect(roles, action).toEqual(['senior_officer']);
    }
  });

  it('decisions need the authorise permission, stopping needs the suspend permission', () => {
    expect(ACTION_PERMISSIONS.authorise).toBe('deployment:authorise');
    expect(ACTION_PERMISSIONS.reject).toBe('deployment:authorise');
    expect(ACTION_PERMISSIONS.suspend).toBe('deployment:suspend');
    expect(ACTION_PERMISSIONS.cancel).toBe('deployment:suspend');
    expect(ACTION_PERMISSIONS.end).toBe('deployment:suspend');
  });
});

describe('acceptsFaces', () => {
  const startsAt = new Date('2026-12-01T09:00:00Z');
  const endsAt = new Date('2026-12-01T13:00:00Z');
  const inside = new Date('2026-12-01T10:00:00Z');

  it('only while live and inside the window', () => {
    expect(acceptsFaces({ status: 'live', startsAt, endsAt }, inside)).toBe(true);
    expect(acceptsFaces({ status: 'live', startsAt, endsAt }, endsAt)).toBe(false);
    expect(acceptsFaces({ status: 'live', startsAt, endsAt }, new Date('2026-12-01T08:59:59Z'))).toBe(false);
    for (const status of DEPLOYMENT_STATUSES.filter((s) => s !== 'live')) {
      expect(acceptsFaces({ status, startsAt, endsAt }, inside), status).toBe(false);
    }
    expect(acceptsFaces({ status: 'live', startsAt: null, endsAt }, inside)).toBe(false);
  });
});
