import type { CameraSource, TileState } from './types';

/**
 * Connects a tile's <video> or <img> to its camera source and reports what happens, in words an
 * operator can act on. Returns the function that disconnects it (stops the camera, closes the
 * stream) — called when the tile unmounts or its source changes.
 *
 * "No signal" for a source that stops delivering frames is decided by the tile, which sees the
 * frames (components/live/tile-detection.ts); this module reports what the media elements say.
 */

export type SourceReport = { state: Exclude<TileState, 'no-signal'>; reason: string | null } | { state: 'no-signal'; reason: string };

type Media = { video: HTMLVideoElement | null; img: HTMLImageElement | null };
type Report = (report: SourceReport) => void;

// Operator words on the tile; the technical reason (the stream's kind) is the hover detail.
export const HLS_UNSUPPORTED = 'This browser cannot show this camera';
export const RTSP_IN_BROWSER = 'The camera agent on site checks this camera for faces';

/** The technical detail behind a tile's reason, for the hover text; none for most reasons. */
export const REASON_DETAILS: Readonly<Record<string, string>> = {
  [HLS_UNSUPPORTED]: 'The camera sends an HLS stream, which this browser cannot play (Safari can).',
  [RTSP_IN_BROWSER]: 'An RTSP camera: browsers cannot play RTSP, so its picture is not shown here. The agent’s face boxes still appear.',
};

export function attachCameraSource(source: CameraSource, media: Media, report: Report): () => void {
  report({ state: 'connecting', reason: null });
  switch (source.kind) {
    case 'file':
      return media.video ? attachUrl(media.video, source.url, true, report) : noElement(report);
    case 'hls':
      // No hls.js in this app yet: only browsers that play HLS natively (Safari, some Chromium
      // builds) can show these cameras. canPlayType answers '' when they cannot.
      if (!media.video) return noElement(report);
      if (!media.video.canPlayType('application/vnd.apple.mpegurl')) {
        report({ state: 'error', reason: HLS_UNSUPPORTED });
        return () => {};
      }
      return attachUrl(media.video, source.url, false, report);
    case 'device':
      return media.video ? attachDevice(media.video, source.url, report) : noElement(report);
    case 'mjpeg':
      return media.img ? attachMjpeg(media.img, source.url, report) : noElement(report);
    case 'rtsp':
      // No picture here: the tile stays dark and shows the boxes the agent publishes.
      report({ state: 'error', reason: RTSP_IN_BROWSER });
      return () => {};
  }
}

/** True when the URL is served by this page's origin, so its pixels may be read for detection. */
export function isSameOrigin(url: string): boolean {
  try {
    return new URL(url, window.location.href).origin === window.location.origin;
  } catch {
    return false;
  }
}

function noElement(report: Report): () => void {
  report({ state: 'error', reason: 'This tile has no media element' });
  return () => {};
}

function mediaErrorReason(video: HTMLVideoElement): string {
  switch (video.error?.code) {
    case MediaError.MEDIA_ERR_NETWORK:
      return 'Network error while loading the video';
    case MediaError.MEDIA_ERR_DECODE:
      return 'The video could not be decoded';
    case MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED:
      return 'Source not found or format not supported';
    default:
      return 'The video failed to play';
  }
}

function play(video: HTMLVideoElement, report: Report): void {
  // play() is called by hand, not through the autoplay attribute: Chromium pauses muted
  // *autoplayed* videos that are scrolled out of view, which would silently stop detection.
  video.play().catch((error: unknown) => {
    if (error instanceof DOMException && error.name === 'AbortError') return; // source changed
    if (error instanceof DOMException && error.name === 'NotAllowedError') {
      report({ state: 'error', reason: 'The browser blocked playback' });
    }
    // Other failures surface through the element's error event.
  });
}

function attachUrl(video: HTMLVideoElement, url: string, loop: boolean, report: Report): () => void {
  const onPlaying = () => report({ state: 'live', reason: null });
  const onError = () => report({ state: 'error', reason: mediaErrorReason(video) });
  video.addEventListener('playing', onPlaying);
  video.addEventListener('error', onError);
  video.muted = true;
  video.loop = loop;
  video.src = url;
  play(video, report);
  return () => {
    video.removeEventListener('playing', onPlaying);
    video.removeEventListener('error', onError);
    video.pause();
    video.removeAttribute('src');
    video.load(); // releases the network connection and decoder
  };
}

function cameraErrorReason(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
      return 'Camera permission denied';
    case 'NotFoundError':
      return 'No camera found';
    case 'NotReadableError':
      return 'The camera is in use by another application';
    case 'OverconstrainedError':
      return 'The camera cannot provide video';
    default:
      return error instanceof Error ? error.message : 'The camera could not start';
  }
}

/** Opens the local camera whose label contains `label` (case-insensitive); empty → the default camera. */
async function openDevice(label: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error('Cameras are not available on this page (needs HTTPS or localhost)');
  // Labels are only visible once the page has camera permission, so open a camera first.
  let stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  const wanted = label.trim().toLowerCase();
  if (!wanted) return stream;
  const current = stream.getVideoTracks()[0]?.label.toLowerCase() ?? '';
  if (current.includes(wanted)) return stream;
  const devices = await navigator.mediaDevices.enumerateDevices();
  const device = devices.find((d) => d.kind === 'videoinput' && d.label.toLowerCase().includes(wanted));
  stream.getTracks().forEach((track) => track.stop());
  if (!device) throw new Error(`No camera labelled “${label}”`);
  stream = await navigator.mediaDevices.getUserMedia({ video: { deviceId: { exact: device.deviceId } }, audio: false });
  return stream;
}

function attachDevice(video: HTMLVideoElement, label: string, report: Report): () => void {
  let stream: MediaStream | null = null;
  let closed = false;
  const onPlaying = () => report({ state: 'live', reason: null });
  video.addEventListener('playing', onPlaying);
  openDevice(label)
    .then((opened) => {
      if (closed) {
        opened.getTracks().forEach((track) => track.stop());
        return;
      }
      stream = opened;
      for (const track of opened.getVideoTracks()) {
        track.addEventListener('ended', () => {
          if (!closed) report({ state: 'no-signal', reason: 'The camera was disconnected' });
        });
      }
      video.muted = true;
      video.srcObject = opened;
      play(video, report);
    })
    .catch((error: unknown) => {
      if (!closed) report({ state: 'error', reason: cameraErrorReason(error) });
    });
  return () => {
    closed = true;
    video.removeEventListener('playing', onPlaying);
    video.pause();
    video.srcObject = null;
    stream?.getTracks().forEach((track) => track.stop());
  };
}

function attachMjpeg(img: HTMLImageElement, url: string, report: Report): () => void {
  // An MJPEG stream fires load for its first frame; later frames replace it silently.
  const onLoad = () => report({ state: 'live', reason: null });
  const onError = () => report({ state: 'error', reason: 'The stream could not be reached' });
  img.addEventListener('load', onLoad);
  img.addEventListener('error', onError);
  img.src = url;
  return () => {
    img.removeEventListener('load', onLoad);
    img.removeEventListener('error', onError);
    img.removeAttribute('src'); // closes the never-ending multipart response
  };
}
