import { describe, expect, it } from 'vitest';
import {
  AuthoriseSchema,
  CameraSchema,
  CreateDeploymentSchema,
  problemsBeforeSubmission,
  ReasonSchema,
  StartSchema,
  SubmitSchema,
  UpdateCameraSchema,
  UpdateDeploymentSchema,
  windowProblem,
  ZoneSchema,
  type PlanForCheck,
} from '@/lib/deployments/schema';
import { CAMERA_INSIDE, CAMERA_OUTSIDE, OXFORD_CIRCUS_ZONE, validPlan } from '../support/deployment-fixtures';

const messages = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') ?? '';

describe('zone', () => {
  it('accepts a closed polygon in central London', () => {
    expect(ZoneSchema.parse(OXFORD_CIRCUS_ZONE)).toEqual(OXFORD_CIRCUS_ZONE);
  });

  it('refuses open outlines, too few corners, bow ties, out-of-range points and other types', () => {
    const ring = OXFORD_CIRCUS_ZONE.coordinates[0]!;
    const open = { type: 'Polygon', coordinates: [ring.slice(0, -1)] };
    expect(messages(ZoneSchema.safeParse(open))).toMatch(/closed/);
    const triangleMissing = { type: 'Polygon', coordinates: [[ring[0], ring[1], ring[0]]] };
    expect(messages(ZoneSchema.safeParse(triangleMissing))).toMatch(/at least three corners/);
    // Lopsided, so its lobes do not cancel out to zero area.
    const bowTie = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [6, 0],
          [0, 3],
          [2, 4],
          [0, 0],
        ],
      ],
    };
    expect(messages(ZoneSchema.safeParse(bowTie))).toMatch(/crosses itself/);
    const outOfRange = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [200, 0],
          [0, 1],
          [0, 0],
        ],
      ],
    };
    expect(messages(ZoneSchema.safeParse(outOfRange))).toMatch(/longitude/);
    expect(messages(ZoneSchema.safeParse({ type: 'Point', coordinates: [0, 0] }))).toMatch(/Polygon/);
    const collinear = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 1],
          [2, 2],
          [0, 0],
        ],
      ],
    };
    expect(ZoneSchema.safeParse(collinear).success).toBe(false);
  });
});

