import { z } from 'zod';
import { CAMERA_LIMITS, isInsideZone, normaliseHeading, isValidPolygon, ringSelfIntersects, type GeoPolygon, type Position } from '@/lib/geo/geometry';
import { CATEGORIES } from '@/lib/watchlists/schema';
import { freeText, nameText } from '@/lib/validation/text';
import { DEPLOYMENT_STATUSES } from './state-machine';

/**
 * Input schemas and pure plan rules for deployments, shared by route handlers, forms and
 * tests. Drafts may be saved incomplete; what a plan needs before it can be submitted is
 * `problemsBeforeSubmission()`, which names every gap in words a senior officer understands.
 */

// ─── limits ───────────────────────────────────────────────────────────────────────────────

/**
 * Candidate distance (`threshold`): the first stage's face-api euclidean distance within which a
 * face is sent for verification; lower is stricter. There is no default: the plan editor proposes
 * one from the force's target and the calibration (lib/recognition/forecast.ts), and the planner
 * records it. NPL showed that thresholds change demographic error rates, so both are bounded,
 * recorded with the plan and every change is audited. The verification threshold's bounds depend
 * on the verifying recogniser's metric (checked when it is saved, lib/deployments/mutations.ts).
 */
export const THRESHOLD_MIN = 0.3;
export const THRESHOLD_MAX = 0.7;

/** A deployment is a bounded window: a few hours, never more than a day. */
export const MAX_WINDOW_HOURS = 24;
const HOUR_MS = 3_600_000;

export const MAX_CAMERAS = 50;
const MAX_ZONE_VERTICES = 500;
const MAX_TEXT = 10_000;
/** The three statements must say something; a word or two explains nothing. */
export const MIN_STATEMENT_LENGTH = 20;

// ─── zone ─────────────────────────────────────────────────────────────────────────────────

const PositionSchema = z
  .array(z.number(), { message: 'each point must be [longitude, latitude] in degrees' })
  .length(2, 'each point must be [longitude, latitude] in degrees')
  .refine(([lng, lat]) => Math.abs(lng!) <= 180 && Math.abs(lat!) <= 90, 'longitude must be within ±180 and latitude within ±90')
  .transform((p): Position => [p[0]!, p[1]!]);

/**
 * A GeoJSON Polygon: an outline (and optionally holes), each closed (first point = last point),
 * with at least three distinct corners enclosing an area and no edges crossing — otherwise
 * "inside the zone" means nothing. Geometry is lib/geo's, shared with the map editor.
 */
export const ZoneSchema = z
  .object({
    type: z.literal('Polygon', { message: 'zone.type must be "Polygon"' }),
    coordinates: z
      .array(
        z
          .array(PositionSchema, { message: 'each outline must be a list of points' })
          .min(4, 'the zone needs at least three corners (four points, the last repeating the first)')
          .max(MAX_ZONE_VERTICES + 1, `the zone may have at most ${MAX_ZONE_VERTICES} corners`),
        { message: 'zone.coordinates must be a list of outlines' },
      )
      .min(1, 'the zone needs an outline')
      .max(10, 'the zone may have at most 9 holes'),
  })
  .strict()
  .superRefine((zone, ctx) => {
    if (!isValidPolygon(zone)) {
      ctx.addIssue({ code: 'custom', message: 'each outline must be closed (repeat the first point at the end) and enclose an area' });
    } else if (zone.coordinates.some(ringSelfIntersects)) {
      ctx.addIssue({ code: 'custom', message: 'the zone outline crosses itself' });
    }
  })
  .transform((zone): GeoPolygon => zone);

// ─── plan fields ──────────────────────────────────────────────────────────────────────────

const dateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time, e.g. 2026-12-01T09:00:00Z' }).transform((v) => new Date(v));

const statement = (field: string) => freeText(field).max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);

export const ThresholdSchema = z
  .number({ message: 'threshold must be a number' })
  .min(THRESHOLD_MIN, `threshold (the candidate distance) must be between ${THRESHOLD_MIN} and ${THRESHOLD_MAX} (a face-api distance: lower is stricter)`)
  .max(
    THRESHOLD_MAX,
    `threshold (the candidate distance) must be between ${THRESHOLD_MIN} and ${THRESHOLD_MAX} (a face-api distance: higher sends more faces for verification)`,
  );

/** Loose bounds only: the verifier's own range is checked against its metric on save. */
export const VerifyThresholdSchema = z
  .number({ message: 'verifyThreshold must be a number' })
  .min(-1, 'verifyThreshold must be between -1 and 4')
  .max(4, 'verifyThreshold must be between -1 and 4');

