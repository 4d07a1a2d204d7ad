import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { serverEnv } from '@/lib/config/env';
import { processState } from '@/lib/process-state';
import { FACEAPI_128, FACEAPI_ENGINE_ID, engineKey, parseManifest, type RecogniserManifest } from './manifest';
import { faceLanes, type WorkerLane } from './pool';
import type { WorkerConfig } from './worker/protocol';

/**
 * Which recognisers this installation runs, from its configuration:
 * - `faceapi-128` always: the browser's first stage, and the verifier when nothing stronger is set;
 * - an ONNX recogniser when RECOGNISER_ONNX_MODEL and RECOGNISER_ONNX_MANIFEST name one: it then
 *   verifies the candidates of every plan going live (a plan's verification threshold belongs to
 *   it: lib/recognition/forecasts.ts planVerifier), and templates are computed for it at enrolment.
 *   Deployments already live keep the verifier they went live with while it is enabled.
 *
 * Server only. `checkRecognisers()` runs at start-up and refuses a wrong file or manifest with a
 * message naming the problem; everything else trusts what it checked.
 */

export type EnabledEngine = { manifest: RecogniserManifest; kind: 'faceapi' | 'onnx'; modelPath?: string };

type Configured = { engines: EnabledEngine[]; worker: WorkerConfig };

const holder = processState<{ current?: Configured }>('recognisers', () => ({}));

function readConfiguration(): Configured {
  const env = serverEnv();
  const model = env.RECOGNISER_ONNX_MODEL;
  const manifestFile = env.RECOGNISER_ONNX_MANIFEST;
  const faceapi: EnabledEngine = { manifest: FACEAPI_128, kind: 'faceapi' };
  if (!model && !manifestFile) return { engines: [faceapi], worker: { onnx: null } };
  if (!model) throw new Error('RECOGNISER_ONNX_MANIFEST is set but RECOGNISER_ONNX_MODEL is not: name the .onnx file too, or unset both.');
  if (!manifestFile) throw new Error('RECOGNISER_ONNX_MODEL is set but RECOGNISER_ONNX_MANIFEST is not: a model needs its manifest (see docs/recognisers.md).');

  const modelPath = path.resolve(model);
  const manifestPath = path.resolve(manifestFile);
  if (!existsSync(modelPath) || !statSync(modelPath).isFile()) throw new Error(`Recogniser model ${modelPath} (RECOGNISER_ONNX_MODEL): no such file.`);
  if (!existsSync(manifestPath) || !statSync(manifestPath).isFile())
    throw new Error(`Recogniser manifest ${manifestPath} (RECOGNISER_ONNX_MANIFEST): no such file.`);
  const manifest = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  // The model's SHA-256 is checked by each face worker on the bytes it loads (onnx-engine.ts), not
  // here: a file checked here and read again there could change in between.
  return {
    engines: [faceapi, { manifest, kind: 'onnx', modelPath }],
    worker: { onnx: { modelPath, manifest } },
  };
}

function configured(): Configured {
  holder.current ??= readConfiguration();
  return holder.current;
}

/** Every recogniser enabled here, face-api first. */
export function enabledEngines(): EnabledEngine[] {
  return configured().engines;
}

export function engineById(id: string): EnabledEngine | null {
  return enabledEngines().find((e) => e.manifest.id === id) ?? null;
}

/** The recogniser that verifies candidates: the configured ONNX model if any, else face-api. */
export function verifyingEngine(): EnabledEngine {
  const engines = enabledEngines();
  return engines.find((e) => e.kind === 'onnx') ?? engines[0]!;
}

/** The first stage is always face-api: it is what the browser computes for every face. */
export function candidateEngine(): EnabledEngine {
  return enabledEngines()[0]!;
}

/** The engine keys (id@version) templates must exist for. */
export function requiredTemplateKeys(): string[] {
  return enabledEngines().map((e) => engineKey(e.manifest));
}

export function faceLane(name: 'verify' | 'analyse'): WorkerLane {
  const env = serverEnv();
  const lanes = faceLanes(configured().worker, {
    verify: { size: env.RECOGNITION_VERIFY_THREADS },
    analyse: { size: env.RECOGNITION_ANALYSE_THREADS },
  });
  return lanes.get(name)!;
}

/**
 * Start-up check: reads the configuration, starts the face worker threads and waits until each
 * has loaded its models (the ONNX model checked against its manifest — SHA-256, input, output —
 * and run once). Throws an Error whose message says what is wrong, the workers' included;
 * returns a line for the log.
 */
export async function checkRecognisers(): Promise<string> {
  holder.current = undefined;
  const { engines } = configured();
  await Promise.all([faceLane('verify').start(), faceLane('analyse').start()]);
  const names = engines.map((e) => `${e.manifest.id} ${e.manifest.version}`);
  return (
    `recognisers: ${names.join(', ')}; candidates verified by ${verifyingEngine().manifest.id}` +
    (engines.length === 1 ? ` (no ONNX recogniser configured; the bundled model cannot meet large-watchlist targets)` : '')
  );
}

export { FACEAPI_ENGINE_ID };
