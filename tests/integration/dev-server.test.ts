import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';
import { connectSocket } from '../support/sockets';

// Development mode: Next's hot-reload websocket and socket.io share the one port.
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ dev: true });
}, 150_000);

afterAll(async () => {
  await server?.stop();
});

/** Sends a websocket upgrade request and resolves with the status line the server answers. */
function upgrade(path: string): Promise<number> {
  const { hostname, port } = new URL(server.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({
      hostname,
      port,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    req.on('response', (response) => resolve(response.statusCode ?? 0));
    req.on('error', reject);
    req.setTimeout(15_000, () => reject(new Error(`no answer to the upgrade of ${path}`)));
    req.end();
  });
}

describe('development server', () => {
  it('keeps hot reload working with socket.io attached', async () => {
    expect((await fetch(`${server.baseUrl}/login`)).status).toBe(200);
    expect(await upgrade('/_next/hmr?id=integration-test')).toBe(101);

    const session = new Session(server.baseUrl);
    expect((await session.signIn('operator@sightline.test', DEMO_PASSWORD)).ok).toBe(true);
    const { socket, error } = await connectSocket(server.baseUrl, session.cookieHeader());
    expect(error).toBeUndefined();
    expect(await socket.emitWithAck('whoami')).toMatchObject({ role: 'operator' });
    socket.close();
  }, 120_000);
});
