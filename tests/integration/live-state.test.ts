import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeAnswer } from '@/lib/face/probe';
import type { ProbeRefusal } from '@/lib/realtime/events';
import { authorisedPlan, CAMERA_INSIDE, createPlan, getDeployment, startPlan, submitPlan, authorisePlan, validPlan } from '../support/deployment-fixtures';
import { fresh, probeFixtures, type ProbeFixtures } from '../support/probes';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';
import { connectSocket, type TestSocket } from '../support/sockets';

/**
 * "Live" is the deployment's committed state, not a cached belief: a lifecycle change is seen by
 * the very next probe, and a probe already past the first check when a deployment stops meets the
 * state again in the transaction that would write its alert (SQLite, and PostgreSQL with
 * TEST_DATABASE=postgres, where that transaction share-locks the deployment's row).
 */

let server: TestServer;
let officer: Session, officer2: Session, operator: Session, operator2: Session;
let demoId: string;
let probes: ProbeFixtures;
const sockets: TestSocket[] = [];

async function signedIn(email: string) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

const probeOver = (session: Session, deploymentId: string, body: unknown) => session.json(`/api/deployments/${deploymentId}/probes`, 'POST', body);

async function refusalCode(response: Response): Promise<string | undefined> {
  return ((await response.json()) as { error?: string }).error;
}

beforeAll(async () => {
  server = await startServer();
  officer = await signedIn('officer@sightline.test');
  officer2 = await signedIn('officer2@sightline.test');
  operator = await signedIn('operator@sightline.test');
  operator2 = await signedIn('operator2@sightline.test');
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  demoId = watchlists.find((w) => w.name === 'Demo — central London')!.id;
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  const { disconnectDb } = await import('@/lib/db/client');
  await disconnectDb();
  await server?.stop();
});