describe('plan fields', () => {
  it('a draft needs only a name; unknown fields are refused', () => {
    expect(CreateDeploymentSchema.parse({ name: ' Oxford Circus ' })).toEqual({ name: 'Oxford Circus' });
    expect(messages(CreateDeploymentSchema.safeParse({}))).toMatch(/name is required/);
    expect(messages(CreateDeploymentSchema.safeParse({ name: 'x', status: 'live' }))).toMatch(/status/);
  });

  it('parses a full plan, with times as dates', () => {
    const plan = CreateDeploymentSchema.parse(validPlan(['wl-1']));
    expect(plan.startsAt).toBeInstanceOf(Date);
    expect(plan.categories).toEqual(['wanted_by_court']);
  });

  it('keeps the candidate distance between 0.3 and 0.7 and says why; null clears it', () => {
    for (const threshold of [0.3, 0.6, 0.7, null]) expect(UpdateDeploymentSchema.safeParse({ threshold }).success, String(threshold)).toBe(true);
    expect(messages(UpdateDeploymentSchema.safeParse({ threshold: 0.8 }))).toMatch(/candidate distance.*between 0\.3 and 0\.7.*verification/);
    expect(messages(UpdateDeploymentSchema.safeParse({ threshold: 0.2 }))).toMatch(/between 0\.3 and 0\.7/);
    expect(UpdateDeploymentSchema.safeParse({ threshold: '0.6' }).success).toBe(false);
  });

  it("takes a verification threshold within loose bounds (the recogniser's own range is checked on save)", () => {
    for (const verifyThreshold of [-0.5, 0.42, 1.2, null]) expect(UpdateDeploymentSchema.safeParse({ verifyThreshold }).success).toBe(true);
    expect(messages(UpdateDeploymentSchema.safeParse({ verifyThreshold: 9 }))).toMatch(/verifyThreshold must be between -1 and 4/);
  });

  it('asks for a reason of substance to go ahead over the target', () => {
    expect(SubmitSchema.parse({})).toEqual({});
    expect(messages(SubmitSchema.safeParse({ overrideReason: 'because' }))).toMatch(/at least 20 characters/);
    expect(AuthoriseSchema.parse({ overrideReason: '  Needed for a missing child, agreed by the duty inspector.  ' }).overrideReason).toBe(
      'Needed for a missing child, agreed by the duty inspector.',
    );
    expect(messages(AuthoriseSchema.safeParse({ overrideReason: 'x'.repeat(2001) }))).toMatch(/at most 2000/);
    // Going live is no place for a reason: only an authorising officer may accept a forecast over the target.
    expect(StartSchema.parse({})).toEqual({});
    expect(messages(StartSchema.safeParse({ overrideReason: 'The planner decides on their own, which must not count.' }))).toMatch(/authorising officer/);
  });

  it('allows only the closed list of categories, once each', () => {
    expect(messages(UpdateDeploymentSchema.safeParse({ categories: ['anyone_of_interest'] }))).toMatch(/must be one of/);
    expect(messages(UpdateDeploymentSchema.safeParse({ categories: ['risk_of_harm', 'risk_of_harm'] }))).toMatch(/repeat/);
  });

  it('bounds the window: ends after it starts, at most 24 hours', () => {
    const start = '2026-12-01T09:00:00Z';
    expect(UpdateDeploymentSchema.safeParse({ startsAt: start, endsAt: '2026-12-02T09:00:00Z' }).success).toBe(true);
    expect(messages(UpdateDeploymentSchema.safeParse({ startsAt: start, endsAt: '2026-12-02T09:00:01Z' }))).toMatch(/at most 24 hours/);
    expect(messages(UpdateDeploymentSchema.safeParse({ startsAt: start, endsAt: start }))).toMatch(/end after it starts/);
    expect(messages(UpdateDeploymentSchema.safeParse({ startsAt: 'tomorrow' }))).toMatch(/^startsAt: .*ISO 8601/);
    expect(windowProblem(new Date(start), new Date('2026-12-01T13:00:00Z'))).toBeNull();
  });

  it('an update must change something; null clears the zone and times', () => {
    expect(messages(UpdateDeploymentSchema.safeParse({}))).toMatch(/nothing to change/);
    expect(UpdateDeploymentSchema.parse({ zone: null, startsAt: null })).toEqual({ zone: null, startsAt: null });
  });
});

describe('cameras', () => {
  it('accepts a placed camera and normalises a heading of 360 to 0', () => {
    expect(CameraSchema.parse(CAMERA_INSIDE)).toEqual(CAMERA_INSIDE);
    expect(CameraSchema.parse({ ...CAMERA_INSIDE, heading: 360 }).heading).toBe(0);
  });

  it('checks each source kind', () => {
    const withSource = (kind: string, url: string) => CameraSchema.safeParse({ ...CAMERA_INSIDE, source: { kind, url } });
    expect(withSource('device', 'FaceTime HD Camera').success).toBe(true);
    expect(withSource('hls', 'https://cams.example/stream.m3u8').success).toBe(true);
    expect(withSource('mjpeg', 'http://10.0.0.5/video.mjpg').success).toBe(true);
    expect(withSource('file', '/fixtures/crowd.mp4').success).toBe(true);
    expect(messages(withSource('hls', '/local.m3u8'))).toMatch(/hls source needs an http\(s\) URL/);
    expect(messages(withSource('file', 'javascript:alert(1)'))).toMatch(/file source needs/);
    expect(withSource('rtsp', 'rtsp://admin:secret@10.0.0.7:554/Streaming/Channels/101').success).toBe(true);
    expect(withSource('rtsp', 'rtsps://cam.example/stream1').success).toBe(true);
    expect(messages(withSource('rtsp', 'http://cam.example/stream1'))).toMatch(/rtsp source needs an rtsp:\/\/ or rtsps:\/\/ URL/);
    expect(messages(withSource('rtsp', 'rtsp:///nohost'))).toMatch(/rtsp source needs/);
    expect(messages(withSource('mjpeg', 'rtsp://cam.example/stream1'))).toMatch(/mjpeg source needs an http\(s\) URL/);
    expect(messages(withSource('onvif', 'rtsp://x'))).toMatch(/source.kind must be one of/);
  });

  it('keeps field of view and range within what the map editor allows', () => {
    expect(messages(CameraSchema.safeParse({ ...CAMERA_INSIDE, fov: 0 }))).toMatch(/fov/);
    expect(messages(CameraSchema.safeParse({ ...CAMERA_INSIDE, rangeM: 5000 }))).toMatch(/rangeM/);
    expect(messages(CameraSchema.safeParse({ ...CAMERA_INSIDE, lat: 91 }))).toMatch(/lat/);
    expect(UpdateCameraSchema.safeParse({}).success).toBe(false);
    expect(UpdateCameraSchema.parse({ heading: 90 })).toEqual({ heading: 90 });
  });
});

