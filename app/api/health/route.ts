import { checkDatabase } from '@/lib/db/health';
import { refusalCounts } from '@/lib/live/limits';

export const dynamic = 'force-dynamic';

/**
 * Liveness for load balancers and the test harness; says nothing about users or data. `limits`
 * counts what the probe and connection limits refused since the process started (lib/live/limits.ts).
 */
export async function GET() {
  const db = await checkDatabase();
  return Response.json({ status: db ? 'ok' : 'degraded', db: db ? 'ok' : 'unreachable', limits: refusalCounts() }, { status: db ? 200 : 503 });
}
