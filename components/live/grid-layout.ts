/** The grid sizes a control room wall uses: 1, 2×2, 3×3, 4×4. */
export const GRID_SIZES = [1, 4, 9, 16] as const;
export type GridSize = (typeof GRID_SIZES)[number];
export type LayoutChoice = 'auto' | GridSize;

/** The smallest grid that shows every camera (16 at most; more cameras are paged). */
export function autoGridSize(cameraCount: number): GridSize {
  return GRID_SIZES.find((size) => cameraCount <= size) ?? 16;
}

export function gridSizeFor(choice: LayoutChoice, cameraCount: number): GridSize {
  return choice === 'auto' ? autoGridSize(cameraCount) : choice;
}

export function columnsOf(size: GridSize): number {
  return Math.sqrt(size);
}

export function gridLabel(size: GridSize): string {
  const side = columnsOf(size);
  return size === 1 ? '1 camera' : `${side} × ${side}`;
}

export function pageCount(cameraCount: number, size: GridSize): number {
  return Math.max(1, Math.ceil(cameraCount / size));
}
