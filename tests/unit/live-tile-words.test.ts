import { describe, expect, it } from 'vitest';
import { analyserNeedsAttention, analyserWords, healthWords, tileAnalysisOf } from '@/components/live/health-words';
import { OFFER_MISMATCH_MS, OFFER_RETRY_MAX_MS, OFFER_RETRY_MS, OFFER_STOPPED_MS, OfferState, isNotLiveRefusal } from '@/components/live/offer-state';
import type { CameraLeaseView } from '@/lib/realtime/events';

const lease = (over: Partial<CameraLeaseView> = {}): CameraLeaseView => ({
  cameraId: 'cam-a',
  holder: { kind: 'browser', analyserId: 'sock-other', name: 'Ben Operator' },
  since: new Date(0).toISOString(),
  state: 'analysing',
  reason: null,
  detectionsPerSecond: 4,
  warnings: [],
  ...over,
});

describe('healthWords', () => {
  it('words each warning for the live page, a watcher of the home page, and a reader who can do nothing about it', () => {
    const none = lease({ holder: null, warnings: ['no_analyser'] });
    expect(healthWords(none, 'watcher')).toBe('nobody has analysed it for over a minute: open its live page or start the camera agent');
    expect(healthWords(none, 'live-page')).toContain('start the camera agent');
    expect(healthWords(none, 'live-page')).not.toContain('open its live page');
    expect(healthWords(none, 'reader')).toBe('nobody has analysed it for over a minute');
    expect(healthWords(lease({ holder: { kind: 'agent', analyserId: 'a', name: 'Roof' }, warnings: ['source_down'] }), 'reader')).toBe(
      'the camera agent cannot read its picture',
    );
    expect(healthWords(lease({ warnings: ['source_down', 'slow_analysis'] }), 'watcher')).toBe(
      'the screen analysing it cannot read its picture; analysed under once a second, so faces may be missed',
    );
  });

  it('says the same while only the rate or the reason changes, so the live region is not re-announced', () => {
    const slow = healthWords(lease({ warnings: ['slow_analysis', 'source_down'], detectionsPerSecond: 0.4, reason: 'No new picture for 5 s' }), 'watcher');
    expect(healthWords(lease({ warnings: ['slow_analysis', 'source_down'], detectionsPerSecond: 0.7, reason: 'No new picture for 6 s' }), 'watcher')).toBe(
      slow,
    );
    expect(slow).not.toMatch(/\d/);
  });
});

describe('tileAnalysisOf and analyserWords', () => {
  it('says it is checking, neutrally, until the lease table arrives', () => {
    const analysis = tileAnalysisOf(undefined, 'unknown', 'sock-me', true);
    expect(analyserWords(analysis)).toBe('Checking who analyses this camera…');
    expect(analyserNeedsAttention(analysis)).toBe(false);
    expect(analysis.analyse).toBe(false);
  });

  it('never names this screen as "another screen" while disconnected, and does not analyse then', () => {
    const mine = lease({ holder: { kind: 'browser', analyserId: 'sock-me', name: 'Ada Operator' } });
    expect(analyserWords(tileAnalysisOf(mine, 'known', 'sock-me', true))).toBe('Analysed by this screen');
    const offline = tileAnalysisOf(mine, 'known', 'sock-me', false);
    expect(analyserWords(offline)).toBe('Not connected — who analyses this camera is unknown');
    expect(offline.analyse).toBe(false);
    expect(analyserNeedsAttention(offline)).toBe(true);
  });

  it('names a holder that cannot read the source, with its reason when it gave one', () => {
    const agentDown = lease({
      holder: { kind: 'agent', analyserId: 'a', name: 'Roof' },
      state: 'source_down',
      reason: 'Connection refused',
      warnings: ['source_down'],
    });
    expect(analyserWords(tileAnalysisOf(agentDown, 'known', 'sock-me', true))).toBe('The camera agent cannot read this camera: Connection refused');
    const screenDown = tileAnalysisOf(lease({ state: 'source_down', reason: null }), 'known', 'sock-me', true);
    expect(analyserWords(screenDown)).toBe('Another screen cannot read this camera');
    expect(analyserNeedsAttention(screenDown)).toBe(true);
    expect(analyserWords(tileAnalysisOf(lease(), 'known', 'sock-me', true))).toBe('Analysed by another screen (Ben Operator)');
    expect(analyserWords(tileAnalysisOf(lease({ holder: null }), 'known', 'sock-me', true))).toBe('Not analysed by anyone');
  });
});

describe('OfferState', () => {
  it('sends a refused offer again after a growing wait, capped', () => {
    const state = new OfferState();
    let now = 0;
    state.sending();
    state.refused(now, false);
    expect(state.waiting).toBe(true);
    expect(state.due(now + OFFER_RETRY_MS - 1, ['cam-a'], null, 'me')).toBe(false);
    expect(state.due(now + OFFER_RETRY_MS, ['cam-a'], null, 'me')).toBe(true);
    state.sending();
    state.refused((now += OFFER_RETRY_MS), false);
    expect(state.due(now + OFFER_RETRY_MS, ['cam-a'], null, 'me')).toBe(false);
    expect(state.due(now + 2 * OFFER_RETRY_MS, ['cam-a'], null, 'me')).toBe(true);
    for (let i = 0; i < 10; i++) {
      state.sending();
      state.refused(now, false);
    }
    expect(state.due(now + OFFER_RETRY_MAX_MS, ['cam-a'], null, 'me')).toBe(true);
    state.sending();
    state.accepted();
    expect(state.waiting).toBe(false);
    expect(state.due(now, ['cam-a'], null, 'me')).toBe(false);
  });

  it('asks a deployment that is not live rarely', () => {
    expect(isNotLiveRefusal({ error: 'This deployment is not live, so its cameras are not analysed.', code: 'deployment_not_live' })).toBe(true);
    expect(isNotLiveRefusal({ error: 'Too many lease requests from this connection: at most a few a second.' })).toBe(false);
    // The code decides, not the wording.
    expect(isNotLiveRefusal({ error: 'This deployment is not live.' })).toBe(false);
    const state = new OfferState();
    state.sending();
    state.refused(0, true);
    expect(state.due(OFFER_STOPPED_MS - 1, ['cam-a'], null, 'me')).toBe(false);
    expect(state.due(OFFER_STOPPED_MS, ['cam-a'], null, 'me')).toBe(true);
  });

  it('waits for an offer in flight, and offers again when the table shows this screen holding a camera it no longer offers', () => {
    const state = new OfferState();
    const held = [lease({ cameraId: 'cam-b', holder: { kind: 'browser', analyserId: 'me', name: 'Ada' } })];
    state.sending();
    expect(state.due(0, [], held, 'me')).toBe(false);
    state.accepted();
    expect(state.due(0, ['cam-b'], held, 'me')).toBe(false);
    expect(state.due(0, [], held, 'me')).toBe(true);
    // Not every second while the server keeps contradicting it.
    expect(state.due(OFFER_MISMATCH_MS - 1, [], held, 'me')).toBe(false);
    expect(state.due(OFFER_MISMATCH_MS, [], held, 'me')).toBe(true);
  });

  it('offers at the next tick when a renewal says the server does not know this screen', () => {
    const state = new OfferState();
    state.needed(100);
    expect(state.due(100, ['cam-a'], null, 'me')).toBe(true);
  });
});
