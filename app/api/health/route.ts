import { checkDatabase } from '@/lib/db/health';

export const dynamic = 'force-dynamic';

/** Liveness for load balancers and the test harness; says nothing about users or data. */
export async function GET() {
  const db = await checkDatabase();
  return Response.json({ status: db ? 'ok' : 'degraded', db: db ? 'ok' : 'unreachable' }, { status: db ? 200 : 503 });
}
