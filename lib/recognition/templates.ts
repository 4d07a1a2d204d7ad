import { enabledEngines } from './engines';
import { FACEAPI_ENGINE_ID } from './manifest';

/** One recogniser's vector of one face, labelled with the recogniser that made it. */
export type EngineVector = { engineId: string; engineVersion: string; vector: Float32Array };

/**
 * The templates to store for an analysed face: one per enabled recogniser, face-api's
 * descriptor under its own id. Throws when an enabled recogniser's vector is missing — a face
 * must never be enrolled for one recogniser and silently not for another.
 */
export function templatesOfFace(face: { descriptor: Float32Array; vectors: Record<string, Float32Array> }): EngineVector[] {
  return enabledEngines().map(({ manifest }) => {
    const vector = manifest.id === FACEAPI_ENGINE_ID ? face.descriptor : face.vectors[manifest.id];
    if (!vector) throw new Error(`No ${manifest.id} vector was computed for this face.`);
    if (vector.length !== manifest.descriptorLength) {
      throw new Error(`${manifest.id} gave ${vector.length} numbers for this face; its manifest says ${manifest.descriptorLength}.`);
    }
    return { engineId: manifest.id, engineVersion: manifest.version, vector };
  });
}
