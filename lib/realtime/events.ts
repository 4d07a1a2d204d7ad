import { z } from 'zod';
import { recordId } from '@/lib/validation/id';
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

export const ALERT_EVENTS = ['alert:created', 'alert:updated', 'alert:claimed', 'alert:released', 'alert:decided', 'alert:claim-extended'] as const;
export type AlertEventName = (typeof ALERT_EVENTS)[number];

/**
 * Told to the holder alone (their user room) when a claim leaves them without their doing: a
 * senior officer released it (`released`, with who did), or it lapsed after CLAIM_TIMEOUT_MS
 * without an action (`lapsed`). The alert's own new state follows in `alert:released`.
 */
export type ClaimLost = {
  alertId: string;
  deploymentId: string;
  /**
   * The watchlist entry's name and the camera, so the notice says which alert without another
   * request; null when the holder can no longer see the deployment (a plan sent back to draft):
   * they are told only that a claim went, never who or where.
   */
  name: string | null;
  camera: string | null;
  reason: 'released' | 'lapsed';
  /** Who released it (null when it lapsed). */
  by: { id: string; name: string } | null;
  at: string;
};

/** A probe refused by the server: a code a program can act on and a message for a person. */
export type ProbeRefusal = { error: string; message: string };

export interface ServerToClientEvents {
  /** Sent just before the server closes a socket whose session ended (sign-out, disabled, role or password changed, expired). */
  'session:revoked': (payload: { reason: string }) => void;
  /** Sent on connection and whenever it changes: events from other instances may be delayed while degraded. */
  'cluster:health': (payload: ClusterHealth) => void;
  /** Every alert event carries the alert's whole current view (clients upsert by id/version). */
  'alert:created': (alert: AlertView) => void;
  'alert:updated': (alert: AlertView) => void;
  'alert:claimed': (alert: AlertView) => void;
  'alert:released': (alert: AlertView) => void;
  'alert:decided': (alert: AlertView) => void;
  /** The holder extended their claim: claimExpiresAt moved on. */
  'alert:claim-extended': (alert: AlertView) => void;
  /** To the former holder only: their claim was taken away or lapsed (ClaimLost). */
  'claim:lost': (payload: ClaimLost) => void;
  /** The whole lease table of a deployment, after any change (to its viewers and analysers). */
  'lease:changed': (payload: { deploymentId: string; leases: CameraLeaseView[] }) => void;
  /** The boxes of one analysed frame, relayed from the holder to everyone else watching (≤ 10 per second per camera). */
  'overlay:frame': (payload: OverlayFrame & { at: string; holder: { kind: AnalyserKind; name: string } }) => void;
  /**
   * Something the home page's "What needs attention now" shows may have changed (`change`: an
   * alert, a deployment, a watchlist, a retention job), or the steady tick for the faces figures
   * (`tick`). Carries nothing else: each page reads GET /api/overview for what its role may see.
   */
  'attention:changed': (payload: { reason: 'change' | 'tick' }) => void;
}

export interface ClientToServerEvents {
  whoami: (ack: Ack<WhoAmI>) => void;
  'deployment:join': (payload: unknown, ack: Ack<AckResult>) => void;
  'deployment:leave': (payload: unknown, ack: Ack<AckResult>) => void;
  /** A face seen by a live tile: `{ deploymentId, ...Probe }`; answered with the match or a refusal. */
  'probe:submit': (payload: unknown, ack: Ack<ProbeAnswer | ProbeRefusal>) => void;
  /** This socket can analyse these cameras (LeaseOfferSchema); answered with the cameras and the lease table. */
  'lease:offer': (payload: unknown, ack: Ack<LeaseOfferAnswer>) => void;
  /** Heartbeat of a holder (LeaseRenewSchema); answered with the lease table. */
  'lease:renew': (payload: unknown, ack: Ack<LeaseRenewAnswer>) => void;
  /** The holder's boxes for one frame (OverlayFrameSchema); no answer, dropped when not the holder or too frequent. */
  'overlay:publish': (payload: unknown) => void;
  /** The home page's live overview: every live deployment the user may see with its lease table; then `lease:changed` for them. */
  'overview:join': (payload: unknown, ack: Ack<LiveOverviewAnswer>) => void;
  /** The home page's "What needs attention now": then `attention:changed` whenever it may have changed. */
  'attention:join': (payload: unknown, ack: Ack<AckResult>) => void;
}

// ─── camera leases and shared overlays (docs/architecture.md#camera-leases) ──────────────────

/** Who may analyse a camera: a camera-wall page, a camera agent (service account), or an HTTP sender. */
export type AnalyserKind = 'browser' | 'agent' | 'http';

/** What the holder says of its camera at each renewal. */
export const CAMERA_ANALYSIS_STATES = ['connecting', 'analysing', 'source_down'] as const;
export type CameraAnalysisState = (typeof CAMERA_ANALYSIS_STATES)[number];

/** A camera's lease as every viewer of the deployment sees it (no face data, no secrets). */
export type CameraLeaseView = {
  cameraId: string;
  /**
   * null: nobody analyses this camera now. `analyserId` is the holder's socket id (so a page knows
   * "this screen"): '' for viewers without live:view, and for agents about others' cameras (whose
   * `name` is '' too).
   */
  holder: { kind: AnalyserKind; analyserId: string; name: string } | null;
  /** ISO time the current holder took the lease, or since when nobody has held it. */
  since: string;
  /** As last reported by the holder; 'connecting' until its first renewal. */
  state: CameraAnalysisState;
  /** The holder's words for a source that is down (sanitised, ≤ 200 characters), else null; null for viewers without live:view. */
  reason: string | null;
  /** Detections per second the holder last reported (0 until it reports). */
  detectionsPerSecond: number;
  /**
   * Health, in an operator's words when shown: `no_analyser`, nobody analysing it (held or not) for
   * 60 s; `source_down`, its holder cannot read the source; `slow_analysis`, under 1 detection/s.
   */
  warnings: ('no_analyser' | 'source_down' | 'slow_analysis')[];
};

