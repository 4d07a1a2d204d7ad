import { expect, it } from 'vitest';
import { attachCameraSource, RTSP_IN_BROWSER, type SourceReport } from '@/components/live/camera-source';

it('an RTSP camera tile opens nothing and says the camera agent analyses it', () => {
  const reports: SourceReport[] = [];
  const detach = attachCameraSource({ kind: 'rtsp', url: 'rtsp://10.0.0.7:554/stream1' }, { video: null, img: null }, (r) => reports.push(r));
  expect(reports).toEqual([
    { state: 'connecting', reason: null },
    { state: 'error', reason: 'The camera agent on site checks this camera for faces' },
  ]);
  expect(RTSP_IN_BROWSER).toBe(reports[1]!.reason);
  detach();
});
