import { z } from 'zod';
import type { AlertView } from '@/lib/alerts/data';
import type { Role } from '@/lib/auth/permissions';
import type { ProbeAnswer } from '@/lib/face/probe';

/**
 * The socket.io contract, shared by server.ts and the browser. Event names are
 * `noun:past-verb` for things that happened and `noun:verb` for requests.
 */
export type Ack<T> = (answer: T) => void;
export type AckResult = { ok: true } | { ok: false; error: string };

export type WhoAmI = { id: string; email: string; name: string; role: Role };

export const ALERT_EVENTS = ['alert:created', 'alert:updated', 'alert:claimed', 'alert:released', 'alert:decided'] as const;
export type AlertEventName = (typeof ALERT_EVENTS)[number];

/** A probe refused by the server: a code a program can act on and a message for a person. */
export type ProbeRefusal = { error: string; message: string };

export interface ServerToClientEvents {
  /** Sent just before the server closes a socket whose session ended (sign-out, disabled, role or password changed, expired). */
  'session:revoked': (payload: { reason: string }) => void;
  /** Every alert event carries the alert's whole current view (clients upsert by id/version). */
  'alert:created': (alert: AlertView) => void;
  'alert:updated': (alert: AlertView) => void;
  'alert:claimed': (alert: AlertView) => void;
  'alert:released': (alert: AlertView) => void;
  'alert:decided': (alert: AlertView) => void;
}

export interface ClientToServerEvents {
  whoami: (ack: Ack<WhoAmI>) => void;
  'deployment:join': (payload: unknown, ack: Ack<AckResult>) => void;
  'deployment:leave': (payload: unknown, ack: Ack<AckResult>) => void;
  /** A face seen by a live tile: `{ deploymentId, ...Probe }`; answered with the match or a refusal. */
  'probe:submit': (payload: unknown, ack: Ack<ProbeAnswer | ProbeRefusal>) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  user: WhoAmI;
  /** The server-side session the handshake's cookie named (lib/sessions): never sent to the client. */
  sessionId: string;
  /** When that session's absolute lifetime ends (ms since the epoch). */
  sessionExpiresAt: number;
}

export const DeploymentRoomSchema = z.object({ deploymentId: z.string().trim().min(1).max(64) }).strict();

export const roomOfDeployment = (deploymentId: string) => `deployment:${deploymentId}`;
export const roomOfUser = (userId: string) => `user:${userId}`;
/** Every socket of one signed-in session: closed together when the session ends. */
export const roomOfSession = (sessionId: string) => `session:${sessionId}`;
