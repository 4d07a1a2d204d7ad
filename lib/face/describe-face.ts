import type * as FaceApiModule from '@vladmandic/face-api';

/**
 * One face's descriptor from a frame tensor: landmarks on the detector's box, then the recognition
 * net on the landmark-aligned face — what face-api's withFaceLandmarks().withFaceDescriptors()
 * does, but for one chosen face instead of all. Shared by the browser's detector worker
 * (lib/face/detector-worker.ts) and the camera agent (lib/agent/detector.ts), so both send the
 * same numbers for the same face.
 *
 * Pure apart from face-api, which the caller passes in (each loads its own build). Null when the
 * face could not be described (box off the picture, landmarks or descriptor not finite).
 */
export async function describeFaceInTensor(
  api: typeof FaceApiModule,
  tensor: FaceApiModule.tf.Tensor3D,
  box: { x: number; y: number; width: number; height: number },
): Promise<Float32Array | null> {
  const [faceTensor] = await api.extractFaceTensors(tensor, [new api.Rect(box.x, box.y, box.width, box.height)]);
  if (!faceTensor) return null;
  let landmarks: FaceApiModule.FaceLandmarks68;
  try {
    landmarks = (await api.nets.faceLandmark68Net.detectLandmarks(faceTensor)) as FaceApiModule.FaceLandmarks68;
  } finally {
    faceTensor.dispose();
  }
  const aligned = landmarks.shiftBy<FaceApiModule.FaceLandmarks68>(box.x, box.y).align(null, { useDlibAlignment: true });
  const [alignedTensor] = await api.extractFaceTensors(tensor, [new api.Rect(aligned.x, aligned.y, aligned.width, aligned.height)]);
  if (!alignedTensor) return null;
  let descriptor: Float32Array;
  try {
    descriptor = (await api.nets.faceRecognitionNet.computeFaceDescriptor(alignedTensor)) as Float32Array;
  } finally {
    alignedTensor.dispose();
  }
  if (descriptor.length !== 128 || !descriptor.every(Number.isFinite)) return null;
  // A copy with its own buffer: the net's output may be a view on memory the backend reuses.
  return Float32Array.from(descriptor);
}
