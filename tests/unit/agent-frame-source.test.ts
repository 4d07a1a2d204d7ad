import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraFeed, type FeedState } from '@/lib/agent/camera-feed';
import { FrameReader, meaningfulLine, PpmParser, redactUrls, type RgbFrame } from '@/lib/agent/ffmpeg';
import { freePort } from '../support/server';

/**
 * The camera agent's frame source (lib/agent/ffmpeg.ts, lib/agent/camera-feed.ts) against real
 * ffmpeg: a small test pattern video it synthesises, and an RTSP address nobody answers.
 */

let dir: string;
let video: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sightline-agent-'));
  video = path.join(dir, 'pattern.mp4');
  // One second of ffmpeg's test pattern at 10 frames/s, 320 × 240.
  const made = spawnSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=10',
    '-t',
    '1',
    '-pix_fmt',
    'yuv420p',
    video,
  ]);
  expect(made.status, made.stderr?.toString()).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ppm(width: number, height: number, fill: number): Buffer {
  return Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`), Buffer.alloc(width * height * 3, fill)]);
}

describe('PPM frames from ffmpeg', () => {
  it('parses frames that arrive split at any byte, with their own sizes', () => {
    const stream = Buffer.concat([ppm(4, 2, 1), ppm(3, 3, 2), ppm(4, 2, 3)]);
    for (const step of [1, 7, 25, 1000]) {
      const parser = new PpmParser();
      const frames: { width: number; height: number; rgb: Uint8Array }[] = [];
      for (let at = 0; at < stream.length; at += step) frames.push(...parser.push(stream.subarray(at, at + step)));
      expect(frames.map((f) => [f.width, f.height, f.rgb.length, f.rgb[0]])).toEqual([
        [4, 2, 24, 1],
        [3, 3, 27, 2],
        [4, 2, 24, 3],
      ]);
    }
  });

  it('refuses a stream that is not PPM', () => {
    expect(() => new PpmParser().push(Buffer.from('GIF89a and more bytes'))).toThrow(/not a PPM frame/);
  });
});

describe("ffmpeg's reason for a failure", () => {
  it('is its own summary line rather than a component detail or boilerplate, with credentials hidden', () => {
    expect(
      meaningfulLine([
        '[tcp @ 0x5652851c1840] Connection to tcp://127.0.0.1:554?timeout=0 failed: Connection refused',
        'rtsp://admin:hunter2@127.0.0.1:554/stream: Connection refused',
        'Error opening input files: Connection refused',
      ]),
    ).toBe('rtsp://***@127.0.0.1:554/stream: Connection refused');
    expect(meaningfulLine(['[h264 @ 0x1] mmco: unref short failure'])).toBe('[h264 @ 0x1] mmco: unref short failure');
    expect(meaningfulLine(['', '  '])).toBeNull();
    expect(redactUrls('see http://u:p@cam.local/x and rtsp://cam/y')).toBe('see http://***@cam.local/x and rtsp://cam/y');
  });
});

describe('reading a camera with ffmpeg', () => {
  it('decodes a file at the configured rate, scaled, and loops it', async () => {
    const frames: RgbFrame[] = [];
    const started = Date.now();
    const reader = new FrameReader({ input: video, kind: 'file', fps: 5, maxWidth: 160 }, { onFrame: (f) => frames.push(f), onExit: () => {} });
    // The file lasts 1 s (5 frames at 5/s): more than 7 frames means it went round again.
    while (frames.length < 8 && Date.now() - started < 8000) await new Promise((r) => setTimeout(r, 50));
    const elapsed = (Date.now() - started) / 1000;
    await reader.stop();
    expect(frames.length).toBeGreaterThanOrEqual(8);
    // Read at the video's own pace (-re), not as fast as ffmpeg can decode.
    expect(elapsed).toBeGreaterThan(1);
    const frame = frames[0]!;
    expect([frame.width, frame.height, frame.rgb.length]).toEqual([160, 120, 160 * 120 * 3]);
    // The test pattern is colourful: not a blank picture.
    const distinct = new Set<number>();
    for (let i = 0; i < frame.rgb.length; i += 3) distinct.add((frame.rgb[i]! << 16) | (frame.rgb[i + 1]! << 8) | frame.rgb[i + 2]!);
    expect(distinct.size).toBeGreaterThan(20);
  });

  it('reads an MJPEG stream over HTTP at the configured rate by arrival time (the stream has no timestamps)', async () => {
    const jpeg = path.join(dir, 'frame.jpg');
    spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240', '-frames:v', '1', jpeg]);
    const picture = readFileSync(jpeg);
    // A camera sending 10 JPEGs a second as multipart/x-mixed-replace.
    const server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'multipart/x-mixed-replace; boundary=frame' });
      const timer = setInterval(() => {
        response.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${picture.length}\r\n\r\n`);
        response.write(picture);
        response.write('\r\n');
      }, 100);
      request.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const times: number[] = [];
    const reader = new FrameReader(
      { input: `http://127.0.0.1:${port}/video.mjpg`, kind: 'mjpeg', fps: 5, maxWidth: 640 },
      { onFrame: () => times.push(Date.now()), onExit: () => {} },
    );
    const started = Date.now();
    while (times.length < 10 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
    await reader.stop();
    server.closeAllConnections();
    server.close();
    // 5 a second (200 ms apart): taken as 25 frames/s of stream time, the 10 sent would give 2 (500 ms apart).
    expect(times.length).toBe(10);
    expect((times.at(-1)! - times[0]!) / 9).toBeLessThan(300);
  });

  it("reports an unreachable RTSP camera as source_down with ffmpeg's reason, and keeps retrying", async () => {
    const port = await freePort();
    const states: FeedState[] = [];
    let runs = 0;
    const feed = new CameraFeed({
      input: `rtsp://viewer:secret@127.0.0.1:${port}/stream1`,
      kind: 'rtsp',
      fps: 5,
      maxWidth: 640,
      onState: (state) => {
        states.push(state);
        if (state.state === 'source_down') runs += 1;
      },
      timings: { firstRetryMs: 100, maxRetryMs: 200 },
    });
    feed.start();
    const started = Date.now();
    while (feed.state.state !== 'source_down' && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 20));
    const down = feed.state;
    // A second failed attempt, after the back-off, keeps the same state and reason (no new log line).
    await new Promise((r) => setTimeout(r, 600));
    await feed.stop();
    expect(down.state).toBe('source_down');
    expect(down.reason).toBe(`rtsp://***@127.0.0.1:${port}/stream1: Connection refused`);
    // Starts as connecting; then one change only, however many attempts fail the same way.
    expect(states).toEqual([down]);
    expect(runs).toBe(1);
    expect(feed.framesReceived).toBe(0);
  });
});
