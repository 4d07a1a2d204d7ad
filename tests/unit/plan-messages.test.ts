import { describe, expect, it } from 'vitest';
import type { DeploymentView } from '@/lib/deployments/data';
import { goLiveBlocked } from '@/components/deployments/lifecycle-actions';
import {
  dedupeSummary,
  draftFromView,
  inlineSentence,
  inputErrors,
  listInWords,
  planChanges,
  validChanges,
  type CameraDraft,
} from '@/components/deployments/plan-draft';
import { formatLondon, formatWindow, londonInputToIso, londonMoment } from '@/lib/time/london';

/** A saved plan as the API shows it: only the fields the editor reads. */
function view(over: Partial<DeploymentView> = {}): DeploymentView {
  return {
    name: 'Soho',
    zone: null,
    startsAt: null,
    endsAt: null,
    locationRationale: '',
    intelligenceCase: '',
    necessityProportionality: '',
    watchlistIds: [],
    categories: [],
    threshold: null,
    verifyThreshold: null,
    signageConfirmed: false,
    cameras: [],
    accuracy: { verifierUnavailable: null },
    ...over,
  } as unknown as DeploymentView;
}

describe('the submit summary', () => {
  it('lists a problem once when the check as typed and the submission rules say it in different words', () => {
    const items = dedupeSummary([
      { href: '#plan-endsAt', text: 'Window end: the window must end after it starts.' },
      { href: '#plan-zone', text: 'Zone: draw the area of the deployment on the map.' },
      { href: '#plan-endsAt', text: 'Window end: The window must end after it starts.' },
      { href: '#plan-endsAt', text: 'The window must end after it starts' },
    ]);
    expect(items.map((i) => i.text)).toEqual(['Window end: the window must end after it starts.', 'Zone: draw the area of the deployment on the map.']);
  });

  it('keeps the same words for different fields apart', () => {
    const items = dedupeSummary([
      { href: '#camera-a-name', text: 'Camera 1: Give the camera a name.' },
      { href: '#camera-b-name', text: 'Camera 2: Give the camera a name.' },
    ]);
    expect(items).toHaveLength(2);
  });

  it('drops the field name beside the field itself, where the label says it', () => {
    expect(inlineSentence({ field: 'startsAt', message: 'Window start: enter a start time.' })).toBe('Enter a start time.');
    expect(inlineSentence({ field: 'intelligenceCase', message: 'Intelligence case is too short: give more, in at least 20 characters.' })).toBe(
      'Intelligence case is too short: give more, in at least 20 characters.',
    );
  });
});

describe('saving what is valid', () => {
  it('holds back only the wrong field (and both ends of a wrong window), and names it', () => {
    const saved = view();
    const draft = {
      ...draftFromView(saved),
      locationRationale: 'People wanted on warrant gather at the station exits.',
      threshold: '2',
      startsLocal: '2027-07-15 13:00',
      endsLocal: '2027-07-15 09:00',
    };
    const errors = inputErrors(draft, []);
    expect(Object.keys(errors).sort()).toEqual(['endsAt', 'threshold']);
    const changes = validChanges(draft, [], saved, errors);
    expect(changes.plan).toEqual({ locationRationale: draft.locationRationale });
    expect(changes.held).toEqual(['Window end', 'Candidate distance']);
    expect([...changes.heldDraftKeys].sort()).toEqual(['endsLocal', 'startsLocal', 'threshold']);
  });

  it('holds back a camera with a wrong field and sends the others', () => {
    const camera = (key: string, sourceUrl: string): CameraDraft => ({
      key,
      id: null,
      name: key,
      lat: 51.5,
      lng: -0.1,
      heading: 0,
      fov: 60,
      rangeM: 25,
      sourceKind: 'device',
      sourceUrl,
    });
    const cameras = [camera('good', 'Integrated Camera'), camera('bad', '')];
    const saved = view();
    const draft = draftFromView(saved);
    const changes = validChanges(draft, cameras, saved, inputErrors(draft, cameras));
    expect(changes.added.map((c) => c.key)).toEqual(['good']);
    expect(changes.held).toContain('bad');
  });

  it('lists names in words', () => {
    expect(listInWords(['A'])).toBe('A');
    expect(listInWords(['A', 'B', 'C'])).toBe('A, B and C');
  });
});

describe('times in the plan editor and on the deployment pages', () => {
  it('are typed year first (no browser turns them into mm/dd/yyyy) and read with a space or a T', () => {
    const saved = view({ startsAt: '2026-12-01T09:00:00.000Z' });
    const draft = draftFromView(saved);
    expect(draft.startsLocal).toBe('2026-12-01 09:00');
    expect(planChanges(draft, saved)).toEqual({});
    expect(planChanges({ ...draft, startsLocal: '2026-12-01T09:00' }, saved)).toEqual({});
    expect(londonInputToIso('2027-07-15 09:00')).toBe('2027-07-15T08:00:00.000Z');
    // A mistyped date is refused, not rolled over into another month.
    expect(londonInputToIso('2026-13-01 09:00')).toBeNull();
    expect(londonInputToIso('2026-06-31 09:00')).toBeNull();
    expect(inputErrors({ ...draft, startsLocal: '01/12/2026 09:00' }, []).startsAt).toMatch(/year-month-day/);
  });

  it('name the clock: GMT in winter, BST in summer', () => {
    expect(formatLondon('2026-12-01T09:00:00Z')).toBe('Tue 1 Dec 2026, 09:00 GMT');
    expect(formatLondon('2027-07-15T08:00:00Z')).toBe('Thu 15 Jul 2027, 09:00 BST');
    expect(formatWindow('2027-07-15T08:00:00Z', '2027-07-15T12:00:00Z')).toBe('Thu 15 Jul 2027, 09:00–13:00 BST');
    expect(londonMoment('2026-12-05T14:00:00Z', new Date('2026-12-05T10:00:00Z'))).toBe('14:00 London time (GMT)');
    expect(londonMoment('2027-07-15T08:00:00Z', new Date('2026-12-05T10:00:00Z'))).toBe('09:00 London time (BST) on Thu 15 Jul 2027');
  });
});

describe('"Go live"', () => {
  const window = { startsAt: '2026-12-05T14:00:00.000Z', endsAt: '2026-12-05T18:00:00.000Z' };
  it('is refused before the window opens, with the opening time in London time', () => {
    expect(goLiveBlocked(window, new Date('2026-12-05T13:00:00Z'))).toBe('Opens at 14:00 London time (GMT).');
  });
  it('may be pressed inside the window, and not after it', () => {
    expect(goLiveBlocked(window, new Date('2026-12-05T14:00:00Z'))).toBeNull();
    expect(goLiveBlocked(window, new Date('2026-12-05T18:00:00Z'))).toBe('The window closed at 18:00 London time (GMT).');
  });
});
