import { io } from 'socket.io-client';
import { Session } from './session';
import type { TestSocket } from './sockets';

/**
 * Service accounts (camera agents) for tests: made through the admin API as the admin page does,
 * used with their key as a camera agent would (Authorization: Bearer …).
 */
export type CreatedServiceAccount = { id: string; email: string; key: string; keyId: string; expiresAt: string };

/** Creates a service account for these deployments as `admin` (a signed-in admin session); returns its key text (shown only here). */
export async function createServiceAccount(
  baseUrl: string,
  admin: Session,
  deploymentIds: string[],
  { name = `Test agent ${Math.random().toString(36).slice(2, 8)}`, expiresInDays }: { name?: string; expiresInDays?: number } = {},
): Promise<CreatedServiceAccount> {
  if (admin.baseUrl !== baseUrl) throw new Error('the admin session belongs to another server');
  const response = await admin.json('/api/service-accounts', 'POST', { name, deploymentIds, ...(expiresInDays ? { expiresInDays } : {}) });
  if (response.status !== 201) throw new Error(`create service account: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { account: { id: string; email: string }; key: { id: string; text: string; expiresAt: string } };
  return { id: body.account.id, email: body.account.email, key: body.key.text, keyId: body.key.id, expiresAt: body.key.expiresAt };
}

/** An HTTP client that sends the key on every request (and holds no cookie of its own). */
export function apiKeySession(baseUrl: string, key: string): Session {
  return new Session(baseUrl, { authorization: `Bearer ${key}` });
}

/**
 * Connects a socket as a camera agent does: the key in the Authorization header (Node's
 * extraHeaders), or in `auth.token`. Resolves on connect or its refusal (with the server's message).
 */
export function connectWithApiKey(
  baseUrl: string,
  key: string,
  { via = 'header' }: { via?: 'header' | 'auth' } = {},
): Promise<{ socket: TestSocket; error?: string; message?: string }> {
  const socket: TestSocket = io(baseUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
    timeout: 10_000,
    ...(via === 'header' ? { extraHeaders: { authorization: `Bearer ${key}` } } : { auth: { token: key } }),
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error: Error & { data?: { message?: string } }) => resolve({ socket, error: error.message, message: error.data?.message }));
  });
}
