import { afterAll, beforeAll, describe, it } from 'vitest';
import { DEMO_PASSWORD, Session } from '../support/session';
import { startServer, type TestServer } from '../support/server';
import { connectSocket } from '../support/sockets';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { SESSION_MAX_AGE_HOURS: '0.001' } }); // 3.6 s
});

afterAll(async () => {
  await server?.stop();
});

// Concurrent: both wait out the 3.6 s lifetime, at the same time.
describe.concurrent('session lifetime', () => {
  it('expires sessions after SESSION_MAX_AGE_HOURS, for pages, API and sockets', async ({ expect }) => {
    const session = new Session(server.baseUrl);
    expect((await session.signIn('officer@sightline.test', DEMO_PASSWORD)).ok).toBe(true);
    expect((await session.fetch('/api/me')).status).toBe(200);
    const cookie = session.cookieHeader();

    await new Promise((r) => setTimeout(r, 4500));
    expect((await session.fetch('/api/me')).status).toBe(401);
    const { socket, error } = await connectSocket(server.baseUrl, cookie);
    expect(error).toBe('unauthorized');
    socket.close();
  });

  it('closes a connected socket when its session expires, and the server says why', async ({ expect }) => {
    const session = new Session(server.baseUrl);
    const signedInAt = Date.now();
    expect((await session.signIn('operator@sightline.test', DEMO_PASSWORD)).ok).toBe(true);
    const { socket, error } = await connectSocket(server.baseUrl, session.cookieHeader());
    expect(error).toBeUndefined();
    let revoked: string | null = null;
    socket.on('session:revoked', ({ reason }) => (revoked = reason));
    const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const after = Date.now() - signedInAt;
    expect(reason).toBe('io server disconnect');
    expect(revoked).toMatch(/expired/);
    // 3.6 s lifetime: not before it, and promptly after.
    expect(after).toBeGreaterThanOrEqual(3500);
    expect(after).toBeLessThan(4600);
    socket.close();
  });
});
