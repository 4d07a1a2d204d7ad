import { describe, expect, it } from 'vitest';
import { closenessOf, cropDeletedText, formatAge, similarityBand, similarityFill, stateOf } from '@/components/alerts/alert-format';
import { cameraOptions, EMPTY_ALERT_LIST, filterAlerts, indexOfAlert, laterOf, mergeAlerts, NO_FILTER, resyncSince } from '@/components/alerts/alert-store';
import type { AlertView } from '@/lib/alerts/data';

let seq = 0;
function alert(overrides: Partial<AlertView> = {}): AlertView {
  seq += 1;
  const at = new Date(Date.UTC(2026, 10, 26, 12, 0, seq)).toISOString();
  return {
    id: `a${String(seq).padStart(5, '0')}`,
    deploymentId: 'd1',
    deploymentName: 'Oxford Circus',
    camera: { id: 'c1', name: 'Regent St north', lat: 51.5152, lng: -0.1415 },
    entryId: 'e1',
    referenceImageId: 'r1',
    reference: 'WR-1',
    name: 'Demo subject A',
    category: 'wanted_by_court',
    distance: 0.4,
    candidateThreshold: 0.5,
    verification: null,
    firstSeenAt: at,
    lastSeenAt: at,
    sightings: 1,
    cropUrl: '/api/alerts/x/crop?v=1',
    cropDeletedAt: null,
    status: 'new',
    claimedBy: null,
    claimedAt: null,
    claimExpiresAt: null,
    claimCorrection: null,
    decision: null,
    outcome: null,
    retained: false,
    retainReason: null,
    history: [],
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

const ids = (items: readonly AlertView[]) => items.map((a) => a.id);

describe('mergeAlerts', () => {
  it('keeps alerts newest first whatever order they arrive in, and reports the new ids', () => {
    const [a, b, c] = [alert(), alert(), alert()];
    const { list, added } = mergeAlerts(EMPTY_ALERT_LIST, [b!, a!]);
    expect(ids(list.items)).toEqual([b!.id, a!.id]);
    expect(ids(added).sort()).toEqual([a!.id, b!.id].sort());
    const next = mergeAlerts(list, [c!]);
    expect(ids(next.list.items)).toEqual([c!.id, b!.id, a!.id]);
    expect(ids(next.added)).toEqual([c!.id]);
    expect(indexOfAlert(next.list.items, b!)).toBe(1);
    expect(indexOfAlert(next.list.items, alert())).toBe(-1);
  });

  it('takes a higher version and ignores an older or equal one (a late page cannot undo a claim)', () => {
    const a = alert();
    const claimed = { ...a, version: 2, claimedBy: { id: 'u1', name: 'Olivia Operator' } };
    let { list } = mergeAlerts(EMPTY_ALERT_LIST, [a]);
    list = mergeAlerts(list, [claimed]).list;
    const stale = mergeAlerts(list, [a]);
    expect(stale.list).toBe(list);
    expect(stale.added).toEqual([]);
    expect(list.items[0]?.claimedBy?.name).toBe('Olivia Operator');
    expect(list.items).toHaveLength(1);
    expect(list.unhandled).toBe(1);
    const decided = mergeAlerts(list, [{ ...claimed, version: 3, status: 'false_alert' }]).list;
    expect(decided.unhandled).toBe(0);
  });

  for (const size of [20, 200]) {
    it(`merges a resync of ${size} overlapping what the socket delivered, without duplicates or losses`, () => {
      const many = Array.from({ length: size }, () => alert());
      const socket = many.slice(size - 10).map((a) => ({ ...a, version: 3, status: 'false_alert' as const }));
      const page = many; // the resync returns everything, older copies of the socket's too
      let { list } = mergeAlerts(EMPTY_ALERT_LIST, socket);
      list = mergeAlerts(list, page).list;
      expect(list.items).toHaveLength(size);
      expect(new Set(ids(list.items)).size).toBe(size);
      expect(list.items[0]?.version).toBe(3);
      expect(ids(list.items)).toEqual(ids([...many].reverse()));
      expect(list.unhandled).toBe(size - 10);
    });
  }
});

describe('filters and counts', () => {
  const { list } = mergeAlerts(EMPTY_ALERT_LIST, [
    alert({ status: 'new' }),
    alert({ status: 'new', claimedBy: { id: 'u1', name: 'Olivia' } }),
    alert({ status: 'false_alert' }),
    alert({ status: 'engaged', camera: { id: 'c2', name: 'Oxford St east', lat: 0, lng: 0 } }),
    alert({ status: 'new', deploymentId: 'd2', camera: { id: 'c9', name: 'Station exit', lat: 0, lng: 0 } }),
  ]);
  const items = list.items;

  it('counts unhandled alerts and lists the cameras', () => {
    expect(list.unhandled).toBe(3);
    expect(cameraOptions(list.cameras, null).map((c) => c.name)).toEqual(['Oxford St east', 'Regent St north', 'Station exit']);
    expect(cameraOptions(list.cameras, 'd2').map((c) => c.name)).toEqual(['Station exit']);
  });

  it('filters by state, deployment and camera', () => {
    expect(filterAlerts(items, { ...NO_FILTER, state: 'all' })).toBe(items);
    expect(filterAlerts(items, { ...NO_FILTER, state: 'unhandled' })).toHaveLength(3);
    expect(filterAlerts(items, { ...NO_FILTER, state: 'claimed' })).toHaveLength(1);
    expect(filterAlerts(items, { ...NO_FILTER, state: 'false_alert' })).toHaveLength(1);
    expect(filterAlerts(items, { ...NO_FILTER, state: 'all', deploymentId: 'd2' })).toHaveLength(1);
    expect(filterAlerts(items, { ...NO_FILTER, state: 'all', cameraId: 'c2' }).map((a) => a.status)).toEqual(['engaged']);
  });
});

describe('resync cursor', () => {
  it('starts before the later of the last fetch and the last event, by a margin', () => {
    expect(resyncSince(null)).toBeNull();
    expect(laterOf('2026-11-26T12:00:00.000Z', '2026-11-26T12:00:05.000Z')).toBe('2026-11-26T12:00:05.000Z');
    expect(laterOf(null, '2026-11-26T12:00:05.000Z')).toBe('2026-11-26T12:00:05.000Z');
    expect(resyncSince('2026-11-26T12:00:10.000Z', 10_000)).toBe('2026-11-26T12:00:00.000Z');
  });
});

describe('words for the operator', () => {
  const distance = (score: number, threshold: number | null) => ({ engineId: 'faceapi-128', metric: 'euclidean' as const, score, threshold });
  const similarity = (score: number, threshold: number) => ({ engineId: 'onnx-x', metric: 'cosine' as const, score, threshold });

  it('bands a distance relative to the threshold, and never draws an empty bar', () => {
    expect(similarityBand(distance(0.3, 0.6))).toBe('very_close');
    expect(similarityBand(distance(0.5, 0.6))).toBe('close');
    expect(similarityBand(distance(0.58, 0.6))).toBe('near_threshold');
    expect(similarityBand(distance(0.5, 0.55))).toBe('near_threshold');
    expect(similarityFill(distance(0.6, 0.6))).toBeGreaterThan(0);
    expect(similarityFill(distance(0.1, 0.6))).toBe(1);
  });

  it('bands a similarity the other way round: higher is closer', () => {
    expect(similarityBand(similarity(0.7, 0.4))).toBe('very_close');
    expect(similarityBand(similarity(0.5, 0.4))).toBe('close');
    expect(similarityBand(similarity(0.42, 0.4))).toBe('near_threshold');
    expect(similarityFill(similarity(0.9, 0.4))).toBe(1);
  });

  it("judges an alert by its verifier's score, and an old alert by its face-api distance", () => {
    const verified = alert({
      distance: 0.55,
      candidateThreshold: 0.6,
      verification: { engineId: 'onnx-x', engineVersion: '1', metric: 'cosine', score: 0.71, threshold: 0.4 },
    });
    expect(closenessOf(verified)).toEqual({ engineId: 'onnx-x', metric: 'cosine', score: 0.71, threshold: 0.4 });
    expect(similarityBand(closenessOf(verified))).toBe('very_close');
    const old = alert({ distance: 0.5, candidateThreshold: null, verification: null });
    expect(closenessOf(old, 0.6)).toEqual(distance(0.5, 0.6));
    expect(similarityBand(closenessOf(old))).toBe('near_threshold');
  });

  it('says how old an alert is', () => {
    const t = Date.parse('2026-11-26T12:00:00.000Z');
    expect(formatAge('2026-11-26T12:00:00.000Z', t + 1000)).toBe('just now');
    expect(formatAge('2026-11-26T12:00:00.000Z', t + 12_000)).toBe('12 s ago');
    expect(formatAge('2026-11-26T12:00:00.000Z', t + 4 * 60_000)).toBe('4 min ago');
    expect(formatAge('2026-11-26T12:00:00.000Z', t + 125 * 60_000)).toBe('2 h ago');
    expect(formatAge('2026-11-26T12:00:00.000Z', t + 50 * 3_600_000)).toBe('2 d ago');
    expect(formatAge('2026-11-26T12:00:00.000Z', t - 5000)).toBe('just now');
  });

  it('names the state, a claim and an outcome', () => {
    expect(stateOf({ status: 'new', claimedBy: null, outcome: null }).label).toBe('Awaiting decision');
    expect(stateOf({ status: 'new', claimedBy: { id: 'u', name: 'O' }, outcome: null }).tone).toBe('claimed');
    expect(stateOf({ status: 'closed', claimedBy: null, outcome: 'arrest' }).label).toBe('Confirmed — arrest');
  });

  it('says how long a deleted crop was kept', () => {
    expect(cropDeletedText({ createdAt: '2026-10-01T10:00:00.000Z', cropDeletedAt: '2026-11-01T10:05:00.000Z' })).toBe('Image deleted after 31 days');
  });
});
