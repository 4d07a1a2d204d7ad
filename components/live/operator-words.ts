import type { DetectorStatus } from '@/lib/face/detection-scheduler';

/**
 * The live wall's figures in an operator's words, with the technical detail kept for the tooltip
 * (engineers and support still need "wasm · 1 worker" and "det/s").
 */
export type Worded = { text: string; detail: string };

export function detectorWords(status: DetectorStatus | null): Worded {
  if (status?.state === 'ready') {
    const workers = `${status.workers} worker${status.workers === 1 ? '' : 's'}`;
    return { text: 'Face detection running', detail: `Detector ready · ${status.choice.backend} · ${workers}. ${status.choice.reason}`.trim() };
  }
  if (status?.state === 'failed') return { text: 'Face detection not working', detail: `Detector unavailable: ${status.message}` };
  return { text: 'Face detection starting…', detail: 'The face detector is loading its models in this browser.' };
}

/** A tile's detection rate (detection passes a second): the operator reads how often faces are looked for. */
export function rateWords(rate: number): Worded {
  const shown = rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
  const slow = rate < 1 ? ' Under once a second, so faces may be missed.' : '';
  return {
    text: `Checked ${shown}× a second`,
    detail: `Frames searched for faces: ${rate.toFixed(1)} a second (det/s).${slow}`,
  };
}
