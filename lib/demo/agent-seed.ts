import { getDb } from '@/lib/db/client';
import { createServiceAccountAs, revokeServiceAccount } from '@/lib/service-accounts/mutations';
import { loadSessionUser } from '@/lib/auth/session-user';
import { DEMO_LIVE_NAME } from './deployment-seed';

export const DEMO_AGENT_NAME = 'Demo camera agent';

/**
 * A fresh key for the demo's camera agent (`npm run demo` starts the agent with it), acting as the
 * demo admin like the admin page would: the demo agent's earlier accounts are revoked (their keys
 * were never kept anywhere) and a new one is given the live demo deployment, for one day. Null
 * when no demo deployment is live (the seed explains why). The key is only handed to the agent's
 * environment, never printed to the terminal.
 */
export async function issueDemoAgentKey(log: (line: string) => void): Promise<{ key: string; deploymentId: string } | null> {
  const db = getDb();
  const live = await db.deployment.findFirst({ where: { name: DEMO_LIVE_NAME, status: 'live' }, orderBy: { createdAt: 'desc' }, select: { id: true } });
  const admin = await db.user.findUnique({ where: { email: 'admin@sightline.test' }, select: { id: true } });
  const actor = admin ? await loadSessionUser(admin.id) : null;
  if (!live || !actor) {
    log('[demo] no camera agent: the demo deployment or the demo admin is missing');
    return null;
  }
  const earlier = await db.user.findMany({ where: { name: DEMO_AGENT_NAME, role: 'camera_agent', disabled: false }, select: { id: true } });
  for (const account of earlier) await revokeServiceAccount({ actor, ip: null }, account.id);
  const key = await createServiceAccountAs(actor.id, { name: DEMO_AGENT_NAME, deploymentIds: [live.id], expiresInDays: 1 });
  return { key, deploymentId: live.id };
}
