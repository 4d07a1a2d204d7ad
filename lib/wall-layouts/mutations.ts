import { getDb } from '@/lib/db/client';
import { unprocessable } from '@/lib/http/errors';
import type { WallLayout } from './schema';

/**
 * Saves a person's wall for a deployment. Callers have already checked that the person may watch
 * it. Not audited: it changes how one screen looks, not what anyone may see or do.
 */
export async function saveWallLayout(userId: string, deploymentId: string, layout: WallLayout): Promise<WallLayout> {
  const db = getDb();
  const cameras = await db.camera.findMany({ where: { deploymentId }, select: { id: true } });
  const known = new Set(cameras.map((camera) => camera.id));
  const unknown = [...layout.cameraOrder, ...layout.hiddenCameras].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw unprocessable('unknown_camera', `This deployment has no camera ${[...new Set(unknown)].join(', ')}.`);
  }
  const fields = { grid: layout.grid, cameraOrder: JSON.stringify(layout.cameraOrder), hiddenCameras: JSON.stringify(layout.hiddenCameras) };
  await db.wallLayout.upsert({
    where: { userId_deploymentId: { userId, deploymentId } },
    create: { userId, deploymentId, ...fields },
    update: fields,
  });
  return layout;
}
