import { clusterStatus } from '@/lib/cluster/bus';
import { checkDatabase } from '@/lib/db/health';
import { refusalCounts } from '@/lib/live/limits';

export const dynamic = 'force-dynamic';

/**
 * Liveness for load balancers and the test harness; says nothing about users or data. `limits`
 * counts what the probe and connection limits refused since the process started (lib/live/limits.ts).
 * `cluster` names this instance and says whether events reach the others: a lost link to Redis or
 * PostgreSQL's notifications degrades it (200, the instance still serves), an unreachable database
 * takes it out of the balancer's rotation (503).
 */
export async function GET() {
  const db = await checkDatabase();
  const cluster = clusterStatus();
  const degraded = !db || cluster?.realtime === 'degraded';
  return Response.json({ status: degraded ? 'degraded' : 'ok', db: db ? 'ok' : 'unreachable', cluster, limits: refusalCounts() }, { status: db ? 200 : 503 });
}
