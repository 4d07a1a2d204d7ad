import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key text for service accounts: `slk_<keyId>_<secret>`. The key id (12 random bytes, hex) is
 * the row's primary key and may be written in logs and the audit trail; the secret (32 random
 * bytes, base64url) is shown once and only its SHA-256 is kept. A SHA-256 (not argon2) is enough:
 * the secret is 256 random bits, not a password a person chose, so there is nothing to guess.
 */
export const API_KEY_PREFIX = 'slk_';
const KEY_PATTERN = /^slk_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

export type ParsedApiKey = { keyId: string; secret: string };

/** A new key: its id, the text to show once, and the hash to store. */
export function generateApiKey(): { keyId: string; text: string; secretHash: string } {
  const keyId = randomBytes(12).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, text: `${API_KEY_PREFIX}${keyId}_${secret}`, secretHash: hashSecret(secret) };
}

/** The key id and secret of a well-formed key text, or null. */
export function parseApiKey(text: string): ParsedApiKey | null {
  const match = KEY_PATTERN.exec(text);
  return match ? { keyId: match[1]!, secret: match[2]! } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` hashes to `storedHash`, compared in constant time (a timing difference reveals nothing of the hash). */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * The key text of an Authorization header: `undefined` when there is no bearer credential at all
 * (no header, or another scheme), the text otherwise (possibly empty or malformed).
 */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^\s*Bearer(?:\s+(.*))?$/i.exec(header);
  if (!match) return undefined;
  return (match[1] ?? '').trim();
}
