/**
 * Whether an error means the database cannot be reached right now (stopped, restarting, the
 * network to it lost, its pool exhausted while waiting) rather than a fault in the request or the
 * code. Such a request is answered 503 `database_unavailable` with Retry-After (lib/http/route.ts),
 * never a bare 500: the same request will work once the database is back, and Sightline reconnects
 * by itself (no restart needed).
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);
const MESSAGES =
  /Connection terminated|Can't reach database server|Server has closed the connection|timeout exceeded when trying to connect|Connection terminated due to connection timeout/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  // Only errors from the database's client: a socket code from anywhere else (a client that
  // aborted its upload, say) is not the database being away.
  if (!error || typeof error !== 'object') return false;
  const name = (error as { name?: unknown }).name;
  const fromDatabaseClient = typeof name === 'string' && (name.startsWith('PrismaClient') || name === 'DriverAdapterError' || name === 'DatabaseError');
  // pg's own words when a connection it held is cut (Prisma passes that error through unwrapped).
  if (!fromDatabaseClient) return error instanceof Error && /^Connection terminated/.test(error.message);
  return signalsUnavailable(error, 0);
}

function signalsUnavailable(error: unknown, depth: number): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } }; kind?: unknown };
  if (typeof e.code === 'string' && (PRISMA_CODES.has(e.code) || SOCKET_CODES.has(e.code))) return true;
  const kind = e.meta?.driverAdapterError?.cause?.kind ?? e.kind;
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  return signalsUnavailable(e.cause, depth + 1);
}

export const DATABASE_UNAVAILABLE_MESSAGE =
  'The database cannot be reached at the moment, so nothing was changed. Sightline reconnects by itself: try again in a few seconds.';