describe('reasons', () => {
  it('requires a reason that says something', () => {
    expect(messages(ReasonSchema.safeParse({}))).toMatch(/reason is required/);
    expect(messages(ReasonSchema.safeParse({ reason: '  ' }))).toMatch(/reason is required/);
    expect(ReasonSchema.parse({ reason: ' Crowd disorder ' })).toEqual({ reason: 'Crowd disorder' });
  });
});

describe('what a plan needs before submission', () => {
  const now = new Date();
  const complete: PlanForCheck = (() => {
    const parsed = CreateDeploymentSchema.parse(validPlan(['wl-1']));
    return {
      zone: parsed.zone!,
      startsAt: parsed.startsAt!,
      endsAt: parsed.endsAt!,
      locationRationale: parsed.locationRationale!,
      intelligenceCase: parsed.intelligenceCase!,
      necessityProportionality: parsed.necessityProportionality!,
      watchlistIds: parsed.watchlistIds!,
      categories: parsed.categories!,
      threshold: parsed.threshold!,
      verifyThreshold: parsed.verifyThreshold!,
      signageConfirmed: true,
      cameras: [CAMERA_INSIDE],
    };
  })();
  const known = new Set(['wl-1']);

  it('finds nothing missing in a complete plan', () => {
    expect(problemsBeforeSubmission(complete, { now, existingWatchlistIds: known })).toEqual([]);
  });

  it('names every missing item of an empty draft in plain words', () => {
    const empty: PlanForCheck = {
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
    };
    const problems = problemsBeforeSubmission(empty, { now, existingWatchlistIds: known });
    expect(problems.map((p) => p.field)).toEqual([
      'zone',
      'cameras',
      'startsAt',
      'endsAt',
      'locationRationale',
      'intelligenceCase',
      'necessityProportionality',
      'watchlistIds',
      'categories',
      'threshold',
      'verifyThreshold',
      'signageConfirmed',
    ]);
    const text = problems.map((p) => p.message).join('\n');
    expect(text).toMatch(/why people on the watchlists are expected/);
    expect(text).toMatch(/signage/);
    // Each is a plain sentence that starts with the field's name, as the form labels it.
    expect(problems.find((p) => p.field === 'locationRationale')?.message).toBe(
      'Location rationale: say why people on the watchlists are expected at this place.',
    );
    expect(problems.find((p) => p.field === 'startsAt')?.message).toBe('Window start: enter a start time.');
    for (const p of problems) expect(p.message).toMatch(/^[A-Z][^:]+: .+\.$/);
  });

  it('refuses cameras outside the zone, a closed window, thin statements and unknown watchlists', () => {
    const problems = problemsBeforeSubmission(
      {
        ...complete,
        cameras: [CAMERA_INSIDE, CAMERA_OUTSIDE],
        startsAt: new Date(now.getTime() - 3 * 3_600_000),
        endsAt: new Date(now.getTime() - 60_000),
        intelligenceCase: 'trust me',
        watchlistIds: ['wl-1', 'wl-gone'],
      },
      { now, existingWatchlistIds: known },
    );
    expect(problems.map((p) => p.message)).toEqual([
      'Cameras: camera "Trafalgar Sq" is outside the zone. Move it inside or remove it.',
      'Window end: the window has already ended. Choose a new one.',
      'Intelligence case is too short: give the intelligence that supports this deployment, in at least 20 characters.',
      'Watchlists: watchlist wl-gone no longer exists. Remove it.',
    ]);
  });

  it('accepts a window that started in the past but has not ended', () => {
    const started = { ...complete, startsAt: new Date(now.getTime() - 3_600_000) };
    expect(problemsBeforeSubmission(started, { now, existingWatchlistIds: known })).toEqual([]);
  });
});
