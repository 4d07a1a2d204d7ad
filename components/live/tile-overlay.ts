import type { TrackState } from '@/lib/face/tracker';

/**
 * Draws the tracked faces over a tile's picture: a box per face, its short track id and — so that
 * colour is never the only cue — its state in words. The canvas covers the whole media area; the
 * picture inside it is letterboxed (object-fit: contain), and boxes follow the same mapping.
 */

export const TRACK_COLOURS: Record<TrackState, string> = {
  detected: '#4cc2ff', // --accent
  checking: '#ffc857', // --warn
  matched: '#ff6b6b', // --danger
};

export const TRACK_STATE_LABELS: Record<TrackState, string> = {
  detected: 'face',
  checking: 'checking',
  matched: 'MATCH',
};

type Size = { width: number; height: number };

/** A box to draw: a track of this screen's detector, or one relayed from the camera's analyser (overlay:frame). */
export type DrawnFace = { id: number | string; box: { x: number; y: number; width: number; height: number }; state: TrackState };

/** Where a frame of `frame` size lands inside a `box`-sized area with object-fit: contain. */
export function containRect(frame: Size, area: Size): { x: number; y: number; scale: number } {
  const scale = Math.min(area.width / frame.width, area.height / frame.height);
  return { x: (area.width - frame.width * scale) / 2, y: (area.height - frame.height * scale) / 2, scale };
}

/** Matches the canvas's backing store to its displayed size; false when it has no size (hidden). */
function fitCanvas(canvas: HTMLCanvasElement): boolean {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(canvas.clientWidth * ratio);
  const height = Math.round(canvas.clientHeight * ratio);
  if (width === 0 || height === 0) return false;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  return true;
}

export function clearOverlay(canvas: HTMLCanvasElement): void {
  canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
}

export function drawOverlay(canvas: HTMLCanvasElement, frame: Size, tracks: readonly DrawnFace[]): void {
  if (!fitCanvas(canvas)) return;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (frame.width === 0 || frame.height === 0) return;
  const ratio = window.devicePixelRatio || 1;
  const place = containRect(frame, canvas);
  const fontPx = Math.round(12 * ratio);
  context.font = `700 ${fontPx}px system-ui, sans-serif`;
  context.textBaseline = 'middle';

  for (const track of tracks) {
    const colour = TRACK_COLOURS[track.state];
    const x = place.x + track.box.x * place.scale;
    const y = place.y + track.box.y * place.scale;
    const w = track.box.width * place.scale;
    const h = track.box.height * place.scale;

    // A dark halo under each line keeps boxes readable on bright and dark scenes alike.
    context.setLineDash(track.state === 'checking' ? [6 * ratio, 4 * ratio] : []);
    context.lineWidth = (track.state === 'matched' ? 5 : 4) * ratio;
    context.strokeStyle = 'rgb(0 0 0 / 0.55)';
    context.strokeRect(x, y, w, h);
    context.lineWidth = (track.state === 'matched' ? 3 : 2) * ratio;
    context.strokeStyle = colour;
    context.strokeRect(x, y, w, h);
    context.setLineDash([]);

    const label = track.state === 'detected' ? `#${track.id}` : `#${track.id} ${TRACK_STATE_LABELS[track.state]}`;
    const padX = 4 * ratio;
    const labelH = fontPx + 6 * ratio;
    const labelW = context.measureText(label).width + padX * 2;
    // Above the box when there is room, else just inside its top edge.
    const labelY = y - labelH >= 0 ? y - labelH : y;
    const labelX = Math.min(Math.max(0, x - context.lineWidth / 2), canvas.width - labelW);
    context.fillStyle = colour;
    context.fillRect(labelX, labelY, labelW, labelH);
    context.fillStyle = '#001524';
    context.fillText(label, labelX + padX, labelY + labelH / 2);
  }
}