/** `lease:offer`: the cameras of a deployment this socket can analyse (omitted: every camera it can read). An empty list withdraws. */
export const LeaseOfferSchema = z
  .object({ deploymentId: recordId('deploymentId'), cameraIds: z.array(recordId('each camera id')).max(64).optional() })
  .strict();

/** `lease:renew`, about once a second from a holder: the state of each camera it holds. */
export const LeaseRenewSchema = z
  .object({
    deploymentId: recordId('deploymentId'),
    cameras: z
      .array(
        z
          .object({
            cameraId: recordId('cameraId'),
            state: z.enum(CAMERA_ANALYSIS_STATES),
            reason: z.string().max(300).optional(),
            detectionsPerSecond: z.number().min(0).max(1000),
          })
          .strict(),
      )
      .max(64),
  })
  .strict();

/** One analysed frame's boxes as the holder publishes them: track ids and boxes, never a descriptor or crop. */
export const OverlayFrameSchema = z
  .object({
    deploymentId: recordId('deploymentId'),
    cameraId: recordId('cameraId'),
    frame: z.object({ width: z.number().int().min(1).max(10_000), height: z.number().int().min(1).max(10_000) }).strict(),
    faces: z
      .array(
        z
          .object({
            trackId: z.string().trim().min(1).max(64),
            box: z.object({ x: z.number(), y: z.number(), width: z.number().positive(), height: z.number().positive() }).strict(),
            state: z.enum(['detected', 'checking', 'matched']),
          })
          .strict(),
      )
      .max(100),
  })
  .strict();
export type OverlayFrame = z.infer<typeof OverlayFrameSchema>;

/** A camera as an analyser needs it to read the picture. */
export type AnalysableCamera = { id: string; name: string; source: { kind: string; url: string } };

/** `superseded`: a later offer from the same socket was applied instead of this one (this one changed nothing). */
/** A refused offer carries the refusal's code when there is one (`deployment_not_live`: stop offering for a while). */
export type LeaseOfferAnswer =
  | { ok: true; cameras: AnalysableCamera[]; leases: CameraLeaseView[]; superseded?: true }
  | { ok: false; error: string; code?: string };
export type LeaseRenewAnswer = { ok: true; leases: CameraLeaseView[] } | { ok: false; error: string };

/** A live deployment as the live overview shows it: its cameras' names and leases (no sources). */
export type LiveOverviewDeployment = { id: string; name: string; cameras: { id: string; name: string }[]; leases: CameraLeaseView[] };
export type LiveOverviewAnswer = { ok: true; deployments: LiveOverviewDeployment[] } | { ok: false; error: string };

/** Between Sightline instances (through the adapter): announcements of committed changes (lib/cluster/bus.ts). */
export interface InterServerEvents {
  'cluster:announce': (message: { name: string; payload: unknown }) => void;
}

/** Whether this instance's link to the other instances works (lib/db/realtime-adapter.ts). */
export type ClusterHealth = {
  realtime: 'ok' | 'degraded';
  message: string | null /** Which instance this socket is connected to (SIGHTLINE_INSTANCE). */;
  instance: string;
};

export interface SocketData {
  user: WhoAmI;
  /**
   * The server-side session the handshake's cookie named (lib/sessions): never sent to the client.
   * null for a service account's socket, which has an API key instead (apiKeyId).
   */
  sessionId: string | null;
  /** When that session's absolute lifetime ends, or the API key expires (ms since the epoch): the socket closes then. */
  sessionExpiresAt: number;
  /** The API key a service account's handshake carried (lib/service-accounts), else null. */
  apiKeyId: string | null;
}

export const DeploymentRoomSchema = z.object({ deploymentId: recordId('deploymentId') }).strict();

export const roomOfDeployment = (deploymentId: string) => `deployment:${deploymentId}`;
/** Everyone who watches or analyses a deployment's cameras: lease changes and overlays (no crops). */
export const roomOfDeploymentCameras = (deploymentId: string) => `deployment-cameras:${deploymentId}`;
/** Sockets that follow a deployment's lease table only (the live overview): `lease:changed`, no overlays. */
export const roomOfDeploymentLeases = (deploymentId: string) => `deployment-leases:${deploymentId}`;
/** The same for roles without live:view: `lease:changed` without socket ids or reasons. */
export const roomOfDeploymentLeasesRedacted = (deploymentId: string) => `deployment-leases-redacted:${deploymentId}`;
/** Camera agents analysing a deployment: each gets `lease:changed` with its own cameras only. */
export const roomOfDeploymentAgents = (deploymentId: string) => `deployment-agents:${deploymentId}`;
/** Every home page showing "What needs attention now": `attention:changed` (no data). */
export const ROOM_OF_ATTENTION = 'attention';
export const roomOfUser = (userId: string) => `user:${userId}`;
/** Every socket of one signed-in session: closed together when the session ends. */
export const roomOfSession = (sessionId: string) => `session:${sessionId}`;
/** Every socket opened with one API key: closed together when the key is revoked or rotated away. */
export const roomOfApiKey = (keyId: string) => `apikey:${keyId}`;
