import { createHash } from 'node:crypto';
import { onAnnouncement } from '@/lib/cluster/bus';
import { processState } from '@/lib/process-state';

/**
 * A short memory of credentials that were accepted: a session cookie or an API key, as the text
 * the caller sent, to what it proved (the session's user, the key's service account). Used on the
 * probe route only (lib/auth/guards.ts requirePermissionOrApiKey), where an integration sends
 * hundreds of requests a second with the same credential, and decoding the cookie (WebCrypto) and
 * reading its session from the database on each one cost several times the probe itself.
 *
 * How a credential stops working here:
 * - at once on this instance, and within milliseconds on the others, when its session ends or its
 *   key stops (sign-out, a disabled user, a role or password change, a key revoked or rotated): the
 *   change announces it after it commits (lib/cluster/bus.ts `sessions:ended`, `api-keys:ended`);
 * - within CREDENTIAL_TTL_MS in any case, so a lost announcement (an instance briefly cut off), or a
 *   change made in the database by hand, is noticed within a second;
 * - at the session's or key's own expiry, never later.
 *
 * Only acceptances are kept: a refused credential is checked again every time (it is rare from a
 * working sender, and a refusal is audited where the checks audit it). Entries are keyed by a
 * SHA-256 of the credential's text, so two cookies never share one, and the text itself is not held.
 * A read that started before an announcement is not kept (`generation`): it may have seen the
 * session alive just before it ended.
 */

/** How long an accepted credential is believed without asking the database again. */
export const CREDENTIAL_TTL_MS = 1000;
/** Beyond this many entries, expired ones are swept; if all are fresh, the memory starts again. */
const MAX_ENTRIES = 10_000;

/** What an entry belongs to: ending any of these forgets it. */
export type CredentialOwner = { userId: string; sessionId?: string; keyId?: string };

type Entry = { value: unknown; until: number; owner: CredentialOwner };
type State = { entries: Map<string, Entry>; checking: Map<string, Promise<unknown>>; generation: number };

const state = processState<State>('credentialCache', () => ({ entries: new Map(), checking: new Map(), generation: 0 }));

/** The cache key of a credential's text; `kind` keeps a cookie and a key with equal text apart. */
export function credentialKey(kind: 'session' | 'api-key', text: string): string {
  return createHash('sha256').update(kind).update('\0').update(text).digest('base64url');
}

/**
 * What a check found: `value` belongs to `owner` and holds until `expiresAt` at the latest. With
 * `keep: false` it is answered but not remembered (a session that must still change its password:
 * that changes without its session ending).
 */
export type CheckedCredential<T> = { value: T; owner: CredentialOwner; expiresAt: Date; keep?: boolean };

/**
 * What `key` proved, if it was accepted less than CREDENTIAL_TTL_MS ago and nothing it belongs to
 * has ended since; otherwise `load` checks it afresh (null, or a throw: refused, and not kept).
 */
export async function cachedCredential<T>(key: string, load: () => Promise<CheckedCredential<T> | null>, now: () => number = Date.now): Promise<T | null> {
  const started = now();
  const hit = state.entries.get(key);
  if (hit) {
    if (hit.until > started) return hit.value as T;
    state.entries.delete(key);
  }
  // Requests with one credential that arrive while it is being checked share that check: a burst
  // must not become a burst of reads (which, were the database slow, would outlast the TTL and
  // never be kept).
  const pending = state.checking.get(key) as Promise<CheckedCredential<T> | null> | undefined;
  if (pending) return (await pending)?.value ?? null;
  const generation = state.generation;
  const checking = load();
  state.checking.set(key, checking);
  let loaded: CheckedCredential<T> | null;
  try {
    loaded = await checking;
  } finally {
    if (state.checking.get(key) === checking) state.checking.delete(key);
  }
  if (!loaded) return null;
  if (loaded.keep === false) return loaded.value;
  // Believed from when the check began, never past the credential's own expiry.
  const until = Math.min(started + CREDENTIAL_TTL_MS, loaded.expiresAt.getTime());
  if (generation === state.generation && until > now()) remember(key, { value: loaded.value, until, owner: loaded.owner }, now());
  return loaded.value;
}

function remember(key: string, entry: Entry, at: number): void {
  if (state.entries.size >= MAX_ENTRIES) {
    for (const [k, e] of state.entries) if (e.until <= at) state.entries.delete(k);
    if (state.entries.size >= MAX_ENTRIES) state.entries.clear();
  }
  state.entries.set(key, entry);
}

/** Forgets every entry belonging to these sessions, keys or users (and any check under way). */
export function forgetCredentials({ sessionIds = [], keyIds = [], userIds = [] }: { sessionIds?: string[]; keyIds?: string[]; userIds?: string[] }): void {
  state.generation++;
  // A check under way may have read the credential alive just before: later requests start their own.
  state.checking.clear();
  const sessions = new Set(sessionIds);
  const keys = new Set(keyIds);
  const users = new Set(userIds);
  for (const [key, { owner }] of state.entries) {
    if (users.has(owner.userId) || (owner.sessionId && sessions.has(owner.sessionId)) || (owner.keyId && keys.has(owner.keyId))) {
      state.entries.delete(key);
    }
  }
}

/** Empties the cache (tests). */
export function clearCredentialCache(): void {
  state.generation++;
  state.entries.clear();
  state.checking.clear();
}

onAnnouncement('sessions:ended', 'credential-cache', ({ sessionIds }) => forgetCredentials({ sessionIds }));
onAnnouncement('api-keys:ended', 'credential-cache', ({ keyIds, userIds }) => forgetCredentials({ keyIds, userIds }));