describe('the live state of a deployment', () => {
  it('accepts faces the moment it goes live and refuses them the moment it is suspended: no cached second either way', async () => {
    const authorised = await authorisedPlan(officer, officer2, validPlan([demoId], { name: 'Goes live now' }));
    probes = await probeFixtures(authorised.cameras[0]!.id);
    // Refused before going live — and that answer is not remembered past the start.
    const early = await probeOver(operator, authorised.id, fresh(probes.stranger));
    expect(early.status).toBe(409);
    expect(await refusalCode(early)).toBe('deployment_not_live');
    await startPlan(officer, authorised.id);
    const first = await probeOver(operator, authorised.id, fresh(probes.stranger));
    expect(first.status, 'a probe right after going live').toBe(200);
    expect(await first.json()).toEqual({ matched: false });
    const matched = await probeOver(operator, authorised.id, fresh(probes.match));
    expect(matched.status).toBe(200);
    expect(await matched.json()).toMatchObject({ matched: true });

    expect((await officer.json(`/api/deployments/${authorised.id}/suspend`, 'POST', { reason: 'Crowd dispersed; pausing.' })).status).toBe(200);
    for (const probe of [probes.stranger, probes.match]) {
      const late = await probeOver(operator, authorised.id, fresh(probe));
      expect(late.status, 'a probe right after the suspension').toBe(409);
      expect(await refusalCode(late)).toBe('deployment_not_live');
    }
  });

  it('a probe racing with the end never raises or updates an alert once the end has committed', async () => {
    const { id } = await createPlan(officer, validPlan([demoId], { name: 'Ends mid-burst' }));
    for (let i = 2; i <= 5; i++)
      expect((await officer.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, name: `Camera ${i}` })).status).toBe(201);
    await submitPlan(officer, id);
    await authorisePlan(officer2, id);
    await startPlan(officer, id);
    const live = await getDeployment(officer, id);
    const cameraIds = live.cameras.map((c) => c.id);

    // Four people's tiles keep six faces each in flight — every one a candidate with its crop, so
    // each waits for the verifier, and when the end commits many are past the first check.
    const senders: TestSocket[] = [];
    for (const session of [operator, operator2, officer, officer2]) {
      const { socket, error } = await connectSocket(server.baseUrl, session.cookieHeader());
      expect(error).toBeUndefined();
      sockets.push(socket);
      senders.push(socket);
    }
    let endReturnedAt = Infinity;
    let stop = false;
    let sent = 0;
    const answers: { sentAt: number; answeredAt: number; answer: ProbeAnswer | ProbeRefusal }[] = [];
    const sender = async (socket: TestSocket, who: number) => {
      const lane = async (slot: number) => {
        while (!stop) {
          const n = sent++;
          const sentAt = performance.now();
          // Each person's wall analyses its own camera: a camera's faces are accepted from its lease holder only.
          const probe = fresh(probes.match, { cameraId: cameraIds[who % cameraIds.length]!, trackId: `race-${who}-${slot}-${n}` });
          const answer = (await socket.timeout(30_000).emitWithAck('probe:submit', { deploymentId: id, ...probe })) as ProbeAnswer | ProbeRefusal;
          answers.push({ sentAt, answeredAt: performance.now(), answer });
        }
      };
      await Promise.all(Array.from({ length: 6 }, (_, slot) => lane(slot)));
    };
    const sending = Promise.all(senders.map((socket, who) => sender(socket, who)));

    // Let alerts be raised and updated for a while, then end the deployment in the middle of it.
    const deadline = Date.now() + 20_000;
    while (answers.filter((a) => 'matched' in a.answer && a.answer.matched).length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(answers.some((a) => 'matched' in a.answer && a.answer.matched)).toBe(true);
    const endSentAt = performance.now();
    const ended = await officer.json(`/api/deployments/${id}/end`, 'POST', { reason: 'Operation complete' });
    expect(ended.status).toBe(200);
    endReturnedAt = performance.now();
    const alertsAt = async () =>
      (
        await rawQuery<{ n: number | string; sightings: number | string | null; versions: number | string | null }>(
          server.databaseUrl,
          'SELECT COUNT(*) AS n, SUM(sightings) AS sightings, SUM(version) AS versions FROM "Alert" WHERE "deploymentId" = $1',
          [id],
        )
      ).map((r) => ({ n: Number(r.n), sightings: Number(r.sightings), versions: Number(r.versions) }))[0]!;
    const atEnd = await alertsAt();

    // Keep sending for a moment after the end, then let every probe in flight finish.
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await sending;
    expect(await alertsAt(), 'alerts of the deployment after the end committed').toEqual(atEnd);

    // The race was run: probes were in flight while the end was being committed.
    const inFlight = answers.filter((a) => a.sentAt < endReturnedAt && a.answeredAt > endSentAt);
    expect(inFlight.length, 'probes in flight when the end committed').toBeGreaterThan(0);
    const atTheWrite = inFlight.filter((a) => 'error' in a.answer && a.answer.message.includes('while this one was being checked')).length;
    console.log(
      `[live-state] ${inFlight.length} probes in flight during the end: ${JSON.stringify(inFlight.map((a) => ('error' in a.answer ? a.answer.error : `matched:${a.answer.matched}`)))}; ` +
        `${atTheWrite} refused in the transaction that would have written their alert`,
    );
    expect(answers.filter((a) => 'error' in a.answer && !['deployment_not_live', 'verification_busy', 'analysis_busy'].includes(a.answer.error))).toEqual([]);
    expect(answers.filter((a) => a.sentAt > endReturnedAt && 'matched' in a.answer)).toEqual([]);

    // In the audit chain, no alert of this deployment was raised after it ended.
    const events = await rawQuery<{ seq: number | string; action: string; subjectId: string | null; details: string }>(
      server.databaseUrl,
      `SELECT seq, action, "subjectId", details FROM "AuditEvent" WHERE action IN ('alert.raised', 'deployment.ended') ORDER BY seq`,
    );
    const endedSeq = Number(events.find((e) => e.action === 'deployment.ended' && e.subjectId === id)!.seq);
    const raisedAfter = events.filter(
      (e) => e.action === 'alert.raised' && (JSON.parse(e.details) as { deploymentId: string }).deploymentId === id && Number(e.seq) > endedSeq,
    );
    expect(raisedAfter).toEqual([]);

    // Deterministically, what a probe that passed every check before the end meets at the write:
    // the alert writer itself, called in this process against the server's database, for an open
    // alert (an update) and for a camera with none (a new alert). Both are refused; nothing lands.
    process.env.DATABASE_URL = server.databaseUrl;
    const { raiseOrUpdateAlert } = await import('@/lib/alerts/mutations');
    const [open] = await rawQuery<{
      cameraId: string;
      entryId: string;
      referenceImageId: string;
      watchlistId: string;
      reference: string;
      name: string;
      category: string;
    }>(
      server.databaseUrl,
      'SELECT "cameraId", "entryId", "referenceImageId", "watchlistId", reference, name, category FROM "Alert" WHERE "deploymentId" = $1 ORDER BY "lastSeenAt" DESC',
      [id],
    );
    const face = {
      ...open!,
      deploymentId: id,
      distance: 0.3,
      candidateThreshold: 0.5,
      verification: { engineId: 'faceapi-128', engineVersion: '1', metric: 'euclidean' as const, score: 0.3, threshold: 0.45 },
      crop: Buffer.from(probes.match.crop!, 'base64'),
      submittedBy: (
        await rawQuery<{ id: string; email: string }>(server.databaseUrl, 'SELECT id, email FROM "User" WHERE email = $1', ['operator@sightline.test'])
      )[0]!,
    };
    // The open alert is still within the coalescing window: this sighting would update it.
    await expect(raiseOrUpdateAlert({ ...face, seenAt: new Date() })).rejects.toMatchObject({ status: 409, code: 'deployment_not_live' });
    await expect(raiseOrUpdateAlert({ ...face, entryId: 'another-entry', seenAt: new Date() })).rejects.toMatchObject({
      status: 409,
      code: 'deployment_not_live',
    });
    expect(await alertsAt()).toEqual(atEnd);
  });
});
