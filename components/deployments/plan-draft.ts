/**
 * The plan editor's working copy of a deployment, and the pure rules around it: what changed
 * since the server's copy (so Save sends only that), what is wrong with it as typed (inline
 * errors before anything is sent), and what it still needs before it can be submitted (the
 * server's own `problemsBeforeSubmission`, run on the working copy). No React here.
 */
import type { CameraView, DeploymentView } from '@/lib/deployments/data';
import {
  CAMERA_SOURCE_KINDS,
  CameraSourceSchema,
  MAX_WINDOW_HOURS,
  THRESHOLD_MAX,
  THRESHOLD_MIN,
  problemsBeforeSubmission,
  windowProblem,
  type CameraSourceKind,
  type PlanProblem,
} from '@/lib/deployments/schema';
import { CAMERA_LIMITS, type CameraPlacement, type GeoPolygon } from '@/lib/geo/geometry';
import { verifyThresholdProblem } from '@/lib/recognition/forecast';
import type { Metric } from '@/lib/recognition/manifest';
import { isoToLondonInput, londonInputToIso } from './london-time';

export type PlanDraft = {
  name: string;
  zone: GeoPolygon | null;
  /** London wall-clock times as typed, "2026-12-01 09:00" (a "T" for the space is read too). */
  startsLocal: string;
  endsLocal: string;
  locationRationale: string;
  intelligenceCase: string;
  necessityProportionality: string;
  watchlistIds: string[];
  categories: string[];
  /** As typed ('' when not chosen); parsed when checked and sent. */
  threshold: string;
  verifyThreshold: string;
  signageConfirmed: boolean;
};

export type CameraDraft = Omit<CameraPlacement, 'id'> & {
  /** Stable key in the editor: the server id, or `new-…` until the camera is saved. */
  key: string;
  /** null until saved. */
  id: string | null;
  sourceKind: CameraSourceKind;
  sourceUrl: string;
};

export type PlanField = Exclude<keyof PlanDraft, 'startsLocal' | 'endsLocal'> | 'startsAt' | 'endsAt' | 'cameras';
export type CameraField = 'name' | 'lat' | 'lng' | 'heading' | 'fov' | 'rangeM' | 'sourceKind' | 'sourceUrl';

/** Words for each field, as the form labels them (used in summaries and the history). */
export const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  zone: 'Zone',
  cameras: 'Cameras',
  startsAt: 'Window start',
  endsAt: 'Window end',
  locationRationale: 'Location rationale',
  intelligenceCase: 'Intelligence case',
  necessityProportionality: 'Necessity and proportionality',
  watchlistIds: 'Watchlists',
  categories: 'Categories',
  threshold: 'Candidate distance',
  verifyThreshold: 'Verification threshold',
  overrideReason: 'Reason for going ahead over the target',
  signageConfirmed: 'Public notice (signage)',
};

/** The id of the control each plan field is edited with (error summaries link to it). */
export function fieldId(field: string): string {
  return `plan-${field}`;
}

/**
 * The saved plan as the editor's working copy. A verification threshold chosen for another
 * recogniser than the one verifying here (superseded) is not offered as a value: it is in that
 * recogniser's metric, and the planner must choose a new one.
 */
export function draftFromView(view: DeploymentView): PlanDraft {
  const superseded = view.accuracy.verifierUnavailable !== null;
  return {
    name: view.name,
    zone: view.zone,
    startsLocal: londonField(view.startsAt),
    endsLocal: londonField(view.endsAt),
    locationRationale: view.locationRationale,
    intelligenceCase: view.intelligenceCase,
    necessityProportionality: view.necessityProportionality,
    watchlistIds: [...view.watchlistIds],
    categories: [...view.categories],
    threshold: view.threshold === null ? '' : String(view.threshold),
    verifyThreshold: view.verifyThreshold === null || superseded ? '' : String(view.verifyThreshold),
    signageConfirmed: view.signageConfirmed,
  };
}

/**
 * A time as the plan editor's field shows it: "2026-12-01 09:00", year first, so that no browser
 * language turns it into 12/01/2026 (a date field would, and an en-US browser reads it month first).
 */
export function londonField(iso: string | null): string {
  return isoToLondonInput(iso).replace('T', ' ');
}

/** A typed time in the `isoToLondonInput` form, for comparing with the saved one. */
const sameMinute = (typed: string) => typed.trim().replace(/[T ]+/, 'T');

