/**
 * An ArcFace-style recogniser a force supplies as an .onnx file with its manifest, run by
 * onnxruntime-node on the CPU (the binary ships inside the npm package; the project's .npmrc
 * stops its install script from fetching CUDA files, which fails offline and is not needed).
 *
 * Runs only inside the face worker threads. Opening checks the model against its manifest —
 * SHA-256 when the manifest gives one, input shape, output length — and runs it once, so a wrong
 * file or manifest stops the server at start-up with a message instead of producing nonsense
 * scores later.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { alignFace, modelInput, type Point, type RgbaImage } from './alignment';
import type { RecogniserManifest } from './manifest';
import { unitLength } from './vectors';

export type OnnxRecogniser = {
  manifest: RecogniserManifest;
  /** Frees the native session; the worker calls it before it exits (a live session crashes a thread's teardown). */
  release(): Promise<void>;
  /** The face's vector: aligned on the 5-point template, fed to the model, unit length for cosine. */
  embed(image: RgbaImage, landmarks68: readonly Point[]): Promise<Float32Array>;
  /** What the model declares, for the start-up log. */
  describe(): string;
};

type Dim = number | string | null | undefined;
type ValueMetadata = { name: string; isTensor?: boolean; type?: string; shape?: readonly Dim[] };

/** A fixed dimension, or null when the model leaves it open (a name or -1). */
const fixed = (d: Dim): number | null => (typeof d === 'number' && d > 0 ? d : null);

export async function openOnnxRecogniser(modelPath: string, manifest: RecogniserManifest): Promise<OnnxRecogniser> {
  const requireFromProject = createRequire(path.join(process.cwd(), 'package.json'));
  const ort = requireFromProject('onnxruntime-node') as typeof Ort;
  const model = await readModel(modelPath, manifest);
  let session: Ort.InferenceSession;
  try {
    // One thread: the worker pool decides the parallelism, and two cores are shared with the server.
    session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (error) {
    throw new Error(`Recogniser model ${modelPath} could not be loaded by onnxruntime: ${error instanceof Error ? error.message : String(error)}`);
  }

  try {
    return await checked(ort, session, modelPath, manifest);
  } catch (error) {
    await session.release().catch(() => undefined);
    throw error;
  }
}

/**
 * The model file's bytes, read once: the session is made from the very bytes whose hash was
 * checked, so the file cannot be swapped between the check and the load.
 */
async function readModel(modelPath: string, manifest: RecogniserManifest): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(modelPath);
  } catch (error) {
    throw new Error(`Recogniser model ${modelPath} could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (manifest.sha256) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== manifest.sha256) {
      throw new Error(`Recogniser model ${modelPath} does not match its manifest: SHA-256 is ${actual}, the manifest says ${manifest.sha256}.`);
    }
  }
  return bytes;
}

async function checked(ort: typeof Ort, session: Ort.InferenceSession, modelPath: string, manifest: RecogniserManifest): Promise<OnnxRecogniser> {
  const inputName = manifest.input.tensorName ?? session.inputNames[0];
  const outputName = manifest.outputName ?? session.outputNames[0];
  if (!inputName || !session.inputNames.includes(inputName)) {
    throw new Error(
      `Recogniser model ${modelPath} has no input "${inputName}" (it has: ${session.inputNames.join(', ')}); fix input.tensorName in the manifest.`,
    );
  }
  if (!outputName || !session.outputNames.includes(outputName)) {
    throw new Error(`Recogniser model ${modelPath} has no output "${outputName}" (it has: ${session.outputNames.join(', ')}); fix outputName in the manifest.`);
  }

  const { width, height, layout } = manifest.input;
  const expected = layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3];
  const inputMeta = metadataOf(session, 'input', inputName);
  if (inputMeta?.shape) {
    const shape = inputMeta.shape;
    const mismatch = shape.length !== 4 || shape.some((d, i) => fixed(d) !== null && fixed(d) !== expected[i]);
    if (mismatch) {
      throw new Error(
        `Recogniser model ${modelPath}: its input "${inputName}" has shape [${shape.join(', ')}], but the manifest describes ` +
          `[${expected.join(', ')}] (${layout}, ${width} × ${height}). Fix input.width, input.height or input.layout.`,
      );
    }
  }

  const run = async (data: Float32Array): Promise<Float32Array> => {
    const tensor = new ort.Tensor('float32', data, expected);
    const output = (await session.run({ [inputName]: tensor }))[outputName];
    if (!output) throw new Error(`The model returned no "${outputName}" output.`);
    return Float32Array.from(output.data as Float32Array);
  };

  // One run on a grey face: proves the model executes and tells the real output length.
  const probe = await run(modelInput(new Uint8Array(width * height * 3).fill(128), manifest.input));
  if (probe.length !== manifest.descriptorLength) {
    throw new Error(
      `Recogniser model ${modelPath} returns ${probe.length} numbers per face, but its manifest says descriptorLength ${manifest.descriptorLength}. ` +
        'Fix the manifest (or the model): a wrong length would make every comparison meaningless.',
    );
  }
  if (!probe.every(Number.isFinite)) throw new Error(`Recogniser model ${modelPath} returns values that are not finite numbers.`);

  // One face at a time per thread, so the aligned face and the model's input reuse two buffers
  // (fewer garbage collections on the live path), cleared after each face: a passer-by's face
  // must not linger in memory until the next one overwrites it.
  const faceBuffer = new Uint8Array(width * height * 3);
  const inputBuffer = new Float32Array(width * height * 3);
  return {
    manifest,
    release: () => session.release(),
    async embed(image, landmarks68) {
      try {
        const vector = await run(modelInput(alignFace(image, landmarks68, width, height, faceBuffer), manifest.input, inputBuffer));
        // A RangeError, so that callers can tell a face the model cannot describe from a fault.
        if (!vector.every(Number.isFinite)) throw new RangeError(`Recogniser ${manifest.name} (${manifest.id}) returned a value that is not a finite number.`);
        return manifest.metric === 'cosine' ? unitLength(vector) : vector;
      } finally {
        faceBuffer.fill(0);
        inputBuffer.fill(0);
      }
    },
    describe: () => `${manifest.name} (${manifest.id} ${manifest.version}): ${width} × ${height} ${layout} in, ${probe.length} numbers out, ${manifest.metric}`,
  };
}

function metadataOf(session: Ort.InferenceSession, kind: 'input' | 'output', name: string): ValueMetadata | undefined {
  const list =
    (kind === 'input'
      ? (session as unknown as { inputMetadata?: readonly ValueMetadata[] }).inputMetadata
      : (session as unknown as { outputMetadata?: readonly ValueMetadata[] }).outputMetadata) ?? [];
  return list.find((m) => m.name === name);
}
