import { describe, expect, it } from 'vitest';
import { formatTime, formatWaited } from '@/components/alerts/alert-format';
import { buildQueue, escalationOf, escalationQueue, indexQueue, newlyOverdue, type QueueItem } from '@/components/alerts/alert-queue-items';
import { NO_FILTER } from '@/components/alerts/alert-store';
import type { AlertView } from '@/lib/alerts/data';
import { MAX_GROUP_ALERTS } from '@/lib/alerts/schema';

/** Alerts as the store holds them; `at` is seconds after 12:00:00 UTC. */
let seq = 0;
function alert(at: number, overrides: Partial<AlertView> = {}): AlertView {
  seq += 1;
  const iso = new Date(Date.UTC(2026, 11, 5, 12, 0, at)).toISOString();
  return {
    id: `a${String(seq).padStart(4, '0')}`,
    deploymentId: 'd1',
    deploymentName: 'Oxford Circus',
    camera: { id: `c${seq}`, name: `Camera ${seq}`, lat: 51.5, lng: -0.14 },
    entryId: `e${seq}`,
    referenceImageId: 'r1',
    reference: 'WR-1',
    name: 'Demo subject',
    category: 'wanted_by_court',
    distance: 0.4,
    candidateThreshold: 0.5,
    verification: null,
    firstSeenAt: iso,
    lastSeenAt: iso,
    sightings: 1,
    cropUrl: null,
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
    createdAt: iso,
    updatedAt: iso,
    ...overrides,
  };
}

/** The store's order: newest first. */
const newestFirst = (alerts: AlertView[]) => [...alerts].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
const leads = (queue: QueueItem[]) => queue.map((item) => item.lead.id);
const NOON = Date.UTC(2026, 11, 5, 12, 0, 0);

describe('the queue order', () => {
  it('puts awaiting alerts first, the one waiting longest at the top, then engagements; decided ones only under their filter', () => {
    const closed = alert(1, { status: 'closed', outcome: 'arrest' });
    const oldest = alert(2);
    const engagedOld = alert(3, { status: 'engaged' });
    const falseAlert = alert(4, { status: 'false_alert' });
    const middle = alert(5);
    const engagedNew = alert(6, { status: 'engaged' });
    const newest = alert(7);
    const items = newestFirst([closed, oldest, engagedOld, falseAlert, middle, engagedNew, newest]);

    expect(leads(buildQueue(items, NO_FILTER))).toEqual([oldest.id, middle.id, newest.id, engagedOld.id, engagedNew.id]);
    // Decided alerts: their own filter, newest first.
    expect(leads(buildQueue(items, { ...NO_FILTER, state: 'decided' }))).toEqual([falseAlert.id, closed.id]);
    // Everything: open ones as above, decided ones after them.
    expect(leads(buildQueue(items, { ...NO_FILTER, state: 'all' }))).toEqual([
      oldest.id,
      middle.id,
      newest.id,
      engagedOld.id,
      engagedNew.id,
      falseAlert.id,
      closed.id,
    ]);
  });

  it('keeps the alert in the comparison in view once it is decided (pinned), on its own', () => {
    const decided = alert(1, { status: 'false_alert', entryId: 'same' });
    const waiting = alert(2, { entryId: 'same' });
    const items = newestFirst([decided, waiting]);
    expect(leads(buildQueue(items, NO_FILTER))).toEqual([waiting.id]);
    const pinned = buildQueue(items, NO_FILTER, decided.id);
    expect(leads(pinned)).toEqual([waiting.id, decided.id]);
    expect(pinned.map((i) => i.alerts.length)).toEqual([1, 1]);
  });
});

describe('grouping repeated sightings', () => {
  it('groups open alerts of one watchlist entry in one deployment, in the same state and hands, oldest first with every camera', () => {
    const a = alert(10, { entryId: 'franck' });
    const b = alert(20, { entryId: 'franck' });
    const other = alert(15, { entryId: 'someone else' });
    const c = alert(30, { entryId: 'franck' });
    const elsewhere = alert(5, { entryId: 'franck', deploymentId: 'd2' });
    const queue = buildQueue(newestFirst([a, b, other, c, elsewhere]), NO_FILTER);
    expect(queue.map((i) => i.alerts.map((x) => x.id))).toEqual([[elsewhere.id], [a.id, b.id, c.id], [other.id]]);
    const group = queue[1]!;
    expect(group.lead).toBe(a);
    expect(group.alerts.map((x) => x.camera.name)).toEqual([a.camera.name, b.camera.name, c.camera.name]);
    // Every alert of the group finds the group's item (the selection follows any of them).
    const at = indexQueue(queue);
    expect([a, b, c].map((x) => at.get(x.id))).toEqual([1, 1, 1]);
  });

  it('keeps apart alerts in another state, held by someone else, or decided', () => {
    const olivia = { id: 'u1', name: 'Olivia Operator' };
    const omar = { id: 'u2', name: 'Omar Operator' };
    const free = alert(1, { entryId: 'x' });
    const mine = alert(2, { entryId: 'x', claimedBy: olivia });
    const mineToo = alert(3, { entryId: 'x', claimedBy: olivia });
    const his = alert(4, { entryId: 'x', claimedBy: omar });
    const engaged = alert(5, { entryId: 'x', status: 'engaged', claimedBy: olivia });
    const decided = alert(6, { entryId: 'x', status: 'false_alert' });
    const queue = buildQueue(newestFirst([free, mine, mineToo, his, engaged, decided]), { ...NO_FILTER, state: 'all' });
    expect(queue.map((i) => i.alerts.map((x) => x.id))).toEqual([[free.id], [mine.id, mineToo.id], [his.id], [engaged.id], [decided.id]]);
  });

  it('splits a run longer than the server decides at once into items of at most MAX_GROUP_ALERTS, oldest first', () => {
    const run = Array.from({ length: MAX_GROUP_ALERTS * 2 + 7 }, (_, i) => alert(i, { entryId: 'long' }));
    const queue = buildQueue(newestFirst(run), NO_FILTER);
    expect(queue.map((i) => i.alerts.length)).toEqual([MAX_GROUP_ALERTS, MAX_GROUP_ALERTS, 7]);
    expect(queue.flatMap((i) => i.alerts.map((x) => x.id))).toEqual(run.map((x) => x.id));
  });
});

