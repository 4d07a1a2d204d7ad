import { z } from 'zod';
import { DESCRIPTOR_LENGTH } from '@/lib/face/descriptor';
import { recordId } from '@/lib/validation/id';

/**
 * A probe: one face seen by a live camera tile, sent by the browser so the server can compare it
 * with the deployment's watchlist snapshot. It is the only form in which a passer-by's descriptor
 * leaves the browser, and the server must keep nothing of it unless it matches
 * (docs/rules.md#non-matches).
 *
 * A tile sends the face crop only when asked: the first probe of a face carries its descriptor
 * alone; if the face is a candidate (stage one found watchlist templates near it) the server answers
 * `cropNeeded` with a short-lived `ticket`, and the tile sends the same probe again with its crop
 * and that ticket, which the server verifies (lib/live/candidate-tickets.ts). So the crops of the
 * passers-by who are not candidates — nearly all of them — never leave the browser. Other
 * integrations may send the crop with the first probe.
 *
 * Shared by the browser (which builds probes) and the server (which must parse every probe with
 * ProbeSchema before use: it comes from outside). Pure: no Node or browser APIs.
 */

/**
 * Largest face crop accepted, in decoded bytes. A 224 px JPEG is typically 8–20 KB. The browser's
 * encoder (lib/face/crop.ts, CROP_MAX_BYTES) keeps its own copy so the detector worker does not
 * load zod; tests/unit/probe-schema.test.ts checks that the two agree.
 */
export const PROBE_CROP_MAX_BYTES = 64 * 1024;

/** The longest base64 text that can decode to PROBE_CROP_MAX_BYTES. */
export const PROBE_CROP_MAX_BASE64_LENGTH = Math.ceil(PROBE_CROP_MAX_BYTES / 3) * 4;

export type ProbeBox = { x: number; y: number; width: number; height: number };

export type Probe = {
  cameraId: string;
  /** Short-lived id of the face track on that camera tile (unique per page session). */
  trackId: string;
  /** face-api recognition net output: 128 finite numbers. */
  descriptor: number[];
  /** The face in the camera frame's own pixels. */
  box: ProbeBox;
  /** Detector confidence, 0..1. */
  detectionScore: number;
  /** When the frame was captured, ISO 8601 in UTC. */
  capturedAt: string;
  /** The face (padded, ≤ 224 px) as a JPEG, base64 without a `data:` prefix; the server verifies candidates from it. */
  crop?: string;
  /** The ticket the server gave when it asked for this face's crop: the second sending, not counted again. */
  ticket?: string;
};

export type ProbeAnswer = { matched: true; alertId: string } | { matched: false; cropNeeded?: true; ticket?: string };

/** A candidate ticket as the server issues it: 16 random bytes, base64url. */
const TICKET = /^[A-Za-z0-9_-]{22}$/;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes that a padded base64 string decodes to (assumes it is well-formed base64). */
export function base64DecodedLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

const DESCRIPTOR_VALUE_LIMIT = 10;
const DESCRIPTOR_VALUE_MESSAGE = `descriptor values must lie between -${DESCRIPTOR_VALUE_LIMIT} and ${DESCRIPTOR_VALUE_LIMIT}`;

const coordinate = z.number().min(0, 'must not be negative');
const extent = z.number().positive('must be greater than 0');

export const ProbeBoxSchema = z.object({ x: coordinate, y: coordinate, width: extent, height: extent }).strict();

/** What is wrong with a crop, in words, or null when it is fine. */
function cropProblem(text: string): string | null {
  if (text.length === 0) return 'crop is required';
  if (text.length % 4 !== 0 || !BASE64.test(text)) return 'crop must be base64 without a data: prefix';
  // "/9j/" is the base64 of a JPEG's first bytes (FF D8 FF): the crop is shown to operators as a JPEG.
  if (!text.startsWith('/9j/')) return 'crop must be a JPEG image';
  if (base64DecodedLength(text) > PROBE_CROP_MAX_BYTES) return `crop must be at most ${PROBE_CROP_MAX_BYTES / 1024} KB`;
  return null;
}

export const ProbeCropSchema = z
  .string()
  // Checked first and alone, so a huge string is refused before any scan of it.
  .max(PROBE_CROP_MAX_BASE64_LENGTH, { message: `crop must be at most ${PROBE_CROP_MAX_BYTES / 1024} KB`, abort: true })
  .superRefine((text, context) => {
    const problem = cropProblem(text);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

export const ProbeSchema = z
  .object({
    cameraId: recordId('cameraId'),
    trackId: z.string().trim().min(1, 'trackId is required').max(64),
    // zod 4 numbers refuse NaN and ±Infinity, so this is "exactly 128 finite numbers" — and small
    // ones: face-api's lie within ±1, and a huge one would overflow to Infinity as a float32.
    descriptor: z
      .array(z.number().min(-DESCRIPTOR_VALUE_LIMIT, DESCRIPTOR_VALUE_MESSAGE).max(DESCRIPTOR_VALUE_LIMIT, DESCRIPTOR_VALUE_MESSAGE))
      .length(DESCRIPTOR_LENGTH, `descriptor must hold exactly ${DESCRIPTOR_LENGTH} numbers`),
    box: ProbeBoxSchema,
    detectionScore: z.number().min(0).max(1),
    capturedAt: z.iso.datetime({ offset: true, message: 'capturedAt must be an ISO 8601 date-time' }),
    crop: ProbeCropSchema.optional(),
    ticket: z.string().regex(TICKET, 'ticket must be the ticket the server gave with cropNeeded').optional(),
  })
  .strict()
  .refine((probe) => probe.ticket === undefined || probe.crop !== undefined, {
    message: 'a probe with a ticket must carry the crop asked for',
    path: ['crop'],
  }) satisfies z.ZodType<Probe>;

export const ProbeAnswerSchema = z.union([
  z.object({ matched: z.literal(true), alertId: z.string().min(1) }),
  z.object({ matched: z.literal(false), cropNeeded: z.literal(true).optional(), ticket: z.string().regex(TICKET).optional() }),
]);
