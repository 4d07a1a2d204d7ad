import { describe, expect, it } from 'vitest';
import { draftFromView, inputErrors, planChanges } from '@/components/deployments/plan-draft';
import type { DeploymentView } from '@/lib/deployments/data';

/** The plan editor's pure rules about the verification threshold: its range, and a threshold superseded by a new verifier. */

const FACEAPI = { id: 'faceapi-128', metric: 'euclidean' as const };
const ONNX = {
  id: 'arcface-r50',
  version: '1',
  name: 'ArcFace',
  metric: 'cosine' as const,
  range: { min: 0, max: 0.95, step: 0.01, stricter: 'higher' as const },
};

function view(overrides: Partial<DeploymentView> = {}, verifierUnavailable: string | null = null): DeploymentView {
  return {
    name: 'A plan',
    zone: null,
    startsAt: null,
    endsAt: null,
    locationRationale: '',
    intelligenceCase: '',
    necessityProportionality: '',
    watchlistIds: [],
    categories: [],
    threshold: 0.5,
    verifierId: 'faceapi-128',
    verifyThreshold: 0.45,
    signageConfirmed: false,
    cameras: [],
    accuracy: { verifier: ONNX, verifierUnavailable } as unknown as DeploymentView['accuracy'],
    ...overrides,
  } as DeploymentView;
}

describe('the verification threshold as typed', () => {
  it('is checked against the verifier’s own range, in the server’s words, so the editor never previews a value save refuses', () => {
    const draft = { ...draftFromView(view()), verifyThreshold: '0.9' };
    expect(inputErrors(draft, [], FACEAPI).verifyThreshold).toBe(
      'Choose a verification threshold between 0.3 and 0.7 for faceapi-128 (a distance: lower is stricter).',
    );
    expect(inputErrors({ ...draft, verifyThreshold: '0.45' }, [], FACEAPI).verifyThreshold).toBeUndefined();
    expect(inputErrors({ ...draft, verifyThreshold: '0.9' }, [], { id: 'arcface-r50', metric: 'cosine' }).verifyThreshold).toBeUndefined();
    expect(inputErrors({ ...draft, verifyThreshold: 'abc' }, [], FACEAPI).verifyThreshold).toBe('Enter a number, e.g. 0.45.');
  });
});

describe('a verification threshold chosen for a recogniser that no longer verifies here', () => {
  it('is not offered as a value: the planner chooses a new one, and nothing is pending until they do', () => {
    const superseded = view({}, 'faceapi-128');
    const draft = draftFromView(superseded);
    expect(draft.verifyThreshold).toBe('');
    expect(planChanges(draft, superseded)).toEqual({});
  });

  it('is saved as new when a value is typed, even the old number, so the server records it for the verifier running now', () => {
    const superseded = view({}, 'faceapi-128');
    expect(planChanges({ ...draftFromView(superseded), verifyThreshold: '0.45' }, superseded)).toEqual({ verifyThreshold: 0.45 });
    // A plan that is not superseded: the same number is no change.
    const current = view();
    expect(draftFromView(current).verifyThreshold).toBe('0.45');
    expect(planChanges({ ...draftFromView(current), verifyThreshold: '0.45' }, current)).toEqual({});
  });
});
