/**
 * Audit action codes (`noun.past_verb`, lib/audit/actions.ts) and subject types in words for the
 * audit page; the code stays on hover and in the filter's value. Derived, not a second list to
 * keep in step: the noun and the verb are read apart, with a few nouns and verbs said better.
 * Pure, so it is unit-tested.
 */

const NOUNS: Record<string, string> = {
  auth: '',
  api_key: 'API key',
  records: 'Dashboard',
  record: 'Deployment record',
  probe: 'Live matching',
  camera_lease: 'Camera',
  templates: 'Face templates',
  settings: 'Settings',
  reference_image: 'Reference photo',
  snapshot: 'Watchlist snapshot',
  service_account: 'Camera agent',
  user: 'User',
};

const VERBS: Record<string, string> = {
  sign_in_failed: 'sign-in failed',
  sign_in_blocked: 'sign-in blocked after repeated failures',
  sign_in_block_ended: 'sign-in block ended',
  first_used: 'used for the first time',
  refusals_unrecorded: 'refusals not recorded one by one',
  candidate_not_verified: 'candidate not verified',
  taken_by_agent: 'taken over by a camera agent',
  service_account_given: 'given to a camera agent',
  crop_deleted: 'face crop deleted',
  key_rotated: 'key replaced',
  role_changed: 'role changed',
  password_reset: 'temporary password set',
  password_change_failed: 'password change failed',
  authorisation_withdrawn: 'authorisation withdrawn',
  outcome_recorded: 'outcome recorded',
  claim_lapsed: 'claim lapsed',
  backfill_started: 'filling in started',
  backfill_completed: 'filling in completed',
  backfill_failed: 'filling in failed',
};

const words = (code: string) => code.replace(/_/g, ' ');
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "user.role_changed" → "User role changed"; "auth.sign_in_failed" → "Sign-in failed". */
export function actionLabel(code: string): string {
  const dot = code.indexOf('.');
  if (dot < 0) return capitalise(words(code));
  const noun = code.slice(0, dot);
  const verb = code.slice(dot + 1);
  const nounText = noun in NOUNS ? NOUNS[noun]! : capitalise(words(noun));
  const verbText = VERBS[verb] ?? words(verb);
  return capitalise(nounText ? `${nounText} ${verbText}` : verbText);
}

/** "watchlist_entry" → "Watchlist entry". */
export function subjectLabel(type: string): string {
  return type in NOUNS && NOUNS[type] ? NOUNS[type]! : capitalise(words(type));
}