describe('escalation', () => {
  const limits = { colourAfterSeconds: 60, soundAfterSeconds: 180 };
  const item = (a: AlertView): QueueItem => ({ lead: a, alerts: [a] });

  it('colours past the first limit and goes overdue past the second, by the time the oldest sighting has waited', () => {
    const waiting = item(alert(0));
    expect(escalationOf(waiting, NOON + 59_999, limits)).toBe('none');
    expect(escalationOf(waiting, NOON + 60_000, limits)).toBe('late');
    expect(escalationOf(waiting, NOON + 179_999, limits)).toBe('late');
    expect(escalationOf(waiting, NOON + 180_000, limits)).toBe('overdue');
    // Only alerts awaiting a decision escalate.
    expect(escalationOf(item(alert(0, { status: 'engaged' })), NOON + 600_000, limits)).toBe('none');
    // The limits are the setting's, not fixed.
    expect(escalationOf(waiting, NOON + 30_000, { colourAfterSeconds: 20, soundAfterSeconds: 25 })).toBe('overdue');
  });

  it('sounds once for each item that goes overdue, however long it keeps waiting', () => {
    const first = alert(0);
    const second = alert(100);
    const queue = buildQueue(newestFirst([first, second]), NO_FILTER);
    const sounded = new Set<string>();
    expect(newlyOverdue(queue, NOON + 179_000, limits, sounded)).toEqual([]);
    expect(newlyOverdue(queue, NOON + 180_000, limits, sounded).map((i) => i.lead.id)).toEqual([first.id]);
    expect(newlyOverdue(queue, NOON + 181_000, limits, sounded)).toEqual([]);
    expect(newlyOverdue(queue, NOON + 280_000, limits, sounded).map((i) => i.lead.id)).toEqual([second.id]);
  });

  it('sounds for an overdue alert whatever the list is filtered to (decided, one camera)', () => {
    const overdue = alert(0, { entryId: 'late one' });
    const mineToo = alert(50, { entryId: 'late one' });
    const decided = alert(10, { status: 'false_alert' });
    const items = newestFirst([overdue, mineToo, decided]);
    // What the operator looks at: decided alerts only, or another camera — the overdue alert is not in it …
    expect(leads(buildQueue(items, { ...NO_FILTER, state: 'decided' }))).toEqual([decided.id]);
    expect(leads(buildQueue(items, { ...NO_FILTER, cameraId: decided.camera.id }))).toEqual([]);
    // … but the sound follows every awaiting alert, grouped as the queue groups them (the same lead, so it sounds once).
    const watched = escalationQueue(items);
    expect(watched.map((i) => i.alerts.map((a) => a.id))).toEqual([[overdue.id, mineToo.id]]);
    const sounded = new Set<string>();
    expect(newlyOverdue(watched, NOON + 180_000, limits, sounded).map((i) => i.lead.id)).toEqual([overdue.id]);
    expect(newlyOverdue(watched, NOON + 200_000, limits, sounded)).toEqual([]);
  });

  it('shows the wait ticking by the second', () => {
    const from = new Date(NOON).toISOString();
    expect(formatWaited(from, NOON + 8_400)).toBe('8 s');
    expect(formatWaited(from, NOON + 245_000)).toBe('4 min 05 s');
    expect(formatWaited(from, NOON + 2 * 3_600_000 + 13 * 60_000)).toBe('2 h 13 min');
  });
});

describe('times in the queue', () => {
  it('are London times with the clock named: GMT in winter, BST in summer, the day in front when older than 20 hours', () => {
    expect(formatTime('2026-12-05T21:14:05Z', Date.parse('2026-12-05T21:20:00Z'))).toBe('21:14:05 GMT');
    expect(formatTime('2026-07-01T11:00:00Z', Date.parse('2026-07-01T11:30:00Z'))).toBe('12:00:00 BST');
    expect(formatTime('2026-12-03T09:00:00Z', Date.parse('2026-12-05T21:20:00Z'))).toBe('3 Dec, 09:00:00 GMT');
  });
});
