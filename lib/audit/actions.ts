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
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
