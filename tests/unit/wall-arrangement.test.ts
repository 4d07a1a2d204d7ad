import { describe, expect, it } from 'vitest';
import { detectorWords, rateWords } from '@/components/live/operator-words';
import { arrangementFromSaved, arrangementToSaved, moveCamera, orderedCameras, setCameraShown, shownCameras } from '@/components/live/wall-arrangement';
import { WallLayoutSchema } from '@/lib/wall-layouts/schema';

const cameras = ['a', 'b', 'c', 'd'].map((id) => ({ id, name: `Camera ${id.toUpperCase()}` }));
const ids = (list: { id: string }[]) => list.map((c) => c.id);
const none = { grid: 'auto' as const, cameraOrder: [], hiddenCameras: [] };

describe('a saved wall arrangement applied to the deployment’s cameras', () => {
  it('keeps the saved order, puts cameras added since at the end and ignores cameras no longer there', () => {
    expect(ids(orderedCameras(cameras, { ...none, cameraOrder: ['c', 'gone', 'a'] }))).toEqual(['c', 'a', 'b', 'd']);
    expect(ids(orderedCameras(cameras, none))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('leaves off hidden cameras, except the one someone linked to', () => {
    const arrangement = { ...none, cameraOrder: ['d', 'c', 'b', 'a'], hiddenCameras: ['b', 'c'] };
    expect(ids(shownCameras(cameras, arrangement))).toEqual(['d', 'a']);
    expect(ids(shownCameras(cameras, arrangement, 'c'))).toEqual(['d', 'c', 'a']);
  });

  it('moves a camera one place and stops at the ends; shows and hides', () => {
    expect(moveCamera(cameras, none, 'b', -1).cameraOrder).toEqual(['b', 'a', 'c', 'd']);
    expect(moveCamera(cameras, none, 'd', 1)).toBe(none);
    expect(moveCamera(cameras, none, 'a', -1)).toBe(none);
    const hidden = setCameraShown(none, 'c', false);
    expect(hidden.hiddenCameras).toEqual(['c']);
    expect(setCameraShown(hidden, 'c', true).hiddenCameras).toEqual([]);
  });

  it('reads and writes the stored grid', () => {
    expect(arrangementFromSaved({ grid: '9', cameraOrder: [], hiddenCameras: [] }).grid).toBe(9);
    expect(arrangementFromSaved({ grid: 'nonsense', cameraOrder: [], hiddenCameras: [] }).grid).toBe('auto');
    expect(arrangementToSaved({ ...none, grid: 16 }).grid).toBe('16');
  });
});

describe('the stored layout’s schema', () => {
  it('accepts a layout and refuses grids, duplicates and extra fields with words that name the problem', () => {
    expect(WallLayoutSchema.safeParse({ grid: '4', cameraOrder: ['a', 'b'], hiddenCameras: ['b'] }).success).toBe(true);
    const message = (input: unknown) => {
      const result = WallLayoutSchema.safeParse(input);
      return result.success ? '' : result.error.issues.map((i) => i.message).join('; ');
    };
    expect(message({ grid: '5', cameraOrder: [], hiddenCameras: [] })).toContain('grid must be auto, 1, 4, 9 or 16');
    expect(message({ grid: 'auto', cameraOrder: ['a', 'a'], hiddenCameras: [] })).toContain('names a camera twice');
    expect(message({ grid: 'auto', cameraOrder: 'a', hiddenCameras: [] })).toContain('must be a list of camera ids');
    expect(WallLayoutSchema.safeParse({ ...none, faces: [] }).success).toBe(false);
  });
});

describe('operator words for the wall’s figures', () => {
  it('says what the detector is doing in plain words and keeps the technical detail for the tooltip', () => {
    const ready = detectorWords({ state: 'ready', workers: 1, choice: { backend: 'wasm', reason: 'No WebGL here.' } as never });
    expect(ready).toEqual({ text: 'Face detection running', detail: 'Detector ready · wasm · 1 worker. No WebGL here.' });
    expect(detectorWords(null).text).toBe('Face detection starting…');
    expect(detectorWords({ state: 'failed', workers: 0, message: 'no models' }).detail).toBe('Detector unavailable: no models');
  });

  it('words a tile’s rate without "det/s", and warns when it is under once a second', () => {
    expect(rateWords(12.34)).toEqual({ text: 'Checked 12× a second', detail: 'Frames searched for faces: 12.3 a second (det/s).' });
    expect(rateWords(0.5).text).toBe('Checked 0.5× a second');
    expect(rateWords(0.5).detail).toContain('faces may be missed');
  });
});
