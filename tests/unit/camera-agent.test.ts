import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraAgent } from '@/lib/agent/agent';
import { FrameDetector } from '@/lib/agent/detector';
import { freePort } from '../support/server';
import { startContractServer, type ContractServer } from '../support/lease-contract-server';
import { startRtspCamera, type RtspCamera } from '../support/rtsp-server';

/**
 * The camera agent's client side (lib/agent/agent.ts) with real ffmpeg, real face models and a
 * real RTSP camera (franck's video), against the lease contract's stand-in
 * (tests/support/lease-contract-server.ts): what it sends and how it follows the leases. The agent
 * against the real server: tests/integration/camera-agent.test.ts.
 */

let rtsp: RtspCamera;
let detector: FrameDetector;
const servers: ContractServer[] = [];
const agents: CameraAgent[] = [];

beforeAll(async () => {
  [rtsp, detector] = await Promise.all([startRtspCamera(), FrameDetector.create()]);
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.stop()));
  await Promise.all(servers.map((server) => server.stop()));
  await rtsp?.stop();
});

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** ffmpeg processes of this test process reading `url` (from /proc). */
function ffmpegReading(url: string): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('ffmpeg') && cmdline.includes(url) && cmdline.includes('image2pipe')) count += 1;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

describe('the camera agent against the lease contract', () => {
  it('analyses the cameras it is given, renews with their state, probes like the browser, and stops a camera whose lease moves', async () => {
    const deadUrl = `rtsp://viewer:secret@127.0.0.1:${await freePort()}/stream1`;
    const server = await startContractServer({
      deploymentId: 'dep1',
      cameras: [
        { id: 'cam1', name: 'Regent St', source: { kind: 'rtsp', url: rtsp.urls[0]! } },
        { id: 'cam2', name: 'Dead camera', source: { kind: 'rtsp', url: deadUrl } },
        { id: 'cam3', name: 'Lobby webcam', source: { kind: 'device', url: 'Integrated Camera' } },
      ],
    });
    servers.push(server);
    const log: string[] = [];
    const agent = new CameraAgent({ url: server.url, key: 'slk_k1_notsecret', deploymentIds: ['dep1'], fps: 5, detector, log: (line) => log.push(line) });
    agents.push(agent);
    await agent.start();

    // The face in franck's video: a descriptor-only probe, then — asked for it — the crop with its ticket.
    await until('a crop sent after cropNeeded', () => server.seen.crops >= 1);
    await until('a renewal with both cameras', () =>
      server.seen.renewals.some((r) => r.cameras.find((c) => c.cameraId === 'cam1' && c.state === 'analysing' && c.detectionsPerSecond >= 2)),
    );
    const renewal = server.seen.renewals.at(-1)!.cameras;
    expect(renewal.find((c) => c.cameraId === 'cam2')).toEqual({
      cameraId: 'cam2',
      state: 'source_down',
      reason: expect.stringMatching(/^rtsp:\/\/\*\*\*@127\.0\.0\.1:\d+\/stream1: Connection refused$/),
      detectionsPerSecond: 0,
    });
    // A capture device (the server never gives one to an agent) is reported down rather than silently ignored.
    expect(renewal.find((c) => c.cameraId === 'cam3')).toMatchObject({
      state: 'source_down',
      reason: 'A capture device on a computer cannot be read by the camera agent',
    });
    expect(server.seen.offers).toBe(1);
    expect(server.seen.overlays.get('cam1')).toBeGreaterThan(0);
    // Every renewal, overlay and probe passed the contract's own schemas.
    expect(server.seen.invalid).toEqual([]);
    expect(ffmpegReading(rtsp.urls[0]!)).toBe(1);

    // The lease moves to another analyser: the agent stops that camera's ffmpeg and keeps the others.
    server.moveLease('cam1', 'another-socket');
    await until('cam1 released', () => !agent.stats().some((s) => s.cameraId === 'cam1'));
    await until('its ffmpeg gone', () => ffmpegReading(rtsp.urls[0]!) === 0, 5000);
    expect(agent.stats().map((s) => s.cameraId)).toContain('cam2');
    expect(log.join('\n')).toMatch(/camera "Regent St" \(cam1\): released \(now analysed by an agent \(bench agent\)\)/);
    // One line per change of state, and never the key or a camera's password.
    expect(log.filter((line) => line.includes('(cam2): source down'))).toHaveLength(1);
    expect(log.join('\n')).not.toMatch(/slk_k1_notsecret|secret@/);

    await agent.stop();
    expect(ffmpegReading(deadUrl)).toBe(0);
  }, 45_000);

  it('after losing the connection, stops its cameras, reconnects with back-off and offers again', async () => {
    const cameras = [{ id: 'cam1', name: 'Regent St', source: { kind: 'rtsp', url: rtsp.urls[0]! } }];
    const first = await startContractServer({ deploymentId: 'dep1', cameras });
    const log: string[] = [];
    const agent = new CameraAgent({ url: first.url, key: 'slk_k1_notsecret', deploymentIds: ['dep1'], fps: 5, detector, log: (line) => log.push(line) });
    agents.push(agent);
    await agent.start();
    await until('analysing', () => agent.stats().some((s) => s.state === 'analysing'));

    // The server goes away (a restart): the leases are gone with the connection, so is the analysis.
    await first.stop();
    await until('cameras stopped', () => agent.stats().length === 0 && ffmpegReading(rtsp.urls[0]!) === 0, 5000);
    const second = await startContractServer({ deploymentId: 'dep1', cameras, port: Number(new URL(first.url).port) });
    servers.push(second);
    await until('offered again and analysing', () => second.seen.offers === 1 && (second.seen.overlays.get('cam1') ?? 0) > 0, 20_000);
    expect(log.join('\n')).toMatch(/disconnected \(transport close\)[\s\S]*connected \(socket [\s\S]*deployment dep1: offered to analyse its 1 camera/);
    await agent.stop();
  }, 45_000);

  it('gives up when the server refuses its key, and says why', async () => {
    const server = await startContractServer({ deploymentId: 'dep1', cameras: [], acceptKey: 'slk_right_key' });
    servers.push(server);
    let fatal: string | null = null;
    const agent = new CameraAgent({
      url: server.url,
      key: 'slk_wrong_key',
      deploymentIds: ['dep1'],
      fps: 5,
      detector,
      log: () => {},
      onFatal: (m) => (fatal = m),
    });
    agents.push(agent);
    await agent.start();
    await until('the refusal', () => fatal !== null, 10_000);
    expect(fatal).toMatch(/The server refused the API key \(invalid_api_key: A bearer API key is required\.\)/);
    expect(server.seen.offers).toBe(0);
  });
});