// The closed list is the watchlist module's (docs/rules.md#watchlist-categories; Bridges §124).
const CategorySchema = z.enum(CATEGORIES, { message: `each category must be one of: ${CATEGORIES.join(', ')}` });

const planFields = {
  zone: ZoneSchema.nullable(),
  startsAt: dateTime.nullable(),
  endsAt: dateTime.nullable(),
  locationRationale: statement('locationRationale'),
  intelligenceCase: statement('intelligenceCase'),
  necessityProportionality: statement('necessityProportionality'),
  watchlistIds: z
    .array(z.string().trim().min(1).max(64), { message: 'watchlistIds must be a list of watchlist ids' })
    .max(50, 'at most 50 watchlists')
    .refine((ids) => new Set(ids).size === ids.length, 'watchlistIds must not repeat a watchlist'),
  categories: z
    .array(CategorySchema, { message: 'categories must be a list' })
    .refine((c) => new Set(c).size === c.length, 'categories must not repeat a category'),
  threshold: ThresholdSchema.nullable(),
  verifyThreshold: VerifyThresholdSchema.nullable(),
  signageConfirmed: z.boolean({ message: 'signageConfirmed must be true or false' }),
};
const NameSchema = nameText('name').min(1, 'name is required').max(120, 'name must be at most 120 characters');

/** The window problem of a start and end, or null. Used on save (both known) and at submit. */
export function windowProblem(startsAt: Date, endsAt: Date): string | null {
  if (endsAt.getTime() <= startsAt.getTime()) return 'the window must end after it starts';
  if (endsAt.getTime() - startsAt.getTime() > MAX_WINDOW_HOURS * HOUR_MS) {
    return `the window may last at most ${MAX_WINDOW_HOURS} hours`;
  }
  return null;
}

function refineWindow(plan: { startsAt?: unknown; endsAt?: unknown }, ctx: z.RefinementCtx) {
  // zod runs this even when a field failed to parse (with the raw value): compare only dates.
  if (!(plan.startsAt instanceof Date) || !(plan.endsAt instanceof Date)) return;
  const problem = windowProblem(plan.startsAt, plan.endsAt);
  if (problem) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: problem });
}

/**
 * POST /api/deployments/forecast: the forecast of a plan as it is being edited (unsaved), for the
 * plan editor. `verifierId` is the recogniser the plan's verification threshold was chosen for
 * (null: the one verifying here). Loose bounds only, as for saving: the route refuses a
 * verifyThreshold outside the verifier's own range (422 naming it), as saving it would.
 */
export const ForecastPreviewSchema = z
  .object({
    watchlistIds: planFields.watchlistIds,
    categories: planFields.categories,
    threshold: planFields.threshold,
    verifyThreshold: planFields.verifyThreshold,
    verifierId: z.string().trim().min(1).max(64).nullable(),
  })
  .strict();
export type ForecastPreviewInput = z.infer<typeof ForecastPreviewSchema>;

/** POST /api/deployments: a name is enough to start a draft; everything else may follow. */
export const CreateDeploymentSchema = z
  .object({ name: NameSchema, ...z.object(planFields).partial().shape })
  .strict()
  .superRefine(refineWindow);
export type CreateDeploymentInput = z.infer<typeof CreateDeploymentSchema>;

/** PATCH /api/deployments/:id: any subset of the fields; null clears zone and times. */
export const UpdateDeploymentSchema = z
  .object({ name: NameSchema, ...planFields })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change: send at least one field' })
  .superRefine(refineWindow);
export type UpdateDeploymentInput = z.infer<typeof UpdateDeploymentSchema>;

// ─── cameras ──────────────────────────────────────────────────────────────────────────────

export const CAMERA_SOURCE_KINDS = ['device', 'file', 'hls', 'mjpeg', 'rtsp'] as const;
export type CameraSourceKind = (typeof CAMERA_SOURCE_KINDS)[number];

