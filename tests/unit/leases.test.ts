import { beforeEach, describe, expect, it } from 'vitest';
import {
  CONNECT_TIMEOUT_MS,
  LEASE_TTL_MS,
  LeaseTable,
  NO_ANALYSER_WARN_MS,
  SLOW_GRACE_MS,
  SOURCE_DOWN_MEMORY_MS,
  type Analyser,
  type CameraReport,
  type RemoteHolder,
} from '@/lib/live/leases';

const wall1: Analyser = { analyserId: 'sock-1', kind: 'browser', name: 'Ada Operator', userId: 'u1' };
const wall2: Analyser = { analyserId: 'sock-2', kind: 'browser', name: 'Ben Operator', userId: 'u2' };
const agent: Analyser = { analyserId: 'sock-agent', kind: 'agent', name: 'Roof agent', userId: 'svc' };
const http: Analyser = { analyserId: 'http:abc', kind: 'http', name: 'Integration', userId: 'u3' };

const D = 'dep-1';
const CAMERAS = ['cam-a', 'cam-b'];

let clock: number;
let table: LeaseTable;
let changes: string[];

const holderOf = (cameraId: string) => table.holderOf(D, cameraId)?.analyserId ?? null;
const tick = (ms: number) => {
  clock += ms;
};
const analysing = (cameraId: string, detectionsPerSecond = 5): CameraReport => ({ cameraId, state: 'analysing', detectionsPerSecond });

beforeEach(() => {
  clock = 1_000_000;
  table = new LeaseTable(() => clock, 0);
  changes = [];
  table.onChange((id) => changes.push(id));
  table.track(D, CAMERAS, new Date(clock));
});

