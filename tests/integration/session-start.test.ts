import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { startSession } from '@/lib/sessions/mutations';
import { useFreshDatabase } from '../support/in-process-db';

/**
 * A sign-in checks the password, then opens its session (auth.ts). A password change, reset or
 * disabling that commits in between ends the user's sessions without seeing the one not yet
 * opened: the session is therefore opened only if the password the sign-in proved still holds
 * and the account is still enabled.
 */
useFreshDatabase();

async function user(passwordHash: string, disabled = false) {
  return getDb().user.create({
    data: { email: `u-${Math.random().toString(36).slice(2)}@sightline.test`, name: 'Una User', role: 'operator', passwordHash, disabled },
  });
}

describe('opening a session after the password check', () => {
  it('opens one when the proved password still holds', async () => {
    const u = await user('hash-1');
    const session = await startSession(u.id, 'hash-1');
    expect(session).toMatchObject({ id: expect.any(String), expiresAt: expect.any(Date) });
    expect(await getDb().session.count({ where: { userId: u.id } })).toBe(1);
  });

  it('opens none when the password changed since it was checked', async () => {
    const u = await user('hash-old');
    await getDb().user.update({ where: { id: u.id }, data: { passwordHash: 'hash-new' } });
    expect(await startSession(u.id, 'hash-old')).toBeNull();
    expect(await getDb().session.count({ where: { userId: u.id } })).toBe(0);
  });

  it('opens none for an account disabled since, or gone', async () => {
    const u = await user('hash-1', true);
    expect(await startSession(u.id, 'hash-1')).toBeNull();
    expect(await startSession('no-such-user', 'hash-1')).toBeNull();
    expect(await getDb().session.count({ where: { userId: u.id } })).toBe(0);
  });
});
