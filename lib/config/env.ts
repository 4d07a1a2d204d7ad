import { z } from 'zod';
import { parseTrustProxy } from '@/lib/http/client-ip';

/**
 * Server configuration, validated once at start-up (server.ts) and read everywhere else.
 * A wrong value stops the process with a message naming the variable, rather than a
 * surprise later.
 */
/**
 * A comma-separated list of http(s) origins (scheme, host, optional port; nothing after), each
 * normalised as browsers write an Origin. With `wildcard`, a host may start with `*.` (any
 * subdomain), as a Content-Security-Policy source allows.
 */
function originList(name: string, { wildcard }: { wildcard: boolean }) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const entries = (value ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      const origins: string[] = [];
      for (const entry of entries) {
        const origin = normaliseOrigin(entry, wildcard);
        if (!origin) {
          const example = wildcard ? 'https://cameras.example.org or https://*.cameras.example.org:8443' : 'https://sightline.example.org';
          ctx.addIssue({ code: 'custom', message: `${name}: "${entry}" is not an http(s) origin (e.g. ${example}; no path)` });
          return z.NEVER;
        }
        origins.push(origin);
      }
      return origins;
    });
}

function normaliseOrigin(entry: string, wildcard: boolean): string | null {
  const match = /^(https?):\/\/(\*\.)?([^/?#*]+?)\/?$/i.exec(entry);
  if (!match || (match[2] && !wildcard)) return null;
  try {
    const url = new URL(`${match[1]}://${match[3]}`);
    if (url.username || url.password || url.pathname !== '/' || !url.hostname) return null;
    return match[2] ? `${url.protocol}//*.${url.host}` : url.origin;
  } catch {
    return null;
  }
}

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Interface to listen on. Loopback by default: exposing the control room is a decision. */
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().optional(),
  AUTH_SECRET: z.string().optional(),
  /** Session lifetime: one shift by default. */
  SESSION_MAX_AGE_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 7)
    .default(12),
  SIGN_IN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  SIGN_IN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(20),
  SIGN_IN_LOCKOUT_MINUTES: z.coerce.number().positive().default(15),
  /** Days an alert's face crop is kept unless retained with a reason (docs/rules.md#retention: 31 by default). */
  ALERT_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(31),
  /** An ONNX face recogniser (ArcFace-style) and its manifest: when both are set it verifies the candidates of plans going live (docs/recognisers.md). */
  RECOGNISER_ONNX_MODEL: z.string().trim().min(1).optional(),
  RECOGNISER_ONNX_MANIFEST: z.string().trim().min(1).optional(),
  /** Worker threads verifying live candidates, and analysing reference photos and calibrations. */
  RECOGNITION_VERIFY_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  RECOGNITION_ANALYSE_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  /**
   * Probe rate limits (token buckets: a sustained rate per second and a burst), per socket and per
   * user over the socket and HTTP together; refusals answer `rate_limited` and are counted, not
   * audited one by one (lib/live/limits.ts). The defaults lie well above what a camera wall can
   * send: a wall's detectors analyse at most ~150 frames a second on a six-core workstation (about
   * 24 on two cores), with at most two new faces described per frame and each face probed again
   * only every 3 s — under 300 probes a second in the worst case, and ~60 for a 9-tile wall in a
   * dense crowd. bench/alerts.ts sends 220 a second from one socket (200 faces and the crops of the
   * 10 % that are candidates), and on a loaded machine about 330 with the crops it sends again
   * while the verifier is busy. A user may keep a second wall open, hence twice the per-socket
   * figures per user.
   */
  PROBES_PER_SECOND_PER_SOCKET: z.coerce.number().positive().max(100_000).default(400),
  PROBE_BURST_PER_SOCKET: z.coerce.number().int().min(1).max(1_000_000).default(800),
  PROBES_PER_SECOND_PER_USER: z.coerce.number().positive().max(100_000).default(800),
  PROBE_BURST_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(1600),
  /**
   * Socket connections one user may hold at once (a control-room page holds one; a few windows
   * and reconnects stay far below). More are refused at the handshake with `too_many_connections`.
   */
  MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  /**
   * Reverse proxies in front of Sightline: false, true (one), a number of proxies, or their
   * addresses. Decides which X-Forwarded-For entry is the client (lib/http/client-ip.ts).
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseTrustProxy(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * The address people use to reach Sightline (e.g. https://sightline.example.org), one or more,
   * comma-separated. When set, only these origins may change anything; otherwise the origin is the
   * request's own Host (lib/http/origin-check.ts).
   */
  PUBLIC_ORIGIN: originList('PUBLIC_ORIGIN', { wildcard: false }),
  /**
   * Origins of camera streams (file, hls, mjpeg sources) served by other machines, which browsers
   * may load video and pictures from (the Content-Security-Policy allows nothing else).
   */
  CAMERA_ORIGINS: originList('CAMERA_ORIGINS', { wildcard: true }),
  /**
   * How several Sightline instances behind one address pass realtime events and announcements to
   * each other (docs/architecture.md#several-instances): `none` (one process — the default), `postgres`
   * (LISTEN/NOTIFY on the PostgreSQL database Sightline already uses) or `redis` (Redis streams, at
   * REDIS_URL). A cluster needs PostgreSQL as its database either way.
   */
  SIGHTLINE_ADAPTER: z.enum(['none', 'postgres', 'redis']).default('none'),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .optional(),
  /** A name for this instance in logs and on the health answer (defaults to "port <PORT>": never the address it listens on, which /api/health would tell anyone). */
  SIGHTLINE_INSTANCE: z.string().trim().min(1).max(64).optional(),
});

export type ServerEnv = z.infer<typeof EnvSchema>;

let cached: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  cached ??= parseServerEnv(process.env);
  return cached;
}

/** Validates a set of variables; throws one message naming every problem. */
export function parseServerEnv(source: Record<string, string | undefined>): ServerEnv {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

const WEAK_SECRETS = new Set(['changeme', 'secret', 'change-me', 'development', 'sightline']);

/** Why a secret is unfit for production, or null when it is fine. */
export function authSecretProblem(secret: string | undefined): string | null {
  if (!secret) return 'AUTH_SECRET is not set';
  if (secret.length < 32) return 'AUTH_SECRET must be at least 32 characters (try: openssl rand -base64 32)';
  if (WEAK_SECRETS.has(secret.toLowerCase())) return 'AUTH_SECRET is a placeholder value';
  return null;
}
