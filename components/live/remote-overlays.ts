import type { OverlayFrame } from '@/lib/realtime/events';

export type RemoteFrame = Pick<OverlayFrame, 'cameraId' | 'frame' | 'faces'> & { holder: { kind: string; name: string } };

/**
 * The boxes other analysers publish (`overlay:frame`), handed to the tile of their camera. A tile
 * that does not analyse its camera subscribes here and draws what arrives, so every viewer sees
 * the same boxes without running detection. Browser-only, no React.
 */
export class RemoteOverlays {
  private readonly listeners = new Map<string, Set<(frame: RemoteFrame) => void>>();

  subscribe(cameraId: string, listener: (frame: RemoteFrame) => void): () => void {
    let set = this.listeners.get(cameraId);
    if (!set) this.listeners.set(cameraId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(cameraId) === set) this.listeners.delete(cameraId);
    };
  }

  push(frame: RemoteFrame): void {
    for (const listener of this.listeners.get(frame.cameraId) ?? []) listener(frame);
  }
}
