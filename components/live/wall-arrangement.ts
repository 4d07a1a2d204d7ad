import type { GridSize, LayoutChoice } from './grid-layout';

/**
 * A person's arrangement of a deployment's wall (saved per person: lib/wall-layouts), applied to
 * the deployment's cameras. Pure, so the page, the video wall and the tests share one reading.
 */
export type WallArrangement = { grid: LayoutChoice; cameraOrder: string[]; hiddenCameras: string[] };

/** What the API stores ('auto' | '1' | '4' | '9' | '16') and back. */
export function arrangementFromSaved(saved: { grid: string; cameraOrder: string[]; hiddenCameras: string[] }): WallArrangement {
  const size = Number(saved.grid);
  const grid: LayoutChoice = size === 1 || size === 4 || size === 9 || size === 16 ? (size as GridSize) : 'auto';
  return { grid, cameraOrder: saved.cameraOrder, hiddenCameras: saved.hiddenCameras };
}

export function arrangementToSaved(arrangement: WallArrangement): { grid: string; cameraOrder: string[]; hiddenCameras: string[] } {
  return { grid: String(arrangement.grid), cameraOrder: arrangement.cameraOrder, hiddenCameras: arrangement.hiddenCameras };
}

/**
 * Every camera in the saved order; cameras added since the layout was saved go at the end, in the
 * deployment's order, and ids of cameras no longer in the deployment are ignored.
 */
export function orderedCameras<C extends { id: string }>(cameras: C[], arrangement: WallArrangement): C[] {
  const byId = new Map(cameras.map((camera) => [camera.id, camera]));
  const ordered = arrangement.cameraOrder.flatMap((id) => {
    const camera = byId.get(id);
    if (!camera) return [];
    byId.delete(id);
    return [camera];
  });
  return [...ordered, ...cameras.filter((camera) => byId.has(camera.id))];
}

/**
 * The cameras the wall shows: in order, without those left off — except a camera someone linked
 * to (`?camera=`), which is shown even when this person left it off.
 */
export function shownCameras<C extends { id: string }>(cameras: C[], arrangement: WallArrangement, linkedId: string | null = null): C[] {
  const hidden = new Set(arrangement.hiddenCameras);
  return orderedCameras(cameras, arrangement).filter((camera) => !hidden.has(camera.id) || camera.id === linkedId);
}

/** The arrangement with one camera moved one place earlier (-1) or later (+1); unchanged at the ends. */
export function moveCamera(cameras: { id: string }[], arrangement: WallArrangement, cameraId: string, step: -1 | 1): WallArrangement {
  const order = orderedCameras(cameras, arrangement).map((camera) => camera.id);
  const from = order.indexOf(cameraId);
  const to = from + step;
  if (from < 0 || to < 0 || to >= order.length) return arrangement;
  [order[from], order[to]] = [order[to]!, order[from]!];
  return { ...arrangement, cameraOrder: order };
}

/** The arrangement with a camera shown or left off. */
export function setCameraShown(arrangement: WallArrangement, cameraId: string, shown: boolean): WallArrangement {
  const hidden = arrangement.hiddenCameras.filter((id) => id !== cameraId);
  return { ...arrangement, hiddenCameras: shown ? hidden : [...hidden, cameraId] };
}
