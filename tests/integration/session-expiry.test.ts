import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('session lifetime', () => {
  it('expires sessions after SESSION_MAX_AGE_HOURS, for pages, API and sockets', async () => {
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
});