const urlWithProtocol = (v: string, protocols: string[]) => {
  try {
    const url = new URL(v);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
};
const httpUrl = (v: string) => urlWithProtocol(v, ['http:', 'https:']);
const rtspUrl = (v: string) => urlWithProtocol(v, ['rtsp:', 'rtsps:']);

/**
 * Where a camera's frames come from: `device` names a local capture device (its label or id);
 * `file` is a video served over http(s) or by this site (a path starting with /); `hls` and
 * `mjpeg` are http(s) stream URLs; `rtsp` is an IP camera's rtsp:// (or rtsps://) address, which
 * browsers cannot play: only the camera agent (lib/agent) analyses it.
 */
export const CameraSourceSchema = z
  .object({
    kind: z.enum(CAMERA_SOURCE_KINDS, { message: `source.kind must be one of: ${CAMERA_SOURCE_KINDS.join(', ')}` }),
    // A device's label or a URL: one line, nothing hidden in it.
    url: nameText('source.url', 'source.url is required').min(1, 'source.url is required').max(2000),
  })
  .strict()
  .superRefine((source, ctx) => {
    // Runs even when a field failed its own check: only judge a URL that is a string.
    if (typeof source.url !== 'string') return;
    const ok =
      source.kind === 'device' ||
      (source.kind === 'rtsp'
        ? rtspUrl(source.url)
        : httpUrl(source.url) || (source.kind === 'file' && source.url.startsWith('/') && !source.url.startsWith('//')));
    if (!ok) {
      const expected =
        source.kind === 'file'
          ? 'an http(s) URL or a path on this site starting with /'
          : source.kind === 'rtsp'
            ? 'an rtsp:// or rtsps:// URL'
            : 'an http(s) URL';
      ctx.addIssue({ code: 'custom', path: ['url'], message: `a ${source.kind} source needs ${expected}` });
    }
  });

const cameraFields = {
  name: nameText('name').min(1, 'name is required').max(80, 'name must be at most 80 characters'),
  lat: z.number({ message: 'lat must be a number' }).min(-90).max(90),
  lng: z.number({ message: 'lng must be a number' }).min(-180).max(180),
  heading: z
    .number({ message: 'heading must be a number' })
    .min(0, 'heading is degrees clockwise from north, 0 to 360')
    .max(360, 'heading is degrees clockwise from north, 0 to 360')
    .transform(normaliseHeading),
  // The same bounds the map editor keeps a camera within (lib/geo CAMERA_LIMITS).
  fov: z
    .number({ message: 'fov must be a number' })
    .min(CAMERA_LIMITS.minFov, `fov (field of view) must be between ${CAMERA_LIMITS.minFov} and ${CAMERA_LIMITS.maxFov} degrees`)
    .max(CAMERA_LIMITS.maxFov, `fov (field of view) must be between ${CAMERA_LIMITS.minFov} and ${CAMERA_LIMITS.maxFov} degrees`),
  rangeM: z
    .number({ message: 'rangeM must be a number' })
    .min(CAMERA_LIMITS.minRangeM, `rangeM must be between ${CAMERA_LIMITS.minRangeM} and ${CAMERA_LIMITS.maxRangeM} metres`)
    .max(CAMERA_LIMITS.maxRangeM, `rangeM must be between ${CAMERA_LIMITS.minRangeM} and ${CAMERA_LIMITS.maxRangeM} metres`),
  source: CameraSourceSchema,
};

export const CameraSchema = z.object(cameraFields).strict();
export type CameraInput = z.infer<typeof CameraSchema>;

export const UpdateCameraSchema = z
  .object(cameraFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change: send at least one field' });
export type UpdateCameraInput = z.infer<typeof UpdateCameraSchema>;

// ─── decisions ────────────────────────────────────────────────────────────────────────────

const reason = freeText('reason', 'reason is required: say why').min(3, 'reason is required: say why').max(2000, 'reason must be at most 2000 characters');

/** Body of reject, suspend and cancel. */
export const ReasonSchema = z.object({ reason }).strict();
export type ReasonInput = z.infer<typeof ReasonSchema>;

/**
 * Why a plan whose false-alert forecast is over the force's target should go ahead anyway. Given
 * at submission (by the planner) and at authorisation (by the second officer, in their own
 * words), each recorded with the forecast it was given for and audited. Going live takes no
 * reason (StartSchema): it proceeds only when the forecast meets the target or is no worse than
 * what the authorising officer accepted.
 */
export const OVERRIDE_REASON_MIN = 20;
const overrideReason = freeText('overrideReason')
  .min(OVERRIDE_REASON_MIN, `overrideReason must say why the plan should go ahead over the target (at least ${OVERRIDE_REASON_MIN} characters)`)
  .max(2000, 'overrideReason must be at most 2000 characters');

/** Optional body of submit. */
export const SubmitSchema = z.object({ overrideReason: overrideReason.optional() }).strict();
export type SubmitInput = z.infer<typeof SubmitSchema>;

/** Optional body of authorise. */
export const AuthoriseSchema = z.object({ notes: freeText('notes').max(2000).optional(), overrideReason: overrideReason.optional() }).strict();
export type AuthoriseInput = z.infer<typeof AuthoriseSchema>;

/**
 * Going live takes no input: whether the forecast may go over the target was decided by the
 * authorising officer. A body is refused rather than ignored, so nobody believes a reason they
 * sent at go-live was recorded or counted.
 */
export const StartSchema = z.strictObject(
  {},
  { error: "Going live takes no input: a forecast over the target needs an authorising officer's decision (edit the plan and submit it again)" },
);

/** Optional body of end. */
export const EndSchema = z.object({ reason: reason.optional() }).strict();
export type EndInput = z.infer<typeof EndSchema>;

/** Query of GET /api/deployments. */
export const DeploymentListQuerySchema = z
  .object({
    status: z.enum(DEPLOYMENT_STATUSES, { message: `status must be one of: ${DEPLOYMENT_STATUSES.join(', ')}` }).optional(),
  })
  .strict();
export type DeploymentListQuery = z.infer<typeof DeploymentListQuerySchema>;

// ─── completeness ─────────────────────────────────────────────────────────────────────────

/** What submission looks at: the stored plan with its cameras. */
export type PlanForCheck = {
  zone: GeoPolygon | null;
  startsAt: Date | null;
  endsAt: Date | null;
  locationRationale: string;
  intelligenceCase: string;
  necessityProportionality: string;
  watchlistIds: string[];
  categories: string[];
  threshold: number | null;
  verifyThreshold: number | null;
  signageConfirmed: boolean;
  cameras: { name: string; lat: number; lng: number }[];
};

export type PlanProblem = { field: string; message: string };

/**
 * Every reason this plan cannot be submitted (or authorised, or taken live) yet; empty when
 * it is complete. Each is a plain sentence that starts with the field's name as the form labels
 * it, so it reads the same in a list, in the API's message and beside the field. Pure: the
 * caller passes the clock and which watchlists exist.
 */
export function problemsBeforeSubmission(
  plan: PlanForCheck,
  { now, existingWatchlistIds }: { now: Date; existingWatchlistIds: ReadonlySet<string> },
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const need = (field: string, message: string) => problems.push({ field, message });

  if (!plan.zone) need('zone', 'Zone: draw the area of the deployment on the map.');
  if (plan.cameras.length === 0) need('cameras', 'Cameras: place at least one camera inside the zone.');
  if (plan.zone) {
    for (const camera of plan.cameras) {
      if (!isInsideZone(camera, plan.zone)) {
        need('cameras', `Cameras: camera "${camera.name}" is outside the zone. Move it inside or remove it.`);
      }
    }
  }

  if (!plan.startsAt) need('startsAt', 'Window start: enter a start time.');
  if (!plan.endsAt) need('endsAt', 'Window end: enter an end time.');
  if (plan.startsAt && plan.endsAt) {
    const problem = windowProblem(plan.startsAt, plan.endsAt);
    if (problem) need('endsAt', `Window end: ${problem}.`);
    else if (plan.endsAt.getTime() <= now.getTime()) need('endsAt', 'Window end: the window has already ended. Choose a new one.');
  }

  // Each statement named as the form labels it, with what it should say.
  const statements: [keyof PlanForCheck, string, string][] = [
    ['locationRationale', 'Location rationale', 'say why people on the watchlists are expected at this place'],
    ['intelligenceCase', 'Intelligence case', 'give the intelligence that supports this deployment'],
    ['necessityProportionality', 'Necessity and proportionality', 'explain why the deployment is necessary and proportionate'],
  ];
  for (const [field, label, what] of statements) {
    const text = (plan[field] as string).trim();
    if (text.length === 0) need(field, `${label}: ${what}.`);
    else if (text.length < MIN_STATEMENT_LENGTH) {
      need(field, `${label} is too short: ${what}, in at least ${MIN_STATEMENT_LENGTH} characters.`);
    }
  }

  if (plan.watchlistIds.length === 0) need('watchlistIds', 'Watchlists: choose at least one watchlist.');
  for (const id of plan.watchlistIds) {
    if (!existingWatchlistIds.has(id)) need('watchlistIds', `Watchlists: watchlist ${id} no longer exists. Remove it.`);
  }
  if (plan.categories.length === 0) need('categories', 'Categories: choose at least one watchlist category.');
  for (const category of plan.categories) {
    if (!(CATEGORIES as readonly string[]).includes(category)) need('categories', `Categories: "${category}" is not a lawful category.`);
  }
  if (plan.threshold === null || !ThresholdSchema.safeParse(plan.threshold).success) {
    need('threshold', `Candidate distance: choose a value between ${THRESHOLD_MIN} and ${THRESHOLD_MAX}, or use the proposed thresholds.`);
  }
  if (plan.verifyThreshold === null) need('verifyThreshold', 'Verification threshold: choose one, or use the proposed thresholds.');
  if (!plan.signageConfirmed) need('signageConfirmed', 'Public notice (signage): confirm that it is in place.');
  return problems;
}
