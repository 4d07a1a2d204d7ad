import { describe, expect, it, vi } from 'vitest';
import { AuditQuerySchema } from '@/lib/audit/schema';
import { authSecretProblem } from '@/lib/config/env';
import { ChangePasswordSchema, CreateUserSchema, ResetPasswordSchema, UpdateUserSchema } from '@/lib/users/schema';

describe('user input schemas', () => {
  const valid = { email: ' New.Person@Example.TEST ', name: 'New Person', role: 'operator', password: 'correct horse battery' };

  it('normalises email and accepts a valid user', () => {
    expect(CreateUserSchema.parse(valid).email).toBe('new.person@example.test');
  });

  it('refuses unknown roles, short passwords, bad emails and unknown fields', () => {
    expect(CreateUserSchema.safeParse({ ...valid, role: 'superuser' }).success).toBe(false);
    expect(CreateUserSchema.safeParse({ ...valid, password: 'short' }).success).toBe(false);
    expect(CreateUserSchema.safeParse({ ...valid, email: 'not-an-email' }).success).toBe(false);
    expect(CreateUserSchema.safeParse({ ...valid, isAdmin: true }).success).toBe(false);
  });

  it('an update must change something and only known fields', () => {
    expect(UpdateUserSchema.safeParse({}).success).toBe(false);
    expect(UpdateUserSchema.safeParse({ disabled: 'yes' }).success).toBe(false);
    expect(UpdateUserSchema.safeParse({ passwordHash: 'x' }).success).toBe(false);
    expect(UpdateUserSchema.parse({ role: 'auditor' })).toEqual({ role: 'auditor' });
  });

  it('a password change keeps the policy, needs the current password and a different new one', () => {
    expect(ChangePasswordSchema.safeParse({ currentPassword: 'temporary-one', newPassword: 'my-own-password' }).success).toBe(true);
    expect(ChangePasswordSchema.safeParse({ currentPassword: 'temporary-one', newPassword: 'short' }).success).toBe(false);
    expect(ChangePasswordSchema.safeParse({ newPassword: 'my-own-password' }).success).toBe(false);
    const same = ChangePasswordSchema.safeParse({ currentPassword: 'my-own-password', newPassword: 'my-own-password' });
    expect(same.error?.issues[0]).toMatchObject({ path: ['newPassword'], message: expect.stringMatching(/differ/) });
    expect(ResetPasswordSchema.safeParse({ password: 'temporary-one', mustChangePassword: false }).success).toBe(false);
    expect(ResetPasswordSchema.safeParse({ password: 'x'.repeat(201) }).success).toBe(false);
  });
});

describe('audit query', () => {
  it('treats a bare "to" date as the whole day', () => {
    const q = AuditQuerySchema.parse({ from: '2026-11-26', to: '2026-11-26' });
    expect(q.from!.toISOString()).toBe('2026-11-26T00:00:00.000Z');
    expect(q.to!.toISOString()).toBe('2026-11-26T23:59:59.999Z');
    expect(q.page).toBe(1);
  });

  it('refuses reversed ranges, unknown actions and absurd page sizes', () => {
    expect(AuditQuerySchema.safeParse({ from: '2026-11-27', to: '2026-11-26' }).success).toBe(false);
    expect(AuditQuerySchema.safeParse({ action: 'everything' }).success).toBe(false);
    expect(AuditQuerySchema.safeParse({ pageSize: '5000' }).success).toBe(false);
  });
});

describe('AUTH_SECRET policy', () => {
  it('accepts a long random secret and names what is wrong otherwise', () => {
    expect(authSecretProblem('x'.repeat(16))).toMatch(/at least 32/);
    expect(authSecretProblem(undefined)).toMatch(/not set/);
    expect(authSecretProblem('Zq3v0bS8f1kXo9mC2rT7uY4wE6aD5gH0jL1nP8sV')).toBeNull();
  });
});

describe('schemas never throw on strange input', () => {
  it('watchlist entries with unparseable dates are refused, not crashed on', async () => {
    const { EntryInputSchema } = await import('@/lib/watchlists/schema');
    const result = EntryInputSchema.safeParse({
      reference: 'R',
      name: 'N',
      category: 'wanted_by_court',
      imageSource: 's',
      legalBasis: 'l',
      imageTakenOn: '26/11/2026',
      reviewBy: 42,
    });
    expect(result.success).toBe(false);
  });

  it('deployment windows and camera sources with wrong types are refused, not crashed on', async () => {
    const { UpdateDeploymentSchema, CameraSourceSchema } = await import('@/lib/deployments/schema');
    expect(UpdateDeploymentSchema.safeParse({ startsAt: 'tomorrow', endsAt: '2026-12-01T10:00:00Z' }).success).toBe(false);
    expect(CameraSourceSchema.safeParse({ kind: 'file', url: 5 }).success).toBe(false);
  });
});

describe('a watchlist photo taken "today"', () => {
  it("is today in London: after 23:00 UTC in summer, London's date is accepted and the day after is not", async () => {
    const { EntryInputSchema } = await import('@/lib/watchlists/schema');
    const entry = (imageTakenOn: string) => ({
      reference: 'R',
      name: 'N',
      category: 'wanted_by_court',
      imageSource: 's',
      legalBasis: 'l',
      imageTakenOn,
      reviewBy: '2026-12-01',
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-07-01T23:30:00Z'));
    try {
      expect(EntryInputSchema.safeParse(entry('2026-07-02')).error?.issues).toBeUndefined();
      expect(EntryInputSchema.safeParse(entry('2026-07-03')).success).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('audit chain anchors', () => {
  it('are "<event number>:<64 hex>", the hash compared in lower case', async () => {
    const { VerifyQuerySchema } = await import('@/lib/audit/schema');
    const hash = 'AB'.repeat(32);
    expect(VerifyQuerySchema.parse({ anchor: ` 42:${hash} ` })).toEqual({ anchor: { seq: 42, hash: hash.toLowerCase() } });
    expect(VerifyQuerySchema.parse({})).toEqual({ anchor: undefined });
    for (const anchor of ['42', `x:${hash}`, `42:${hash}0`, `42:${'g'.repeat(64)}`, `-1:${hash}`]) {
      expect(VerifyQuerySchema.safeParse({ anchor }).success, anchor).toBe(false);
    }
    expect(VerifyQuerySchema.safeParse({ anchor: `1:${hash}`, extra: '1' }).success).toBe(false);
  });
});
