import { z } from 'zod';

/** PMTiles addresses tiles up to zoom 26 (its tile ids must stay exact in a double). */
export const MAX_TILE_ZOOM = 26;

const index = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a whole number')
  .transform(Number);

/**
 * A tile address from the URL `/{z}/{x}/{y}[.ext]`. The extension is optional and ignored: the
 * archive decides what a tile is.
 */
export const TileAddressSchema = z
  .object({
    z: index.pipe(z.number().max(MAX_TILE_ZOOM, `zoom must be at most ${MAX_TILE_ZOOM}`)),
    x: index,
    y: z
      .string()
      .regex(/^\d{1,9}(\.(png|jpe?g|webp|avif|mvt|pbf))?$/, 'must be a whole number, optionally with a tile extension')
      .transform((value) => Number(value.split('.')[0])),
  })
  .superRefine((tile, context) => {
    // Refinements also see input whose fields failed: only check whole numbers.
    if (![tile.z, tile.x, tile.y].every(Number.isInteger)) return;
    const size = 2 ** tile.z;
    if (tile.x >= size) context.addIssue({ code: 'custom', path: ['x'], message: `must be below ${size} at zoom ${tile.z}` });
    if (tile.y >= size) context.addIssue({ code: 'custom', path: ['y'], message: `must be below ${size} at zoom ${tile.z}` });
  });
