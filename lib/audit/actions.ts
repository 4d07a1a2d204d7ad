/** Every audited action, `noun.past_verb`. New features add theirs here. */
export const AUDIT_ACTIONS = [
  'auth.signed_in',
  'auth.sign_in_failed',
  // once per blocked window, not per refused attempt (lib/auth/sign-in.ts)
  'auth.sign_in_blocked',
  'auth.sign_in_block_ended',
  'auth.signed_out',
  'user.created',
  'user.changed',
  'user.disabled',
  'user.enabled',
  'user.role_changed',
  // passwords: an admin sets a temporary one (new account, reset); the person then chooses their own
  'user.password_reset',
  'user.password_changed',
  'user.password_change_failed',
  // service accounts (camera agents) and their API keys; refusals are rate-limited per sender (lib/service-accounts/mutations.ts)
  'service_account.created',
  'service_account.key_rotated',
  'service_account.revoked',
  'api_key.first_used',
  'api_key.refused',
  // what the refusal limits left out in a minute, charged to nobody
  'api_key.refusals_unrecorded',
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
  // deployments (docs/rules.md#lifecycle)
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
  // a camera agent (service account) was given the deployment (lib/service-accounts/mutations.ts)
  'deployment.service_account_given',
  'camera.added',
  'camera.changed',
  'camera.removed',
  // alerts (a human decides every one)
  'alert.raised',
  'alert.claimed',
  'alert.released',
  'alert.claim_lapsed',
  // the holder asked for more time before the claim lapses
  'alert.claim_extended',
  'alert.decided',
  'alert.outcome_recorded',
  'alert.retained',
  'alert.crop_deleted',
  // the dashboard across deployments (/records): its table downloaded as CSV, with the filter
  'records.exported',
  // live matching: candidates whose crop the tile never sent (an unverified first-stage match)
  'probe.candidate_not_verified',
  // a camera agent took a camera from a camera-wall screen or HTTP sender: once per agent and camera per server run (lib/live/lease-access.ts)
  'camera_lease.taken_by_agent',
  // accuracy (thresholds from measured error rates; docs/rules.md#accuracy)
  'settings.changed',
  'calibration.started',
  'calibration.completed',
  'calibration.failed',
  'calibration.activated',
  'templates.backfill_started',
  'templates.backfill_completed',
  'templates.backfill_failed',
  'templates.purged',
  // accountability: a deployment's record opened, downloaded (CSV, JSON) or printed (lib/records/mutations.ts)
  'record.viewed',
  'record.exported',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