/** A threshold as typed: null when empty, NaN when not a number. */
export function typedNumber(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

export function cameraDraftFromView({ source, ...placement }: CameraView): CameraDraft {
  return { ...placement, key: placement.id, sourceKind: source.kind, sourceUrl: source.url };
}

export function toPlacement(camera: CameraDraft): CameraPlacement {
  return {
    id: camera.key,
    name: camera.name || 'Unnamed camera',
    lat: camera.lat,
    lng: camera.lng,
    heading: camera.heading,
    fov: camera.fov,
    rangeM: camera.rangeM,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sameSet = (a: string[], b: string[]) => same([...a].sort(), [...b].sort());

/** The API body for what changed since `view` (PATCH /api/deployments/:id); empty when nothing did. */
export function planChanges(draft: PlanDraft, view: DeploymentView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (draft.name.trim() !== view.name) out.name = draft.name;
  if (!same(draft.zone, view.zone)) out.zone = draft.zone;
  // The field holds minutes: a stored time with seconds is unchanged while its minute is.
  if (sameMinute(draft.startsLocal) !== isoToLondonInput(view.startsAt)) out.startsAt = londonInputToIso(draft.startsLocal);
  if (sameMinute(draft.endsLocal) !== isoToLondonInput(view.endsAt)) out.endsAt = londonInputToIso(draft.endsLocal);
  for (const field of ['locationRationale', 'intelligenceCase', 'necessityProportionality'] as const) {
    if (draft[field].trim() !== view[field]) out[field] = draft[field];
  }
  if (!sameSet(draft.watchlistIds, view.watchlistIds)) out.watchlistIds = draft.watchlistIds;
  if (!sameSet(draft.categories, view.categories)) out.categories = draft.categories;
  for (const field of ['threshold', 'verifyThreshold'] as const) {
    const value = typedNumber(draft[field]);
    if (field === 'verifyThreshold' && view.accuracy.verifierUnavailable !== null) {
      // Superseded: the field starts empty (see draftFromView), and any value typed is new — even
      // one equal to the old number, which was in another recogniser's metric. Saving it records it
      // for the recogniser verifying here.
      if (value !== null && Number.isFinite(value)) out[field] = value;
      continue;
    }
    if (value !== view[field] && (value === null || Number.isFinite(value))) out[field] = value;
  }
  if (draft.signageConfirmed !== view.signageConfirmed) out.signageConfirmed = draft.signageConfirmed;
  return out;
}

/** The API body of a camera (POST/PATCH …/cameras), field by field: the API refuses unknown ones. */
export function cameraBody(camera: CameraDraft) {
  const { name, lat, lng, heading, fov, rangeM } = camera;
  return { name, lat, lng, heading, fov, rangeM, source: { kind: camera.sourceKind, url: camera.sourceUrl } };
}

/** The API body for what changed in one saved camera (PATCH …/cameras/:id); empty when nothing did. */
export function cameraChanges(camera: CameraDraft, saved: CameraView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (camera.name.trim() !== saved.name) out.name = camera.name;
  for (const field of ['lat', 'lng', 'heading', 'fov', 'rangeM'] as const) {
    if (camera[field] !== saved[field]) out[field] = camera[field];
  }
  if (camera.sourceKind !== saved.source.kind || camera.sourceUrl.trim() !== saved.source.url) {
    out.source = { kind: camera.sourceKind, url: camera.sourceUrl };
  }
  return out;
}

/** Everything Save would send: plan fields, and cameras to add, change and remove. */
export function pendingChanges(draft: PlanDraft, cameras: CameraDraft[], view: DeploymentView) {
  const plan = planChanges(draft, view);
  const added = cameras.filter((c) => c.id === null);
  const changed = cameras.flatMap((c) => {
    const saved = c.id ? view.cameras.find((s) => s.id === c.id) : undefined;
    if (!saved) return [];
    const body = cameraChanges(c, saved);
    return Object.keys(body).length ? [{ camera: c, body }] : [];
  });
  const removed = view.cameras.filter((s) => !cameras.some((c) => c.id === s.id));
  const count = Object.keys(plan).length + added.length + changed.length + removed.length;
  return { plan, added, changed, removed, count };
}

// ─── checks as typed ──────────────────────────────────────────────────────────────────────

export type FieldErrors = Partial<Record<string, string>>;

/**
 * What is wrong with the working copy as typed — things the server would refuse on Save
 * (unlike an incomplete plan, which may be saved). Keys are plan fields, or
 * `camera:<key>:<field>` for a camera's field. `verifier` is the recogniser verifying here (the
 * view's accuracy.verifier): a verification threshold outside its range is refused on save.
 */
export function inputErrors(draft: PlanDraft, cameras: CameraDraft[], verifier?: { id: string; metric: Metric }): FieldErrors {
  const errors: FieldErrors = {};
  if (!draft.name.trim()) errors.name = 'Give the deployment a name.';
  if (draft.startsLocal.trim() && !londonInputToIso(draft.startsLocal))
    errors.startsAt = 'Enter the date and time as year-month-day hours:minutes, e.g. 2026-12-01 09:00.';
  if (draft.endsLocal.trim() && !londonInputToIso(draft.endsLocal))
    errors.endsAt = 'Enter the date and time as year-month-day hours:minutes, e.g. 2026-12-01 13:00.';
  const startsAt = londonInputToIso(draft.startsLocal);
  const endsAt = londonInputToIso(draft.endsLocal);
  if (startsAt && endsAt) {
    const problem = windowProblem(new Date(startsAt), new Date(endsAt));
    if (problem) errors.endsAt = `${capitalise(problem)}.`;
  }
  // Empty is allowed while drafting (submission asks for them); what is typed must be a number.
  const threshold = typedNumber(draft.threshold);
  if (threshold !== null && !Number.isFinite(threshold)) errors.threshold = 'Enter a number, e.g. 0.45.';
  else if (threshold !== null && (threshold < THRESHOLD_MIN || threshold > THRESHOLD_MAX))
    errors.threshold = `Choose a distance between ${THRESHOLD_MIN} and ${THRESHOLD_MAX}.`;
  const verifyThreshold = typedNumber(draft.verifyThreshold);
  if (verifyThreshold !== null && !Number.isFinite(verifyThreshold)) errors.verifyThreshold = 'Enter a number, e.g. 0.45.';
  else if (verifyThreshold !== null && verifier) {
    // The server's own rule and words (lib/recognition/forecast.ts), said as an instruction.
    const problem = verifyThresholdProblem(verifyThreshold, verifier);
    if (problem) errors.verifyThreshold = `${problem.replace(/^verifyThreshold must be/, 'Choose a verification threshold')}.`;
  }

  for (const camera of cameras) {
    const at = (field: CameraField) => `camera:${camera.key}:${field}`;
    if (!camera.name.trim()) errors[at('name')] = 'Give the camera a name.';
    else if (camera.name.trim().length > 80) errors[at('name')] = 'At most 80 characters.';
    if (!(Math.abs(camera.lat) <= 90)) errors[at('lat')] = 'Latitude is between −90 and 90.';
    if (!(Math.abs(camera.lng) <= 180)) errors[at('lng')] = 'Longitude is between −180 and 180.';
    if (!(camera.heading >= 0 && camera.heading <= 360)) errors[at('heading')] = 'Degrees clockwise from north, 0 to 360.';
    if (!(camera.fov >= CAMERA_LIMITS.minFov && camera.fov <= CAMERA_LIMITS.maxFov)) {
      errors[at('fov')] = `Between ${CAMERA_LIMITS.minFov}° and ${CAMERA_LIMITS.maxFov}°.`;
    }
    if (!(camera.rangeM >= CAMERA_LIMITS.minRangeM && camera.rangeM <= CAMERA_LIMITS.maxRangeM)) {
      errors[at('rangeM')] = `Between ${CAMERA_LIMITS.minRangeM} and ${CAMERA_LIMITS.maxRangeM} m.`;
    }
    if (!camera.sourceUrl.trim()) errors[at('sourceUrl')] = SOURCE_HELP[camera.sourceKind].required;
    else {
      const parsed = CameraSourceSchema.safeParse({ kind: camera.sourceKind, url: camera.sourceUrl });
      if (!parsed.success) errors[at('sourceUrl')] = `${capitalise(parsed.error.issues[0]?.message ?? 'not a usable source')}.`;
    }
  }
  return errors;
}

/** What the working copy still needs before it can be submitted (the server's rule, run here). */
export function readinessProblems(draft: PlanDraft, cameras: CameraDraft[], existingWatchlistIds: ReadonlySet<string> | null): PlanProblem[] {
  const startsAt = londonInputToIso(draft.startsLocal);
  const endsAt = londonInputToIso(draft.endsLocal);
  return problemsBeforeSubmission(
    {
      zone: draft.zone,
      startsAt: startsAt ? new Date(startsAt) : null,
      endsAt: endsAt ? new Date(endsAt) : null,
      locationRationale: draft.locationRationale,
      intelligenceCase: draft.intelligenceCase,
      necessityProportionality: draft.necessityProportionality,
      watchlistIds: draft.watchlistIds,
      categories: draft.categories,
      threshold: typedNumber(draft.threshold),
      verifyThreshold: typedNumber(draft.verifyThreshold),
      signageConfirmed: draft.signageConfirmed,
      cameras: cameras.map((c) => ({ name: c.name || 'Unnamed camera', lat: c.lat, lng: c.lng })),
    },
    // Without the list of watchlists (no permission to read it) trust the ids; the server checks.
    { now: new Date(), existingWatchlistIds: existingWatchlistIds ?? new Set(draft.watchlistIds) },
  );
}

export const SOURCE_KINDS = CAMERA_SOURCE_KINDS;

export const SOURCE_HELP: Record<CameraSourceKind, { label: string; field: string; placeholder: string; required: string }> = {
  device: {
    label: 'Camera on this PC (device)',
    field: 'Device label',
    placeholder: 'e.g. Integrated Camera',
    required: 'Name the capture device (its label, or part of it).',
  },
  file: {
    label: 'Video file',
    field: 'Video URL or path',
    placeholder: 'https://… or /fixtures/…',
    required: 'Give the video’s http(s) URL or a path on this site starting with /.',
  },
  hls: { label: 'HLS stream', field: 'Stream URL', placeholder: 'https://…/index.m3u8', required: 'Give the stream’s http(s) URL.' },
  mjpeg: { label: 'MJPEG stream', field: 'Stream URL', placeholder: 'http://…/video.mjpg', required: 'Give the stream’s http(s) URL.' },
  rtsp: {
    label: 'IP camera (RTSP, analysed by the camera agent)',
    field: 'RTSP URL',
    placeholder: 'rtsp://camera.local:554/stream1',
    required: 'Give the camera’s rtsp:// address.',
  },
};

export const WINDOW_HINT = `London time. A deployment lasts a few hours, never more than ${MAX_WINDOW_HOURS}.`;

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A problem as a sentence: "Window start: enter a start time." */
export function problemSentence(problem: PlanProblem): string {
  const text = capitalise(problem.message.trim());
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * Server field paths to the editor's keys: `zone.coordinates.0` → `zone`; camera paths arrive
 * from camera calls and are placed by the caller.
 */
export function planFieldOf(path: string): string {
  const head = path.split('.')[0] ?? '';
  return head in FIELD_LABELS ? head : '';
}

// ─── saving what is valid ─────────────────────────────────────────────────────────────────

/** The draft fields a plan field is typed in (the window's two ends are held together). */
const HELD_WITH: Record<string, (keyof PlanDraft)[]> = {
  name: ['name'],
  startsAt: ['startsLocal', 'endsLocal'],
  endsAt: ['startsLocal', 'endsLocal'],
  threshold: ['threshold'],
  verifyThreshold: ['verifyThreshold'],
};

/**
 * What Save may send when some fields are wrong as typed: everything else. A wrong field is held
 * back (and stays as typed, marked, in the working copy); so are both ends of a window either
 * end of which is wrong (the server judges them together), and any camera with a wrong field.
 * `held` names what was held back, by its label, for the message after saving.
 */
export function validChanges(draft: PlanDraft, cameras: CameraDraft[], view: DeploymentView, errors: FieldErrors) {
  const all = pendingChanges(draft, cameras, view);
  const heldDraftKeys = new Set<keyof PlanDraft>();
  for (const key of Object.keys(errors)) for (const k of HELD_WITH[key] ?? []) heldDraftKeys.add(k);
  const plan = { ...all.plan };
  for (const k of heldDraftKeys) delete plan[k === 'startsLocal' ? 'startsAt' : k === 'endsLocal' ? 'endsAt' : k];
  const badCamera = (c: CameraDraft) => Object.keys(errors).some((k) => k.startsWith(`camera:${c.key}:`));
  const added = all.added.filter((c) => !badCamera(c));
  const changed = all.changed.filter(({ camera }) => !badCamera(camera));
  const heldCameras = cameras.filter(badCamera);
  const held = [
    ...new Set(Object.keys(errors).flatMap((k) => (k.startsWith('camera:') ? [] : [FIELD_LABELS[k] ?? k]))),
    ...heldCameras.map((c) => c.name.trim() || 'an unnamed camera'),
  ];
  const count = Object.keys(plan).length + added.length + changed.length + all.removed.length;
  return { plan, added, changed, removed: all.removed, count, heldDraftKeys, heldCameraKeys: new Set(heldCameras.map((c) => c.key)), held };
}

/** "A", "A and B", "A, B and C". */
export function listInWords(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

// ─── the summary ──────────────────────────────────────────────────────────────────────────

export type SummaryItem = { href: string; text: string };

/** A sentence reduced to what it says: no field name in front, no case, no punctuation. */
function gist(text: string): string {
  const withoutLabel = text.replace(/^[^:]{1,60}:\s*/, '');
  return withoutLabel
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * The error summary's lines, each problem once: the same field's problem found by the check as
 * typed and by the submission rules, said in slightly different words, is one line (the first).
 */
export function dedupeSummary(items: SummaryItem[]): SummaryItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.href}|${gist(item.text)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A submission problem as shown beside its own field: the field's name in front is dropped (the
 * label is right there). "Window start: enter a start time." → "Enter a start time."
 */
export function inlineSentence(problem: PlanProblem): string {
  const label = FIELD_LABELS[problem.field];
  const text = problemSentence(problem);
  return label && text.startsWith(`${label}: `) ? capitalise(text.slice(label.length + 2)) : text;
}
