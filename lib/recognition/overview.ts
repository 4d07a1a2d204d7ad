import { thresholdsInUse } from '@/lib/deployments/data';
import { getAccuracyTarget } from '@/lib/settings/data';
import { templateCoverage } from '@/lib/watchlists/data';
import { backfillProgress, type BackfillProgress } from './backfill';
import { detCurve, fmrAt, fnmrAt, type CalibrationResult, type CurvePoint, type EngineCalibration } from './calibration';
import { calibrationInUse, getCalibration, listCalibrations, type StoredCalibration } from './data';
import { enabledEngines, verifyingEngine } from './engines';
import { FACEAPI_ENGINE_ID, type RecogniserManifest } from './manifest';

/**
 * What the Recognition page shows, read for anyone with 'recognition:read': the recognisers
 * running here with their manifests, how many reference images have their templates, the
 * calibrations (summaries), which one each recogniser's forecasts use, the force's target, and the
 * thresholds plans are using now. Counts and curves only: never a face, a name or a vector.
 */

export type CalibrationSummary = Omit<StoredCalibration, 'result'> & {
  identities: number | null;
  images: number | null;
  skipped: Record<string, number>;
  engines: { engineId: string; engineVersion: string; genuinePairs: number; impostorPairs: number; dPrime: number | null; groups: string[] }[];
};

export type RecognitionOverview = {
  engines: {
    manifest: RecogniserManifest;
    kind: 'faceapi' | 'onnx';
    roles: ('first stage' | 'verifier')[];
    templates: number;
    images: number;
    backfill: BackfillProgress | null;
    activeCalibrationId: string | null;
  }[];
  target: { facesPerFalseAlert: number; perFace: number; isDefault: boolean };
  calibrations: CalibrationSummary[];
  operatingPoints: Awaited<ReturnType<typeof thresholdsInUse>>;
};

export function summariseCalibration({ result, ...rest }: StoredCalibration): CalibrationSummary {
  return {
    ...rest,
    identities: result?.identities ?? null,
    images: result?.images ?? null,
    skipped: result?.skipped ?? {},
    engines: (result?.engines ?? []).map((e) => ({
      engineId: e.engineId,
      engineVersion: e.engineVersion,
      genuinePairs: e.genuine.pairs,
      impostorPairs: e.impostor.pairs,
      dPrime: e.dPrime,
      groups: e.groups.map((g) => g.group),
    })),
  };
}

export async function recognitionOverview(): Promise<RecognitionOverview> {
  const engines = enabledEngines();
  const verifier = verifyingEngine().manifest.id;
  const [coverage, target, calibrations, operatingPoints, active] = await Promise.all([
    templateCoverage(engines.map((e) => ({ engineId: e.manifest.id, engineVersion: e.manifest.version }))),
    getAccuracyTarget(),
    listCalibrations(),
    thresholdsInUse(),
    Promise.all(engines.map((e) => calibrationInUse(e.manifest.id, e.manifest.version))),
  ]);
  const progress = backfillProgress();
  return {
    engines: engines.map((e, i) => ({
      manifest: e.manifest,
      kind: e.kind,
      roles: [...(i === 0 ? (['first stage'] as const) : []), ...(e.manifest.id === verifier ? (['verifier'] as const) : [])],
      templates: coverage.engines[i]!.templates,
      images: coverage.images,
      backfill: progress.find((p) => p.engineId === e.manifest.id && p.engineVersion === e.manifest.version) ?? null,
      activeCalibrationId: active[i]?.calibrationId ?? null,
    })),
    target: { facesPerFalseAlert: target.facesPerFalseAlert, perFace: target.perFace, isDefault: target.isDefault },
    calibrations: calibrations.map(summariseCalibration),
    operatingPoints,
  };
}

export type OperatingPointView = { label: string; threshold: number; fmr: number; fnmr: number };

export type CalibrationCurves = {
  calibration: CalibrationSummary;
  engines: {
    engineId: string;
    engineVersion: string;
    metric: 'euclidean' | 'cosine';
    dPrime: number | null;
    curve: CurvePoint[];
    /** The thresholds plans use now with this recogniser, placed on this calibration's curve. */
    operatingPoints: OperatingPointView[];
    groups: { group: string; identities: number; genuinePairs: number; impostorPairs: number; dPrime: number | null; curve: CurvePoint[] }[];
  }[];
};

/** One calibration with its DET curves (overall and per group), for the page's charts. */
export async function calibrationCurves(id: string): Promise<CalibrationCurves | null> {
  const calibration = await getCalibration(id);
  if (!calibration) return null;
  const result: CalibrationResult | null = calibration.result;
  const plans = await thresholdsInUse();
  const pointsFor = (e: EngineCalibration): OperatingPointView[] => {
    const at = (label: string, threshold: number) => ({ label, threshold, fmr: fmrAt(e, threshold).estimate, fnmr: fnmrAt(e, threshold).estimate });
    return plans.flatMap((plan) => [
      ...(e.engineId === FACEAPI_ENGINE_ID && plan.threshold !== null ? [at(`${plan.name}: candidates ${plan.threshold.toFixed(2)}`, plan.threshold)] : []),
      ...(plan.verifierId === e.engineId && plan.verifyThreshold !== null
        ? [at(`${plan.name}: verification ${plan.verifyThreshold.toFixed(2)}`, plan.verifyThreshold)]
        : []),
    ]);
  };
  return {
    calibration: summariseCalibration(calibration),
    engines: (result?.engines ?? []).map((e) => ({
      engineId: e.engineId,
      engineVersion: e.engineVersion,
      metric: e.metric,
      dPrime: e.dPrime,
      curve: detCurve(e),
      operatingPoints: pointsFor(e),
      groups: e.groups.map((g) => ({
        group: g.group,
        identities: g.identities,
        genuinePairs: g.genuine.pairs,
        impostorPairs: g.impostor.pairs,
        dPrime: g.dPrime,
        curve: detCurve({ genuine: g.genuine, impostor: g.impostor, metric: e.metric }),
      })),
    })),
  };
}
