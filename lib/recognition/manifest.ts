import { z } from 'zod';
import { freeText, nameText } from '@/lib/validation/text';

/**
 * What a recogniser is: the facts a force needs before trusting its scores, and the facts the
 * server needs to feed it a face and compare what comes out. Every recogniser Sightline runs has
 * one — the bundled face-api net (FACEAPI_128 below) and any ONNX model a force configures,
 * whose manifest is a JSON file beside the model (docs/recognisers.md explains each field).
 *
 * Pure: shared by the server, the face worker, the calibration command and tests.
 */

export const METRICS = ['euclidean', 'cosine'] as const;
export type Metric = (typeof METRICS)[number];

export const ALIGNMENTS = ['arcface-5pt', 'dlib-68'] as const;
export type Alignment = (typeof ALIGNMENTS)[number];

/** Engine ids are stored with every template and alert: short, stable, safe in URLs and logs. */
const ENGINE_ID = /^[a-z0-9][a-z0-9._-]{1,62}$/;

const text = (what: string) => nameText(what).min(1, `${what} is required`).max(500);

const channelTriple = (what: string) =>
  z
    .array(z.number({ message: `${what} must be three numbers` }), { message: `${what} must be three numbers (one per colour channel)` })
    .length(3, `${what} must be three numbers (one per colour channel)`);

export const ManifestInputSchema = z
  .object({
    width: z.number().int().min(32, 'input.width must be at least 32').max(1024),
    height: z.number().int().min(32, 'input.height must be at least 32').max(1024),
    colourOrder: z.enum(['RGB', 'BGR'], { message: 'input.colourOrder must be "RGB" or "BGR"' }),
    layout: z.enum(['NCHW', 'NHWC'], { message: 'input.layout must be "NCHW" or "NHWC"' }),
    /** value fed to the model = (pixel 0–255 − mean) / std, per channel in colourOrder. */
    mean: channelTriple('input.mean'),
    std: channelTriple('input.std').refine((s) => s.every((v) => v !== 0), 'input.std must not contain 0'),
    alignment: z.enum(ALIGNMENTS, { message: `input.alignment must be one of: ${ALIGNMENTS.join(', ')}` }),
    /** The model's input tensor; the first input when omitted. */
    tensorName: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const ManifestSchema = z
  .object({
    id: z.string({ message: 'id is required' }).regex(ENGINE_ID, 'id must be 2–63 characters of a–z, 0–9, ".", "_" or "-", starting with a letter or digit'),
    version: text('version'),
    name: text('name'),
    licence: z
      .object({ code: text('licence.code'), weights: text('licence.weights') }, { message: 'licence is required: the licence of the code and of the weights' })
      .strict(),
    trainedOn: freeText('trainedOn', 'trainedOn is required').min(1, 'trainedOn is required').max(500),
    input: ManifestInputSchema,
    descriptorLength: z
      .number({ message: 'descriptorLength is required' })
      .int('descriptorLength must be a whole number')
      .min(16, 'descriptorLength must be at least 16')
      .max(4096, 'descriptorLength must be at most 4096'),
    metric: z.enum(METRICS, { message: `metric must be one of: ${METRICS.join(', ')}` }),
    /** The model's output tensor; the first output when omitted. */
    outputName: z.string().trim().min(1).max(200).optional(),
    /** SHA-256 of the model file, hex: when given, a different file is refused at start-up. */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'sha256 must be 64 hexadecimal characters')
      .transform((v) => v.toLowerCase())
      .optional(),
    /** Free text shown to officers: what the force knows about this model's limits. */
    notes: freeText('notes').max(2000).optional(),
  })
  .strict();

export type RecogniserManifest = z.infer<typeof ManifestSchema>;

/** Id of the bundled recogniser: the browser's first stage and the default verifier. */
export const FACEAPI_ENGINE_ID = 'faceapi-128';

/**
 * The bundled recogniser: @vladmandic/face-api's recognition net, a port of dlib's ResNet-29
 * (weights released by Davis King into the public domain, CC0). Fed the face cut out around its
 * 68 landmarks (face-api's own dlib-style alignment) at 150 px; 128 numbers out; compared by
 * euclidean distance.
 */
export const FACEAPI_128: RecogniserManifest = {
  id: FACEAPI_ENGINE_ID,
  version: '1.7.15',
  name: 'face-api recognition net (dlib ResNet, 128 numbers)',
  licence: { code: 'MIT (@vladmandic/face-api)', weights: 'CC0 1.0 (dlib face recognition model, Davis E. King)' },
  trainedOn: 'about 3 million faces of some 7,500 people (dlib: FaceScrub, VGG and web images); demographic make-up not published',
  input: { width: 150, height: 150, colourOrder: 'RGB', layout: 'NHWC', mean: [0, 0, 0], std: [1, 1, 1], alignment: 'dlib-68' },
  descriptorLength: 128,
  metric: 'euclidean',
  notes: 'Fast enough for every face in the browser, but not accurate enough alone for large watchlists (see the calibration page).',
};

/** Parses a manifest file's text, or throws an Error whose message names every problem and the file. */
export function parseManifest(json: string, source: string): RecogniserManifest {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`Recogniser manifest ${source} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  const parsed = ManifestSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
    throw new Error(`Recogniser manifest ${source} is not usable: ${problems.join('; ')}.`);
  }
  if (parsed.data.id === FACEAPI_ENGINE_ID) {
    throw new Error(`Recogniser manifest ${source}: id "${FACEAPI_ENGINE_ID}" belongs to the bundled recogniser; choose another id.`);
  }
  if (parsed.data.input.alignment !== 'arcface-5pt') {
    throw new Error(
      `Recogniser manifest ${source}: ONNX models are fed faces aligned with "arcface-5pt"; input.alignment "${parsed.data.input.alignment}" is not supported.`,
    );
  }
  return parsed.data;
}

/** The key templates are stored under: a template made by another version of a model is not comparable. */
export function engineKey(manifest: Pick<RecogniserManifest, 'id' | 'version'>): string {
  return `${manifest.id}@${manifest.version}`;
}
