/** Every audited action, `noun.past_verb`. New features add theirs here. */
export const AUDIT_ACTIONS = [
  'auth.signed_in',
  'auth.sign_in_failed',
  'auth.signed_out',
  'user.created',
  'user.changed',
  'user.disabled',
  'user.enabled',
  'user.role_changed',
  // watchlists (admins curate; every view of a reference image is recorded)
  'watchlist.created',
  'watchlist.changed',
  'watchlist.deleted',
  'watchlist_entry.created',
  'watchlist_entry.changed',
  'watchlist_entry.deleted',
  'reference_image.added',
  'reference_image.viewed',
  'snapshot.created',
  'snapshot.purged',
  // deployments (lifecycle of DOMAIN.md)
  'deployment.created',
  'deployment.changed',
  'deployment.authorisation_withdrawn',
  'deployment.submitted',
  'deployment.authorised',
  'deployment.rejected',
  'deployment.started',
  'deployment.suspended',
  'deployment.ended',
  'deployment.cancelled',
  'camera.added',
  'camera.changed',
  'camera.removed',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
