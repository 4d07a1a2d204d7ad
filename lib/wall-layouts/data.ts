import { getDb } from '@/lib/db/client';
import { deploymentsVisibleTo, type Viewer } from '@/lib/deployments/data';
import { forbidden, notFound } from '@/lib/http/errors';
import { DEFAULT_WALL_LAYOUT, WallLayoutSchema, type WallLayout } from './schema';

/**
 * A person's saved wall for a deployment, or the default when none is saved (or what is stored
 * no longer reads). Callers have already checked that the person may watch the deployment.
 */
export async function getWallLayout(userId: string, deploymentId: string): Promise<WallLayout & { saved: boolean }> {
  const row = await getDb().wallLayout.findUnique({ where: { userId_deploymentId: { userId, deploymentId } } });
  if (!row) return { ...DEFAULT_WALL_LAYOUT, saved: false };
  const parsed = WallLayoutSchema.safeParse({ grid: row.grid, cameraOrder: parseList(row.cameraOrder), hiddenCameras: parseList(row.hiddenCameras) });
  return parsed.success ? { ...parsed.data, saved: true } : { ...DEFAULT_WALL_LAYOUT, saved: false };
}

function parseList(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}

/** 404 for no such deployment, 403 for one the viewer may not see (the same answers as its page). */
export async function requireWatchableDeployment(viewer: Viewer, deploymentId: string): Promise<void> {
  const db = getDb();
  if ((await db.deployment.count({ where: { id: deploymentId } })) === 0) throw notFound('No such deployment.');
  const visible = await db.deployment.count({ where: { AND: [{ id: deploymentId }, deploymentsVisibleTo(viewer)] } });
  if (!visible) throw forbidden('Operators see a deployment once it has been authorised; this one has not been.');
}
