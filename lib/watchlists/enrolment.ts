import { setImmediate as nextTurn } from 'node:timers/promises';
import { analyseReferenceImage } from '@/lib/face/enrol';
import { HttpError, unprocessable } from '@/lib/http/errors';
import type { UploadedFile } from '@/lib/http/multipart';
import type { AcceptedImage } from './mutations';
import { MAX_IMAGES_PER_REQUEST } from './schema';

type AcceptedVerdict = Extract<Awaited<ReturnType<typeof analyseReferenceImage>>, { ok: true }>;

/** An image the server's pipeline accepted, as it is stored (uploads and the demo seed alike). */
export function acceptedImage(fileName: string, bytes: Uint8Array, verdict: AcceptedVerdict): AcceptedImage {
  const { mediaType, width, height, box, score, descriptor, templates } = verdict;
  return { fileName, bytes, mediaType, width, height, box, score, descriptor, templates };
}

export type FileVerdict = { file: string; ok: true } | { file: string; ok: false; code: string; message: string };

/**
 * Runs every uploaded file through the server's own face pipeline and quality gate. Either all
 * files pass (and are returned ready to store) or the request is refused with the first
 * refusal's status, listing a verdict per file — nothing is half-saved.
 */
export async function acceptUploads(uploads: UploadedFile[]): Promise<{ accepted: AcceptedImage[]; verdicts: FileVerdict[] }> {
  if (uploads.length === 0) throw unprocessable('no_images', 'Attach at least one reference image in the `images` field.');
  if (uploads.length > MAX_IMAGES_PER_REQUEST) {
    throw unprocessable('too_many_images', `At most ${MAX_IMAGES_PER_REQUEST} images per request.`);
  }

  const accepted: AcceptedImage[] = [];
  const verdicts: FileVerdict[] = [];
  let firstRefusal: { status: number; code: string; message: string } | null = null;
  for (const [i, upload] of uploads.entries()) {
    // A refusal needs no wait: let other requests in between files all the same.
    if (i > 0) await nextTurn();
    // A view of the request body: nothing is copied unless the face worker gets it.
    const bytes = upload.bytes;
    const verdict = await analyseReferenceImage(bytes);
    const file = upload.name || 'image';
    if (verdict.ok) {
      verdicts.push({ file, ok: true });
      accepted.push(acceptedImage(file, bytes, verdict));
    } else {
      verdicts.push({ file, ok: false, code: verdict.code, message: verdict.message });
      firstRefusal ??= { status: verdict.status, code: verdict.code, message: `${file}: ${verdict.message}` };
    }
  }
  if (firstRefusal) throw new HttpError(firstRefusal.status, firstRefusal.code, firstRefusal.message, { files: verdicts });
  return { accepted, verdicts };
}