describe('LeaseTable', () => {
  it('gives every free camera to the first analyser that offers it, and keeps it there when a second offers', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, CAMERAS);
    expect(CAMERAS.map(holderOf)).toEqual(['sock-1', 'sock-1']);
    const view = table.view(D);
    expect(view.map((lease) => lease.holder)).toEqual([
      { kind: 'browser', analyserId: 'sock-1', name: 'Ada Operator' },
      { kind: 'browser', analyserId: 'sock-1', name: 'Ada Operator' },
    ]);
    expect(view[0]).toMatchObject({ state: 'connecting', reason: null, detectionsPerSecond: 0, warnings: [] });
    expect(changes).toContain(D);
  });

  it('offers only what is listed: a camera left out of a new offer is given up', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, CAMERAS);
    table.offer(D, wall1, ['cam-a']);
    expect(CAMERAS.map(holderOf)).toEqual(['sock-1', 'sock-2']);
    table.offer(D, wall1, []);
    expect(CAMERAS.map(holderOf)).toEqual(['sock-2', 'sock-2']);
  });

  it('prefers an agent: it takes cameras from a browser, and a browser never takes them back while it lives', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, agent, ['cam-b']);
    expect(CAMERAS.map(holderOf)).toEqual(['sock-1', 'sock-agent']);
    table.release('sock-agent');
    expect(holderOf('cam-b')).toBe('sock-1');
    // With both free and both offering, the agent wins over the earlier browser.
    table.release('sock-1');
    table.offer(D, wall1, CAMERAS);
    table.offer(D, agent, CAMERAS);
    table.offer(D, wall2, CAMERAS);
    expect(CAMERAS.map(holderOf)).toEqual(['sock-agent', 'sock-agent']);
  });

  it('moves the leases of a disconnected holder at once, and frees them when nobody else offered', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, ['cam-a']);
    table.release('sock-1');
    expect(CAMERAS.map(holderOf)).toEqual(['sock-2', null]);
    expect(table.view(D)[1]).toMatchObject({ holder: null, since: new Date(clock).toISOString() });
  });

  it('moves the leases of a frozen holder (no renewal for the TTL) to a candidate that renews, and not before', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, CAMERAS);
    for (let t = 0; t < LEASE_TTL_MS - 500; t += 500) {
      tick(500);
      table.renew(D, 'sock-2', []);
      table.sweep();
    }
    expect(CAMERAS.map(holderOf)).toEqual(['sock-1', 'sock-1']);
    tick(500);
    table.renew(D, 'sock-2', []);
    table.sweep();
    expect(CAMERAS.map(holderOf)).toEqual(['sock-2', 'sock-2']);
    // The frozen one is not given them back while it stays silent, and may take free ones again once it renews.
    table.release('sock-2');
    expect(CAMERAS.map(holderOf)).toEqual([null, null]);
    table.renew(D, 'sock-1', []);
    expect(CAMERAS.map(holderOf)).toEqual(['sock-1', 'sock-1']);
  });

  it('does not give a frozen holder its camera back because it still probes another one', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, CAMERAS);
    // wall1 stops renewing but its tile for cam-b still sends faces (which renew that lease alone).
    for (let t = 0; t < LEASE_TTL_MS; t += 500) {
      tick(500);
      expect(table.claimForProbe(D, 'cam-b', wall1)).toEqual({ ok: true });
      table.renew(D, 'sock-2', []);
      table.sweep();
    }
    expect(CAMERAS.map(holderOf)).toEqual(['sock-2', 'sock-1']);
    // Alone, a frozen holder loses the camera and gets it back only by renewing.
    table.release('sock-2');
    tick(LEASE_TTL_MS);
    table.sweep();
    expect(holderOf('cam-a')).toBeNull();
    table.renew(D, 'sock-1', []);
    expect(holderOf('cam-a')).toBe('sock-1');
  });

  it('keeps a holder that renews, whatever the time', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, CAMERAS);
    for (let i = 0; i < 20; i++) {
      tick(1000);
      table.renew(
        D,
        'sock-1',
        CAMERAS.map((c) => analysing(c)),
      );
      table.renew(D, 'sock-2', []);
      table.sweep();
    }
    expect(CAMERAS.map(holderOf)).toEqual(['sock-1', 'sock-1']);
    expect(table.view(D)[0]).toMatchObject({ state: 'analysing', detectionsPerSecond: 5, warnings: [] });
  });

  it('hands a camera whose source is down to a candidate that has not found it down, and back only once the memory fades', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, CAMERAS);
    table.renew(D, 'sock-1', [{ cameraId: 'cam-a', state: 'source_down', reason: 'HTTP 404', detectionsPerSecond: 0 }, analysing('cam-b')]);
    expect(CAMERAS.map(holderOf)).toEqual(['sock-2', 'sock-1']);
    // The new holder finds it down too: nobody else is fit, so it keeps it and says why.
    tick(1000);
    table.renew(D, 'sock-2', [{ cameraId: 'cam-a', state: 'source_down', reason: 'timed out', detectionsPerSecond: 0 }]);
    expect(holderOf('cam-a')).toBe('sock-2');
    expect(table.view(D)[0]).toMatchObject({ state: 'source_down', reason: 'timed out' });
    // Long after the first report, the first analyser is fit again.
    tick(SOURCE_DOWN_MEMORY_MS);
    table.renew(D, 'sock-1', [analysing('cam-b')]);
    table.renew(D, 'sock-2', [{ cameraId: 'cam-a', state: 'source_down', reason: 'timed out', detectionsPerSecond: 0 }]);
    expect(holderOf('cam-a')).toBe('sock-1');
  });

  it('lets the reporter keep a camera it finds down when it is the only analyser', () => {
    table.offer(D, wall1, CAMERAS);
    table.renew(D, 'sock-1', [{ cameraId: 'cam-a', state: 'source_down', detectionsPerSecond: 0 }]);
    expect(holderOf('cam-a')).toBe('sock-1');
    expect(table.view(D)[0]).toMatchObject({ state: 'source_down', reason: 'The source cannot be read.' });
  });

  it('lets a probe take a free camera, refuses another sender, and frees an HTTP sender that stopped sending', () => {
    expect(table.claimForProbe(D, 'cam-a', http)).toEqual({ ok: true });
    expect(table.claimForProbe(D, 'cam-a', wall1)).toEqual({ ok: false, refusal: 'held', holder: http });
    // Each probe renews the HTTP sender's lease.
    tick(LEASE_TTL_MS - 100);
    expect(table.claimForProbe(D, 'cam-a', http)).toEqual({ ok: true });
    tick(LEASE_TTL_MS - 100);
    table.sweep();
    expect(holderOf('cam-a')).toBe('http:abc');
    // A browser offering meanwhile waits; it gets the camera once the sender has been silent for the TTL.
    table.offer(D, wall1, ['cam-a']);
    expect(holderOf('cam-a')).toBe('http:abc');
    tick(200);
    table.renew(D, 'sock-1', []);
    table.sweep();
    expect(holderOf('cam-a')).toBe('sock-1');
    expect(table.claimForProbe(D, 'cam-a', http).ok).toBe(false);
  });

  it('warns of a camera without an analyser for a minute, counting from when the deployment went live', () => {
    tick(NO_ANALYSER_WARN_MS - 1000);
    table.sweep();
    expect(table.view(D).every((lease) => lease.warnings.length === 0)).toBe(true);
    changes = [];
    tick(1000);
    table.sweep();
    expect(table.view(D).map((lease) => lease.warnings)).toEqual([['no_analyser'], ['no_analyser']]);
    expect(changes).toEqual([D]); // the sweep told the viewers
    // A holder that is not yet analysing does not clear it; one analysing does.
    table.offer(D, wall1, ['cam-a']);
    expect(table.view(D).map((lease) => lease.warnings)).toEqual([['no_analyser'], ['no_analyser']]);
    table.renew(D, 'sock-1', [analysing('cam-a')]);
    expect(table.view(D).map((lease) => lease.warnings)).toEqual([[], ['no_analyser']]);
    // A holder that leaves restarts the minute.
    table.release('sock-1');
    expect(table.view(D)[0]!.warnings).toEqual([]);
    tick(NO_ANALYSER_WARN_MS);
    table.sweep();
    expect(table.view(D)[0]!.warnings).toEqual(['no_analyser']);
  });

  it('warns of a camera held for a minute by a holder that never analyses it (stuck connecting or down)', () => {
    table.offer(D, wall1, CAMERAS);
    for (let t = 0; t < NO_ANALYSER_WARN_MS; t += 1000) {
      tick(1000);
      table.renew(D, 'sock-1', [{ cameraId: 'cam-a', state: 'connecting', detectionsPerSecond: 0 }, analysing('cam-b')]);
      table.sweep();
    }
    expect(holderOf('cam-a')).toBe('sock-1');
    expect(table.view(D).map((lease) => lease.warnings)).toEqual([['no_analyser'], []]);
  });

  it('raises source_down while the holder reports it, with a sanitised reason', () => {
    table.offer(D, wall1, CAMERAS);
    table.renew(D, 'sock-1', [
      {
        cameraId: 'cam-a',
        state: 'source_down',
        reason: 'rtsp://admin:hunter2@10.0.0.5/live 401\u0007 password=hunter2 ' + 'x'.repeat(400),
        detectionsPerSecond: 0,
      },
    ]);
    const [a] = table.view(D);
    expect(a!.warnings).toEqual(['source_down']);
    expect(a!.reason).not.toMatch(/hunter2|rtsp:|10\.0\.0\.5/);
    expect(a!.reason).not.toContain('\u0007');
    expect(a!.reason!.startsWith('[address] 401 password=[hidden] xxx')).toBe(true);
    expect(a!.reason!.length).toBeLessThanOrEqual(200);
    table.renew(D, 'sock-1', [analysing('cam-a')]);
    expect(table.view(D)[0]).toMatchObject({ warnings: [], reason: null });
  });

  it('moves a camera whose holder is stuck connecting for 10 s to a fresh candidate, and leaves it when there is none', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, ['cam-a']);
    for (let t = 0; t < CONNECT_TIMEOUT_MS - 1000; t += 1000) {
      tick(1000);
      table.renew(D, 'sock-1', [{ cameraId: 'cam-a', state: 'connecting', detectionsPerSecond: 0 }, analysing('cam-b')]);
      table.renew(D, 'sock-2', []);
      table.sweep();
    }
    expect(holderOf('cam-a')).toBe('sock-1');
    tick(1000);
    table.renew(D, 'sock-1', [{ cameraId: 'cam-a', state: 'connecting', detectionsPerSecond: 0 }, analysing('cam-b')]);
    table.renew(D, 'sock-2', []);
    table.sweep();
    expect(CAMERAS.map(holderOf)).toEqual(['sock-2', 'sock-1']);
    // sock-2 is stuck too; sock-1 was stuck on it lately, so sock-2 keeps it.
    for (let t = 0; t < CONNECT_TIMEOUT_MS; t += 1000) {
      tick(1000);
      table.renew(D, 'sock-1', [analysing('cam-b')]);
      table.renew(D, 'sock-2', [{ cameraId: 'cam-a', state: 'connecting', detectionsPerSecond: 0 }]);
      table.sweep();
    }
    expect(holderOf('cam-a')).toBe('sock-2');
  });

  it('counts a holder that sends faces as analysing: an HTTP sender probing steadily keeps its camera past the connect timeout', () => {
    expect(table.claimForProbe(D, 'cam-a', http)).toEqual({ ok: true });
    table.offer(D, wall1, ['cam-a']);
    for (let t = 0; t < 2 * CONNECT_TIMEOUT_MS; t += 1000) {
      tick(1000);
      expect(table.claimForProbe(D, 'cam-a', http)).toEqual({ ok: true });
      table.renew(D, 'sock-1', []);
      table.sweep();
    }
    expect(holderOf('cam-a')).toBe('http:abc');
    expect(table.view(D)[0]!.warnings).toEqual([]);
  });

  it('lets only the cameras named in a renewal live on: a held camera the holder stops naming lapses after the TTL', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, CAMERAS);
    for (let t = 0; t < LEASE_TTL_MS; t += 500) {
      tick(500);
      table.renew(D, 'sock-1', [analysing('cam-a')]);
      table.renew(D, 'sock-2', []);
      table.sweep();
    }
    expect(CAMERAS.map(holderOf)).toEqual(['sock-1', 'sock-2']);
  });

  it('does not hand a lapsed camera straight back to the holder that stopped naming it', () => {
    table.offer(D, wall1, CAMERAS);
    for (let t = 0; t < LEASE_TTL_MS; t += 500) {
      tick(500);
      table.renew(D, 'sock-1', [analysing('cam-a')]);
      table.sweep();
    }
    expect(CAMERAS.map(holderOf)).toEqual(['sock-1', null]);
  });

  it('an agent does not take from a browser a camera it found down lately; a fresh agent candidate takes it at the sweep', () => {
    const takeovers: string[] = [];
    table.onTakeover((t) => takeovers.push(`${t.agent.analyserId}<${t.from.analyserId}:${t.cameraId}`));
    table.offer(D, wall1, ['cam-a']);
    table.offer(D, agent, ['cam-a']);
    expect(takeovers).toEqual(['sock-agent<sock-1:cam-a']);
    takeovers.length = 0;
    table.renew(D, 'sock-agent', [{ cameraId: 'cam-a', state: 'source_down', detectionsPerSecond: 0 }]);
    // The agent found it down: the browser is handed it, and the agent offering again does not take it back.
    expect(holderOf('cam-a')).toBe('sock-1');
    table.offer(D, agent, ['cam-a']);
    expect(holderOf('cam-a')).toBe('sock-1');
    for (let t = 0; t < SOURCE_DOWN_MEMORY_MS - 1000; t += 1000) {
      tick(1000);
      table.renew(D, 'sock-agent', []);
      table.renew(D, 'sock-1', [analysing('cam-a')]);
      table.sweep();
    }
    expect(holderOf('cam-a')).toBe('sock-1');
    expect(takeovers).toEqual([]);
    tick(1000);
    table.renew(D, 'sock-agent', []);
    table.renew(D, 'sock-1', [analysing('cam-a')]);
    table.sweep();
    expect(holderOf('cam-a')).toBe('sock-agent');
    expect(takeovers).toEqual(['sock-agent<sock-1:cam-a']);
  });

  it('does not let a silent agent candidate take a camera at the sweep', () => {
    table.offer(D, wall1, ['cam-a']);
    table.offer(D, agent, ['cam-a']);
    table.renew(D, 'sock-agent', [{ cameraId: 'cam-a', state: 'source_down', detectionsPerSecond: 0 }]);
    expect(holderOf('cam-a')).toBe('sock-1');
    // Its memory of the report fades, but the agent has stopped renewing: it is not fresh.
    for (let t = 0; t < SOURCE_DOWN_MEMORY_MS + 2000; t += 1000) {
      tick(1000);
      table.renew(D, 'sock-1', [analysing('cam-a')]);
      table.sweep();
    }
    expect(holderOf('cam-a')).toBe('sock-1');
    table.renew(D, 'sock-agent', []);
    expect(holderOf('cam-a')).toBe('sock-agent');
  });

  it('applies offers in the order they were sent', () => {
    expect(table.offer(D, wall1, CAMERAS, 2)).toBe(true);
    expect(table.offer(D, wall1, [], 1)).toBe(false);
    expect(CAMERAS.map(holderOf)).toEqual(['sock-1', 'sock-1']);
    expect(table.offer(D, wall1, ['cam-b'], 3)).toBe(true);
    expect(CAMERAS.map(holderOf)).toEqual([null, 'sock-1']);
  });

  it('refuses a probe from a socket whose offer leaves the camera out, or that is gone', () => {
    table.offer(D, wall1, ['cam-a']);
    expect(table.claimForProbe(D, 'cam-b', wall1, () => true)).toEqual({ ok: false, refusal: 'not_offered' });
    expect(table.claimForProbe(D, 'cam-b', wall2, () => false)).toEqual({ ok: false, refusal: 'gone' });
    expect(holderOf('cam-b')).toBeNull();
    expect(table.claimForProbe(D, 'cam-b', wall2, () => true)).toEqual({ ok: true });
    expect(table.holderOf(D, 'cam-b')).toEqual(wall2);
  });

  it('warns of slow analysis when a holder analysing reports under one detection a second, after a grace', () => {
    table.offer(D, wall1, CAMERAS);
    table.renew(D, 'sock-1', [analysing('cam-a', 0.5), { cameraId: 'cam-b', state: 'connecting', detectionsPerSecond: 0 }]);
    expect(table.view(D)[0]!.warnings).toEqual([]);
    tick(SLOW_GRACE_MS);
    table.renew(D, 'sock-1', [analysing('cam-a', 0.5), { cameraId: 'cam-b', state: 'connecting', detectionsPerSecond: 0 }]);
    expect(table.view(D).map((lease) => lease.warnings)).toEqual([['slow_analysis'], []]);
    table.renew(D, 'sock-1', [analysing('cam-a', 4), { cameraId: 'cam-b', state: 'connecting', detectionsPerSecond: 0 }]);
    expect(table.view(D)[0]!.warnings).toEqual([]);
  });

  it('does not track again a forgotten deployment from an older read, but does once it went live again', () => {
    const readAt = new Date(clock - 1);
    table.forget(D);
    expect(table.track(D, CAMERAS, readAt)).toBe(false);
    expect(table.knows(D)).toBe(false);
    expect(table.track(D, CAMERAS, null)).toBe(false);
    tick(1000);
    expect(table.track(D, CAMERAS, new Date(clock))).toBe(true);
    expect(table.knows(D)).toBe(true);
  });

  it('forgets a deployment that stopped being live, and tells its viewers', () => {
    table.offer(D, wall1, CAMERAS);
    changes = [];
    table.forget(D);
    expect(table.view(D)).toEqual([]);
    expect(table.knows(D)).toBe(false);
    expect(changes).toEqual([D]);
    expect(table.renew(D, 'sock-1', [])).toBe(false);
  });

  it('does not renew for an analyser unknown in the deployment, and reports no change when nothing moved', () => {
    expect(table.renew(D, 'sock-9', [analysing('cam-a')])).toBe(false);
    table.offer(D, wall1, CAMERAS);
    table.renew(
      D,
      'sock-1',
      CAMERAS.map((c) => analysing(c, 5)),
    );
    changes = [];
    table.renew(
      D,
      'sock-1',
      CAMERAS.map((c) => analysing(c, 5.2)),
    );
    table.sweep();
    expect(changes).toEqual([]);
  });
});

