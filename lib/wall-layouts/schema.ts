import { z } from 'zod';

/**
 * One person's arrangement of one deployment's camera wall: how many tiles a screen shows, the
 * order of the cameras and which are left off. A screen preference only; nothing about any face.
 */
export const WALL_GRIDS = ['auto', '1', '4', '9', '16'] as const;
export type WallGrid = (typeof WALL_GRIDS)[number];

/** A deployment has a few dozen cameras at most; the cap keeps a request small. */
const MAX_CAMERAS = 200;
const cameraIds = (what: string) =>
  z
    .array(z.string().trim().min(1, `each camera in ${what} needs its id`).max(64, `a camera id in ${what} is too long`), {
      error: `${what} must be a list of camera ids`,
    })
    .max(MAX_CAMERAS, `${what} lists more than ${MAX_CAMERAS} cameras`)
    .refine((ids) => new Set(ids).size === ids.length, `${what} names a camera twice`);

export const WallLayoutSchema = z
  .object({
    grid: z.enum(WALL_GRIDS, { error: 'grid must be auto, 1, 4, 9 or 16 tiles a screen' }),
    cameraOrder: cameraIds('the camera order'),
    hiddenCameras: cameraIds('the cameras left off'),
  })
  .strict();

export type WallLayout = z.infer<typeof WallLayoutSchema>;

export const DEFAULT_WALL_LAYOUT: WallLayout = { grid: 'auto', cameraOrder: [], hiddenCameras: [] };
