import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, HUMAN_ROLES as ROLES, type HumanRole as Role } from '@/lib/auth/permissions';
import { apiRoutes, concretePath, type ApiRoute } from '../support/api-routes';
import { DEMO_EMAIL, DEMO_PASSWORD, Session } from '../support/session';
import { startServer, type TestServer } from '../support/server';
import { apiKeySession, connectWithApiKey, createServiceAccount } from '../support/service-accounts';
import { connectSocket } from '../support/sockets';

/**
 * The authorisation matrix of every API route × every role, generated from the route files
 * (tests/support/api-routes.ts) and the permission table: a role without the permission gets
 * 403 `forbidden` from the gate ("Your role (…) does not allow …"), a visitor without a
 * session 401, and a role with it gets past the gate: whatever the handler then says about ids
 * that exist nowhere, never 401, never the gate's refusal, never a 5xx.
 *
 * A camera agent (a service account, with its API key and no cookie) gets past the gate of the
 * routes that accept a key (requirePermissionOrApiKey) and its role allows, and 401 everywhere else.
 */
const GATE_REFUSAL = /^Your role \([a-z_]+\) does not allow /;
let server: TestServer;
const sessions = {} as Record<Role, Session>;
let agent: { session: Session; key: string };

beforeAll(async () => {
  server = await startServer();
  for (const role of ROLES) {
    sessions[role] = new Session(server.baseUrl);
    expect((await sessions[role].signIn(DEMO_EMAIL[role], DEMO_PASSWORD)).ok, `${role} signs in`).toBe(true);
  }
  const { deployments } = (await (await sessions.senior_officer.fetch('/api/deployments')).json()) as { deployments: { id: string; status: string }[] };
  // An agent may be given only an authorised or live deployment: the demo's live one.
  const live = deployments.find((d) => d.status === 'live')!;
  const { key } = await createServiceAccount(server.baseUrl, sessions.admin, [live.id], { name: 'Matrix agent' });
  agent = { session: apiKeySession(server.baseUrl, key), key };
});

afterAll(async () => {
  await server?.stop();
});

function send(session: Session, route: ApiRoute): Promise<Response> {
  const path = concretePath(route.pattern);
  if (route.method === 'GET' || route.method === 'HEAD') return session.fetch(path, { method: route.method });
  return session.json(path, route.method, {});
}

function mayPass(role: Role, route: ApiRoute): boolean {
  if (route.gate.kind === 'permission') return can(role, route.gate.permission);
  if (route.gate.kind === 'any-permission') return route.gate.permissions.some((permission) => can(role, permission));
  return route.gate.kind === 'signed-in' || route.gate.kind === 'public';
}

const routes = apiRoutes().filter((route) => !route.pattern.startsWith('/api/auth/'));

describe('every API route × every role', () => {
  it('covers every route the app serves', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => r.gate.kind === 'unrecognised')).toEqual([]);
  });

  for (const route of routes) {
    const allowed = ROLES.filter((role) => mayPass(role, route));
    it(`${route.method} ${route.pattern}: ${route.gate.kind === 'public' ? 'open' : `401 signed out, past the gate for ${allowed.join('+') || 'nobody'}, 403 for the rest`}`, async () => {
      const anonymous = await send(new Session(server.baseUrl), route);
      if (route.gate.kind === 'public') {
        expect(anonymous.status, 'open without a session').not.toBe(401);
        expect(anonymous.status).toBeLessThan(500);
        return;
      }
      expect(anonymous.status, 'signed out').toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: 'unauthenticated' });

      for (const role of ROLES) {
        const response = await send(sessions[role], route);
        const body = (await response.json().catch(() => null)) as { error?: string; message?: string } | null;
        if (allowed.includes(role)) {
          expect(response.status, `${role} must get past the gate (${JSON.stringify(body)})`).not.toBe(401);
          expect(GATE_REFUSAL.test(body?.message ?? ''), `${role} must get past the gate (${JSON.stringify(body)})`).toBe(false);
          expect(response.status, `${role}: ${JSON.stringify(body)}`).toBeLessThan(500);
        } else {
          expect(response.status, role).toBe(403);
          expect(body, role).toMatchObject({ error: 'forbidden', message: expect.stringMatching(GATE_REFUSAL) });
        }
      }

      const byAgent = await send(agent.session, route);
      const agentBody = (await byAgent.json().catch(() => null)) as { error?: string; message?: string } | null;
      if (route.gate.kind === 'permission' && route.gate.apiKey && can('camera_agent', route.gate.permission)) {
        expect(byAgent.status, `camera agent must get past the gate (${JSON.stringify(agentBody)})`).not.toBe(401);
        expect(GATE_REFUSAL.test(agentBody?.message ?? ''), `camera agent: ${JSON.stringify(agentBody)}`).toBe(false);
        expect(byAgent.status, `camera agent: ${JSON.stringify(agentBody)}`).toBeLessThan(500);
      } else {
        expect(byAgent.status, `camera agent: ${JSON.stringify(agentBody)}`).toBe(401);
      }
    });
  }
});

describe('every socket event × every role', () => {
  const events = [
    { event: 'deployment:join', permission: 'alert:read' },
    { event: 'probe:submit', permission: 'probe:submit' },
    { event: 'lease:offer', permission: 'probe:submit' },
    { event: 'lease:renew', permission: 'probe:submit' },
    // live:view or deployment:read: every role with live:view also holds deployment:read
    { event: 'overview:join', permission: 'deployment:read' },
  ] as const;

  for (const { event, permission } of events) {
    it(`${event} is refused to roles without ${permission}`, async () => {
      for (const role of ROLES) {
        const { socket, error } = await connectSocket(server.baseUrl, sessions[role].cookieHeader());
        expect(error, role).toBeUndefined();
        try {
          // (the typed client knows each event's payload; this loop sends the same probe-shaped one to both)
          const untyped = socket as unknown as { timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown> } };
          const answer = (await untyped.timeout(5000).emitWithAck(event, { deploymentId: 'no-such-deployment' })) as {
            ok?: boolean;
            error?: string;
            message?: string;
          };
          const refusedForRole = answer.error === 'forbidden' || /role/i.test(String(answer.error ?? '') + String(answer.message ?? ''));
          expect(refusedForRole, `${role}: ${JSON.stringify(answer)}`).toBe(!can(role, permission));
        } finally {
          socket.disconnect();
        }
      }
    });
  }

  it('lets a camera agent send probes but never join a deployment (its alerts)', async () => {
    const { socket, error } = await connectWithApiKey(server.baseUrl, agent.key);
    expect(error).toBeUndefined();
    try {
      expect(await socket.timeout(5000).emitWithAck('deployment:join', { deploymentId: 'no-such-deployment' })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/role/i),
      });
      const answer = (await socket.timeout(5000).emitWithAck('probe:submit', { deploymentId: 'no-such-deployment' })) as { error?: string; message?: string };
      expect(answer.error).not.toBe('forbidden');
      expect(answer.message).not.toMatch(/role/i);
    } finally {
      socket.disconnect();
    }
  });

  it('refuses a handshake without a session', async () => {
    const { socket, error } = await connectSocket(server.baseUrl);
    socket.disconnect();
    expect(error).toBe('unauthorized');
  });
});
