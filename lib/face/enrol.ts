/**
 * Server-side analysis of a watchlist reference image: from the uploaded bytes to either a face
 * descriptor computed here (a descriptor sent by a browser is never trusted) or a refusal a person
 * can act on, with the HTTP status the route should answer with.
 *
 * Cheap checks come first, so an image is refused before anything expensive happens to it: size,
 * then the type its bytes declare, then the dimensions in its headers — all before decoding.
 *
 * Callers: the watchlist route handlers, after they have checked the user may curate watchlists.
 * Nothing about a refused image is logged or kept here; the caller should not either.
 */
import { analyseFaces, UnusableFaceError } from '@/lib/recognition/face-analysis';
import { templatesOfFace, type EngineVector } from '@/lib/recognition/templates';
import { MAX_IMAGE_BYTES, MAX_IMAGE_SIDE, readImageDimensions, sniffImageType, type ImageMediaType } from './media';
import { assessReferenceFaces, type FaceBox } from './quality-gate';
import { UndecodableImageError } from './node-engine';

export type EnrolmentRefusalCode =
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'image_too_large'
  | 'unreadable_image'
  | 'no_face'
  | 'multiple_faces'
  | 'face_too_small'
  | 'low_quality'
  | 'unanalysable_face';

export type EnrolmentVerdict =
  | {
      ok: true;
      mediaType: ImageMediaType;
      /** Of the decoded image, after any EXIF rotation (as a browser displays it). */
      width: number;
      height: number;
      /** The face, in the same pixels. */
      box: FaceBox;
      score: number;
      /** face-api's descriptor (duplicate checks compare these). */
      descriptor: Float32Array;
      /** One template per enabled recogniser, face-api's included. */
      templates: EngineVector[];
    }
  | { ok: false; status: 413 | 415 | 422; code: EnrolmentRefusalCode; message: string };

/** Decide whether these bytes make a usable reference image and, if so, describe its one face. */
export async function analyseReferenceImage(bytes: Uint8Array): Promise<EnrolmentVerdict> {
  if (bytes.byteLength > MAX_IMAGE_BYTES) {
    return refuse(
      413,
      'payload_too_large',
      `The file is ${megabytes(bytes.byteLength)} MB; a reference image may be at most ${megabytes(MAX_IMAGE_BYTES)} MB.`,
    );
  }

  const mediaType = sniffImageType(bytes);
  if (!mediaType) {
    return refuse(415, 'unsupported_media_type', 'This file is not a JPEG, PNG or WebP image. Use a photo in one of those formats.');
  }

  const dimensions = readImageDimensions(bytes, mediaType);
  if (!dimensions) return refuse(422, 'unreadable_image', unreadableMessage);
  if (dimensions.width > MAX_IMAGE_SIDE || dimensions.height > MAX_IMAGE_SIDE) {
    return refuse(
      422,
      'image_too_large',
      `The image is ${dimensions.width} × ${dimensions.height} pixels; each side may be at most ${MAX_IMAGE_SIDE}. ` + 'Scale it down and try again.',
    );
  }

  let analysis;
  try {
    // In a face worker thread: the server's event loop never waits on the models.
    analysis = await analyseFaces(bytes);
  } catch (error) {
    if (error instanceof UndecodableImageError) return refuse(422, 'unreadable_image', unreadableMessage);
    // A recogniser that gives no finite vector for this face (lib/recognition/onnx-engine.ts):
    // the photo cannot be matched by it, so it cannot be a reference.
    if (error instanceof UnusableFaceError) {
      return refuse(422, 'unanalysable_face', `A recogniser could not describe the face in this photo (${error.message}). Use another photo.`);
    }
    throw error;
  }

  const verdict = assessReferenceFaces(analysis);
  if (!verdict.ok) return refuse(422, verdict.code, verdict.message);
  const { box, score, descriptor } = verdict.face;
  return { ok: true, mediaType, width: analysis.width, height: analysis.height, box, score, descriptor, templates: templatesOfFace(verdict.face) };
}

const unreadableMessage = 'The image could not be read; the file may be damaged or incomplete. Try exporting it again.';

function refuse(status: 413 | 415 | 422, code: EnrolmentRefusalCode, message: string): Extract<EnrolmentVerdict, { ok: false }> {
  return { ok: false, status, code, message };
}

/** Rounded up to a tenth, so a file just over the limit never reads as "10 MB; at most 10 MB". */
function megabytes(byteCount: number): string {
  return String(Math.ceil((byteCount / (1024 * 1024)) * 10) / 10);
}
