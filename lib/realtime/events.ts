import { z } from 'zod';
import type { Role } from '@/lib/auth/permissions';

/**
 * The socket.io contract, shared by server.ts and the browser. Event names are
 * `noun:past-verb` for things that happened and `noun:verb` for requests.
 */
export type Ack<T> = (answer: T) => void;
export type AckResult = { ok: true } | { ok: false; error: string };

export type WhoAmI = { id: string; email: string; name: string; role: Role };

export interface ServerToClientEvents {
  /** Sent just before the server closes a socket whose user was disabled or re-roled. */
  'session:revoked': (payload: { reason: string }) => void;
}

export interface ClientToServerEvents {
  whoami: (ack: Ack<WhoAmI>) => void;
  'deployment:join': (payload: unknown, ack: Ack<AckResult>) => void;
  'deployment:leave': (payload: unknown, ack: Ack<AckResult>) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  user: WhoAmI;
}

export const DeploymentRoomSchema = z.object({ deploymentId: z.string().trim().min(1).max(64) }).strict();

export const roomOfDeployment = (deploymentId: string) => `deployment:${deploymentId}`;
export const roomOfUser = (userId: string) => `user:${userId}`;
