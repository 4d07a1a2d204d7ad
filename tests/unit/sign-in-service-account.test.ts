import { beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * A service account's address must not be told from a person's by how long sign-in takes: its
 * stored "hash" is no argon2 hash, and checking it would fail at once (3 ms against ~40 ms). The
 * real argon2 is watched (not replaced): every refusal must run one real verification against an
 * argon2 hash. The database, the limiter's counts and the audit trail are stood in for; checkSignIn is the real one.
 */
const argon = vi.hoisted(() => ({ verifiedHashes: [] as string[] }));
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return {
    ...real,
    verify: (hash: string, password: string) => {
      argon.verifiedHashes.push(hash);
      return real.verify(hash, password);
    },
  };
});
const users = vi.hoisted(() => new Map<string, { id: string; email: string; name: string; role: string; passwordHash: string; disabled: boolean }>());
vi.mock('@/lib/users/data', () => ({ findUserForSignIn: async (email: string) => users.get(email) ?? null }));
vi.mock('@/lib/audit/mutations', () => ({ recordAuditEvent: async () => {} }));
// The failed sign-in limiter (its own tests: sign-in-blocks, sign-in-limits) never blocks here.
vi.mock('@/lib/auth/data', () => ({ signInBlocked: async () => ({ blocked: false }) }));
vi.mock('@/lib/auth/mutations', () => ({
  recordSignInFailure: async () => {},
  recordSignInRefusal: async () => {},
  takeEndedBlocks: async () => [],
  clearAccountFailures: async () => {},
}));

const { checkSignIn } = await import('@/lib/auth/sign-in');

describe('sign-in with a service account’s address', () => {
  beforeEach(() => {
    argon.verifiedHashes.length = 0;
    users.clear();
  });

  it('runs the same argon2 verification as for an unknown address, and is refused', async () => {
    const email = 'agent-1234abcd@service-accounts.sightline.invalid';
    users.set(email, {
      id: 'svc-1',
      email,
      name: 'Agent',
      role: 'camera_agent',
      passwordHash: '!service-account: signs in with an API key only',
      disabled: false,
    });
    expect(await checkSignIn({ email, password: 'a-long-enough-password' }, '192.0.2.1')).toEqual({ ok: false, reason: 'invalid' });
    expect(argon.verifiedHashes).toHaveLength(1);
    expect(argon.verifiedHashes[0]).toMatch(/^\$argon2id\$/);

    expect(await checkSignIn({ email: 'nobody@nowhere.test', password: 'a-long-enough-password' }, '192.0.2.1')).toEqual({ ok: false, reason: 'invalid' });
    expect(argon.verifiedHashes).toHaveLength(2);
    // the very same dummy hash: the same work
    expect(argon.verifiedHashes[1]).toBe(argon.verifiedHashes[0]);
  });
});
