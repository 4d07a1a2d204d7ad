import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUMAN_ROLES as ROLES, type HumanRole as Role } from '@/lib/auth/permissions';
import { DEMO_EMAIL, DEMO_PASSWORD, Session } from '../support/session';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { connectSocket } from '../support/sockets';

let server: TestServer;
const sessions = {} as Record<Role, Session>;

beforeAll(async () => {
  server = await startServer();
  for (const role of ROLES) {
    sessions[role] = new Session(server.baseUrl);
    const result = await sessions[role].signIn(DEMO_EMAIL[role], DEMO_PASSWORD);
    expect(result.ok, `${role} signs in`).toBe(true);
  }
});

afterAll(async () => {
  await server?.stop();
});

type AuditEventJson = { id: number; action: string; actorEmail: string | null; details: Record<string, unknown> };

async function auditEvents(query = ''): Promise<AuditEventJson[]> {
  const response = await sessions.auditor.fetch(`/api/audit?pageSize=200${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: AuditEventJson[] }).events;
}

describe('map tiles', () => {
  it('has no tile archive to serve unless one is configured (404 naming the setting)', async () => {
    const response = await sessions.operator.fetch('/api/map/tiles/12/2046/1361');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found', message: expect.stringContaining('MAP_PMTILES_FILE') });
  });
});

describe('health and identity', () => {
  it('reports health with the database', async () => {
    const response = await fetch(`${server.baseUrl}/api/health`);
    // One process: no adapter; the instance named by its port (not the address it listens on).
    expect(await response.json()).toEqual({
      status: 'ok',
      db: 'ok',
      cluster: { adapter: 'none', realtime: 'ok', instance: `port ${new URL(server.baseUrl).port}` },
      limits: { probesOverSocketRate: 0, probesOverUserRate: 0, connectionsOverCap: 0 },
    });
  });

  it('answers /api/me with 401 and a JSON message when signed out', async () => {
    const response = await new Session(server.baseUrl).fetch('/api/me');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'unauthenticated', message: expect.any(String) });
  });

  it('answers /api/me with the user and role for each role', async () => {
    for (const role of ROLES) {
      const me = (await (await sessions[role].fetch('/api/me')).json()) as Record<string, unknown>;
      expect(me).toEqual({ id: expect.any(String), email: DEMO_EMAIL[role], name: expect.any(String), role });
    }
  });

  it('refuses a wrong password without setting a session', async () => {
    const stranger = new Session(server.baseUrl);
    const result = await stranger.signIn(DEMO_EMAIL.admin, 'not-the-password');
    expect(result.ok).toBe(false);
    expect(result.location).toContain('error=CredentialsSignin');
    expect((await stranger.fetch('/api/me')).status).toBe(401);
  });
});

describe('API authorisation', () => {
  const matrix: { path: string; allowed: Role[] }[] = [
    { path: '/api/audit', allowed: ['admin', 'auditor'] },
    { path: '/api/audit/verify', allowed: ['admin', 'auditor'] },
    { path: '/api/users', allowed: ['admin'] },
  ];

  for (const { path, allowed } of matrix) {
    it(`${path}: 401 signed out, 200 for ${allowed.join('+')}, 403 with a message for the rest`, async () => {
      expect((await new Session(server.baseUrl).fetch(path)).status).toBe(401);
      for (const role of ROLES) {
        const response = await sessions[role].fetch(path);
        if (allowed.includes(role)) {
          expect(response.status, role).toBe(200);
        } else {
          expect(response.status, role).toBe(403);
          expect(await response.json()).toMatchObject({ error: 'forbidden', message: expect.stringContaining(role) });
        }
      }
    });
  }

  it('refuses writes by non-admins to /api/users', async () => {
    for (const role of ['operator', 'senior_officer', 'auditor'] as const) {
      const response = await sessions[role].json('/api/users', 'POST', {
        email: `x-${role}@sightline.test`,
        name: 'X',
        role: 'admin',
        password: 'long-enough-password',
      });
      expect(response.status, role).toBe(403);
    }
  });
});

describe('page authorisation', () => {
  it('redirects signed-out visitors to /login', async () => {
    for (const path of ['/', '/audit', '/admin/users']) {
      const response = await new Session(server.baseUrl).fetch(path);
      expect(response.status, path).toBeGreaterThanOrEqual(300);
      expect(response.status, path).toBeLessThan(400);
      expect(response.headers.get('location'), path).toContain('/login');
    }
  });

  it('redirects a forged session cookie to /login too', async () => {
    const forged = new Session(server.baseUrl, { cookie: 'authjs.session-token=forged.value.here' });
    const response = await forged.fetch('/audit');
    expect(response.headers.get('location')).toContain('/login');
  });

  it('serves a 403 page to a role without the permission', async () => {
    const cases: { path: string; role: Role; status: number }[] = [
      { path: '/audit', role: 'operator', status: 403 },
      { path: '/audit', role: 'senior_officer', status: 403 },
      { path: '/audit', role: 'auditor', status: 200 },
      { path: '/audit', role: 'admin', status: 200 },
      { path: '/admin/users', role: 'auditor', status: 403 },
      { path: '/admin/users', role: 'operator', status: 403 },
      { path: '/admin/users', role: 'admin', status: 200 },
    ];
    for (const { path, role, status } of cases) {
      const response = await sessions[role].fetch(path);
      expect(response.status, `${role} ${path}`).toBe(status);
      if (status === 403) expect(await response.text()).toContain('does not give access');
    }
  });
});

describe('bad input', () => {
  const admin = () => sessions.admin;
  const user = { email: 'new.user@sightline.test', name: 'New User', role: 'operator', password: 'a-long-password-1' };

  async function userCount() {
    return (await rawQuery<{ n: number | string }>(server.databaseUrl, 'SELECT COUNT(*) AS n FROM "User"'))[0]!.n;
  }

  it('answers malformed JSON with 400, wrong types and unknown fields with 422 naming them', async () => {
    const before = await userCount();
    const malformed = await admin().fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).message).toMatch(/not valid JSON/);

    const wrongType = await admin().json('/api/users', 'POST', { ...user, role: 42 });
    expect(wrongType.status).toBe(422);
    expect((await wrongType.json()).message).toMatch(/^role:/);

    const unknown = await admin().json('/api/users', 'POST', { ...user, isRoot: true });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).message).toMatch(/isRoot/);

    const notJson = await admin().fetch('/api/users', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(notJson.status).toBe(415);

    const huge = await admin().json('/api/users', 'POST', { ...user, name: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);

    expect(await userCount()).toBe(before);
  });

  it('rejects a bad audit filter with 422', async () => {
    const response = await sessions.auditor.fetch('/api/audit?from=yesterday');
    expect(response.status).toBe(422);
    expect((await response.json()).message).toMatch(/from/);
  });
});

describe('user management', () => {
  const TRAINEE_PASSWORD = 'the-trainee-own-password';

  it('creates a user (201), refuses a duplicate email (409), and audits the creation', async () => {
    const body = { email: 'Trainee@Sightline.test', name: 'Tara Trainee', role: 'operator', password: 'a-long-password-1' };
    const created = await sessions.admin.json('/api/users', 'POST', body);
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: string; email: string; role: string };
    expect(user).toMatchObject({ email: 'trainee@sightline.test', role: 'operator', disabled: false });
    expect(user).not.toHaveProperty('passwordHash');

    expect((await sessions.admin.json('/api/users', 'POST', body)).status).toBe(409);

    const [event] = await auditEvents('&action=user.created&actor=admin@sightline.test');
    expect(event).toMatchObject({ action: 'user.created', actorEmail: 'admin@sightline.test', details: { email: 'trainee@sightline.test', role: 'operator' } });

    // The admin's password is temporary: the trainee signs in with it and chooses their own.
    const trainee = new Session(server.baseUrl);
    expect((await trainee.signIn('trainee@sightline.test', 'a-long-password-1')).ok).toBe(true);
    const changed = await trainee.json('/api/me/password', 'POST', { currentPassword: 'a-long-password-1', newPassword: TRAINEE_PASSWORD });
    expect(changed.status).toBe(200);
  });

  it('changes a role (audited as role_changed): the user signs in again, with the new role', async () => {
    const trainee = new Session(server.baseUrl);
    expect((await trainee.signIn('trainee@sightline.test', TRAINEE_PASSWORD)).ok).toBe(true);
    expect((await trainee.fetch('/api/audit')).status).toBe(403);

    const list = (await (await sessions.admin.fetch('/api/users')).json()) as { users: { id: string; email: string }[] };
    const id = list.users.find((u) => u.email === 'trainee@sightline.test')!.id;
    const changed = await sessions.admin.json(`/api/users/${id}`, 'PATCH', { role: 'auditor' });
    expect(changed.status).toBe(200);
    expect((await changed.json()).role).toBe('auditor');

    // A role change ends the user's sessions; the next one has the new role.
    expect((await trainee.fetch('/api/audit')).status).toBe(401);
    expect((await trainee.signIn('trainee@sightline.test', TRAINEE_PASSWORD)).ok).toBe(true);
    expect((await trainee.fetch('/api/audit')).status).toBe(200);
    const [event] = await auditEvents('&action=user.role_changed');
    expect(event?.details).toMatchObject({ email: 'trainee@sightline.test', from: 'operator', to: 'auditor' });
  });

  it('disables a user: their session stops working, they cannot sign in, it is audited', async () => {
    const trainee = new Session(server.baseUrl);
    expect((await trainee.signIn('trainee@sightline.test', TRAINEE_PASSWORD)).ok).toBe(true);
    const list = (await (await sessions.admin.fetch('/api/users')).json()) as { users: { id: string; email: string }[] };
    const id = list.users.find((u) => u.email === 'trainee@sightline.test')!.id;

    const { socket, error } = await connectSocket(server.baseUrl, trainee.cookieHeader());
    expect(error).toBeUndefined();
    const revoked = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));

    expect((await sessions.admin.json(`/api/users/${id}`, 'PATCH', { disabled: true })).status).toBe(200);
    expect(await revoked).toBe('io server disconnect');
    socket.close();

    expect((await trainee.fetch('/api/me')).status).toBe(401);
    expect((await new Session(server.baseUrl).signIn('trainee@sightline.test', TRAINEE_PASSWORD)).ok).toBe(false);
    const [event] = await auditEvents('&action=user.disabled');
    expect(event?.details).toMatchObject({ email: 'trainee@sightline.test' });
    const [failure] = await auditEvents('&action=auth.sign_in_failed&actor=trainee@sightline.test');
    expect(failure?.details).toMatchObject({ reason: 'account_disabled' });
  });

  it('will not remove the last admin, nor let an admin disable themself', async () => {
    const me = (await (await sessions.admin.fetch('/api/me')).json()) as { id: string };
    const demote = await sessions.admin.json(`/api/users/${me.id}`, 'PATCH', { role: 'operator' });
    expect(demote.status).toBe(409);
    expect((await demote.json()).message).toMatch(/last active admin/);
    const disable = await sessions.admin.json(`/api/users/${me.id}`, 'PATCH', { disabled: true });
    expect(disable.status).toBe(409);
    // Even with a second admin, nobody changes their own role (an admin cannot make themself a senior officer).
    expect(
      (
        await sessions.admin.json('/api/users', 'POST', {
          email: 'admin2@sightline.test',
          name: 'Second Admin',
          role: 'admin',
          password: 'another-long-password',
        })
      ).status,
    ).toBe(201);
    const promote = await sessions.admin.json(`/api/users/${me.id}`, 'PATCH', { role: 'senior_officer' });
    expect(promote.status).toBe(409);
    expect((await promote.json()).message).toMatch(/own role/);
    expect((await (await sessions.admin.fetch('/api/me')).json()).role).toBe('admin');
  });

  it('answers 404 for an unknown user and 422 for an empty change', async () => {
    expect((await sessions.admin.json('/api/users/nope', 'PATCH', { role: 'auditor' })).status).toBe(404);
    const me = (await (await sessions.admin.fetch('/api/me')).json()) as { id: string };
    expect((await sessions.admin.json(`/api/users/${me.id}`, 'PATCH', {})).status).toBe(422);
  });
});

describe('realtime channel', () => {
  it('refuses a handshake without a session cookie or with a forged one', async () => {
    for (const cookie of [undefined, 'authjs.session-token=eyJhbGciOiJkaXIifQ.forged']) {
      const { socket, error } = await connectSocket(server.baseUrl, cookie);
      expect(error).toBe('unauthorized');
      socket.close();
    }
  });

  it('accepts a session, knows the user and role, and checks the role on each event', async () => {
    const { socket: operator, error } = await connectSocket(server.baseUrl, sessions.operator.cookieHeader());
    expect(error).toBeUndefined();
    const me = await operator.emitWithAck('whoami');
    expect(me).toMatchObject({ email: DEMO_EMAIL.operator, role: 'operator' });
    expect(await operator.emitWithAck('deployment:join', { deploymentId: 'no-such-deployment' })).toMatchObject({ ok: false, error: 'No such deployment.' });
    expect(await operator.emitWithAck('deployment:join', { nope: 1 })).toMatchObject({ ok: false });
    operator.close();

    const { socket: auditor } = await connectSocket(server.baseUrl, sessions.auditor.cookieHeader());
    expect(await auditor.emitWithAck('deployment:join', { deploymentId: 'dep-1' })).toMatchObject({ ok: false, error: expect.any(String) });
    auditor.close();
  });
});

describe('audit trail', () => {
  it('recorded sign-ins and failed sign-ins with the address', async () => {
    const signIns = await auditEvents('&action=auth.signed_in');
    const actors = new Set(signIns.map((e) => e.actorEmail));
    for (const role of ROLES) expect(actors.has(DEMO_EMAIL[role])).toBe(true);
    const failures = await auditEvents('&action=auth.sign_in_failed&actor=admin@sightline.test');
    expect(failures[0]?.details).toMatchObject({ reason: 'wrong_password' });
    const raw = await rawQuery<{ ip: string | null }>(server.databaseUrl, `SELECT ip FROM "AuditEvent" WHERE action = 'auth.signed_in' LIMIT 1`);
    expect(raw[0]?.ip).toMatch(/127\.0\.0\.1/);
  });

  it('records sign-out and the session stops working', async () => {
    const session = new Session(server.baseUrl);
    await session.signIn('operator2@sightline.test', DEMO_PASSWORD);
    await session.signOut();
    expect((await session.fetch('/api/me')).status).toBe(401);
    const [event] = await auditEvents('&action=auth.signed_out&actor=operator2@sightline.test');
    expect(event).toBeDefined();
  });

  it('filters by actor, action and time, and paginates', async () => {
    const all = (await (await sessions.auditor.fetch('/api/audit?pageSize=2&page=1')).json()) as { total: number; events: unknown[] };
    expect(all.events).toHaveLength(2);
    expect(all.total).toBeGreaterThan(2);
    const future = (await (await sessions.auditor.fetch('/api/audit?from=2999-01-01')).json()) as { total: number };
    expect(future.total).toBe(0);
    const byActor = await auditEvents('&actor=officer@sightline.test');
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every((e) => e.actorEmail === 'officer@sightline.test')).toBe(true);
  });

  it('cannot be changed through the database: append-only triggers refuse edits', async () => {
    await expect(rawQuery(server.databaseUrl, `UPDATE "AuditEvent" SET action = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(rawQuery(server.databaseUrl, `DELETE FROM "AuditEvent" WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });

  it('proves with a recorded head that the newest events were not removed, which the chain alone cannot', async () => {
    type Verification = { ok: boolean; count: number; head: { seq: number; hash: string }; anchor: { seq: number; status: string } | null };
    const verify = async (query = '') => (await (await sessions.auditor.fetch(`/api/audit/verify${query}`)).json()) as Verification;
    const { head } = await verify();
    expect(head).toEqual({ seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const anchor = `?anchor=${head.seq}:${head.hash}`;

    // More events after the recorded head: it is still there, unchanged.
    await new Session(server.baseUrl).signIn('auditor@sightline.test', 'not-the-password');
    expect(await verify(anchor)).toMatchObject({ ok: true, anchor: { seq: head.seq, status: 'present' } });
    expect(await verify(`?anchor=${head.seq}:${'0'.repeat(64)}`)).toMatchObject({ ok: false, anchor: { status: 'different' } });

    const malformed = await sessions.auditor.fetch('/api/audit/verify?anchor=12:abc');
    expect(malformed.status).toBe(422);
    expect(await malformed.json()).toMatchObject({ message: expect.stringMatching(/^anchor: must be "<event number>:<64 hexadecimal characters>"/) });
    expect((await sessions.auditor.fetch('/api/audit/verify?since=1')).status).toBe(422);

    // Someone with database rights removes the guard and the newest events, head included.
    const newest = (await verify()).head.seq;
    await dropAppendOnlyGuard(server);
    await rawQuery(server.databaseUrl, `CREATE TABLE "removed_events" AS SELECT * FROM "AuditEvent" WHERE seq >= ${Number(head.seq)}`);
    await rawQuery(server.databaseUrl, `DELETE FROM "AuditEvent" WHERE seq >= $1`, [head.seq]);
    // What is left is a valid chain, but it no longer reaches the head its writer recorded beside it…
    expect(await verify()).toMatchObject({
      ok: false,
      firstBrokenId: null,
      gaps: [{ from: head.seq, to: newest }],
      recordedHead: { seq: newest, status: 'missing' },
    });
    // …nor the one recorded elsewhere.
    expect(await verify(anchor)).toMatchObject({ ok: false, anchor: { seq: head.seq, status: 'missing' } });

    // Put back, the record is whole again.
    await rawQuery(server.databaseUrl, 'INSERT INTO "AuditEvent" SELECT * FROM "removed_events"');
    await rawQuery(server.databaseUrl, 'DROP TABLE "removed_events"');
    expect(await verify(anchor)).toMatchObject({ ok: true, gaps: [], recordedHead: { seq: newest, status: 'present' }, anchor: { status: 'present' } });
  });

  it("verifies the chain, and reports the first broken event after an edit behind the app's back", async () => {
    const good = (await (await sessions.auditor.fetch('/api/audit/verify')).json()) as { ok: boolean; count: number; firstBrokenId: null };
    expect(good).toEqual({
      ok: true,
      count: expect.any(Number),
      firstBrokenId: null,
      gaps: [],
      recordedHead: { seq: expect.any(Number), status: 'present' },
      head: expect.any(Object),
      anchor: null,
    });
    expect(good.count).toBeGreaterThan(10);

    // An attacker with database rights first removes the guard, then rewrites history.
    await dropAppendOnlyGuard(server);
    const [victim] = await rawQuery<{ seq: number }>(
      server.databaseUrl,
      `SELECT seq FROM "AuditEvent" WHERE action = 'auth.sign_in_failed' ORDER BY seq LIMIT 1`,
    );
    await rawQuery(server.databaseUrl, `UPDATE "AuditEvent" SET details = $1 WHERE seq = $2`, ['{"reason":"nothing happened"}', victim!.seq]);

    const bad = (await (await sessions.auditor.fetch('/api/audit/verify')).json()) as { ok: boolean; count: number; firstBrokenId: number };
    expect(bad).toEqual({
      ok: false,
      count: good.count,
      firstBrokenId: Number(victim!.seq),
      gaps: [],
      recordedHead: { seq: expect.any(Number), status: 'present' },
      head: null,
      anchor: null,
    });
  });
});

async function dropAppendOnlyGuard(s: TestServer) {
  if (s.provider === 'sqlite') {
    await rawQuery(s.databaseUrl, 'DROP TRIGGER IF EXISTS "AuditEvent_no_update"');
    await rawQuery(s.databaseUrl, 'DROP TRIGGER IF EXISTS "AuditEvent_no_delete"');
  } else {
    await rawQuery(s.databaseUrl, 'DROP TRIGGER IF EXISTS "AuditEvent_no_update_or_delete" ON "AuditEvent"');
  }
}