describe('LeaseTable with cameras held on another instance', () => {
  const remoteWall: RemoteHolder = { kind: 'browser', name: 'Cara Operator' };
  const remoteAgent: RemoteHolder = { kind: 'agent', name: 'Gate agent' };

  it('gives a camera held elsewhere to no local browser, and shows the remote holder without an id', () => {
    table.setHeldElsewhere(D, new Map([['cam-a', remoteWall]]));
    table.offer(D, wall1, CAMERAS);
    expect(CAMERAS.map(holderOf)).toEqual([null, 'sock-1']);
    expect(table.view(D)[0]).toMatchObject({ holder: { kind: 'browser', analyserId: '', name: 'Cara Operator' }, warnings: [] });
    expect(table.localHoldings()).toEqual([{ deploymentId: D, cameraId: 'cam-b', holder: wall1 }]);
    // An HTTP sender is refused it too, naming who analyses it.
    expect(table.claimForProbe(D, 'cam-a', http)).toMatchObject({ ok: false, refusal: 'held', holder: { kind: 'browser', name: 'Cara Operator' } });
    // Not "no analyser" here: another instance analyses it.
    tick(NO_ANALYSER_WARN_MS + 1000);
    table.renew(D, 'sock-1', [analysing('cam-b')]);
    table.sweep();
    expect(table.view(D)[0]?.warnings).toEqual([]);
  });

  it('lets an HTTP sender whose requests a balancer spreads over the instances hold its camera on each, and no other sender', () => {
    const sameSender: RemoteHolder = { kind: 'http', name: 'Integration', senderId: http.analyserId };
    table.setHeldElsewhere(D, new Map([['cam-a', sameSender]]));
    expect(table.claimForProbe(D, 'cam-a', http)).toEqual({ ok: true });
    expect(holderOf('cam-a')).toBe('http:abc');
    // The next step still sees the row on the other instance: the same sender keeps it here.
    table.setHeldElsewhere(D, new Map([['cam-a', sameSender]]));
    expect(holderOf('cam-a')).toBe('http:abc');
    // Another HTTP sender, and a browser, are refused it.
    const other: Analyser = { analyserId: 'http:def', kind: 'http', name: 'Other integration', userId: 'u4' };
    expect(table.claimForProbe(D, 'cam-a', other)).toMatchObject({ ok: false, refusal: 'held' });
    table.offer(D, wall1, ['cam-a']);
    expect(holderOf('cam-a')).toBe('http:abc');
  });

  it('takes a camera from its local holder when another instance holds it, and tells viewers', () => {
    table.offer(D, wall1, CAMERAS);
    table.offer(D, wall2, CAMERAS);
    changes = [];
    table.setHeldElsewhere(D, new Map([['cam-a', remoteWall]]));
    // Neither local screen analyses it: the other instance does.
    expect(CAMERAS.map(holderOf)).toEqual([null, 'sock-1']);
    expect(table.view(D)[0]?.holder).toEqual({ kind: 'browser', analyserId: '', name: 'Cara Operator' });
    expect(changes).toEqual([D]);
  });

  it('lets an agent take a camera a remote browser holds, but not one a remote agent holds', () => {
    table.setHeldElsewhere(
      D,
      new Map([
        ['cam-a', remoteWall],
        ['cam-b', remoteAgent],
      ]),
    );
    table.offer(D, agent, CAMERAS);
    expect(CAMERAS.map(holderOf)).toEqual(['sock-agent', null]);
    // The agent keeps it while the remote row still names the browser (this instance then takes the row).
    table.setHeldElsewhere(
      D,
      new Map([
        ['cam-a', remoteWall],
        ['cam-b', remoteAgent],
      ]),
    );
    expect(holderOf('cam-a')).toBe('sock-agent');
    // A remote agent holding the row wins over a local browser and a local agent alike.
    table.setHeldElsewhere(D, new Map([['cam-a', remoteAgent]]));
    expect(holderOf('cam-a')).toBeNull();
  });

  it('gives the camera out here once the remote hold ends', () => {
    table.setHeldElsewhere(D, new Map([['cam-a', remoteWall]]));
    table.offer(D, wall1, ['cam-a']);
    expect(holderOf('cam-a')).toBeNull();
    tick(500);
    table.setHeldElsewhere(D, new Map());
    expect(holderOf('cam-a')).toBe('sock-1');
    expect(table.view(D)[0]?.holder).toEqual({ kind: 'browser', analyserId: 'sock-1', name: 'Ada Operator' });
    // Unheld everywhere, "no analyser" counts from when the remote hold ended.
    table.offer(D, wall1, []);
    table.setHeldElsewhere(D, new Map([['cam-a', remoteWall]]));
    table.setHeldElsewhere(D, new Map());
    tick(NO_ANALYSER_WARN_MS - 1);
    table.sweep();
    expect(table.view(D)[0]?.warnings).toEqual([]);
    tick(1);
    table.sweep();
    expect(table.view(D)[0]?.warnings).toEqual(['no_analyser']);
  });
});
