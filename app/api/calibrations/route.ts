import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { unprocessable } from '@/lib/http/errors';
import { readMultipart, textFields } from '@/lib/http/multipart';
import { parseInput, route } from '@/lib/http/route';
import { assertNoCalibrationRunning, startCalibrationJob } from '@/lib/recognition/calibration-jobs';
import { CalibrationSetError, readSetFromZip } from '@/lib/recognition/calibration-set';
import { CalibrationRunSchema, MAX_CALIBRATION_UPLOAD_BYTES } from '@/lib/recognition/schema';

/**
 * Starts a calibration from an uploaded labelled set (a zip: one folder per person, optionally
 * groups.csv; or the CSV as the `groups` field). Answers 202 at once with the run's id; the
 * Recognition page follows its progress. The photos stay in memory and go when the run ends.
 * 409 while another run is going, before the body is read.
 */
export const POST = route(async (request) => {
  const actor = await requirePermission('recognition:manage');
  // 409 before reading up to 100 MB that could not be used (startCalibrationJob checks again, race-safe).
  await assertNoCalibrationRunning();
  const form = await readMultipart(request, MAX_CALIBRATION_UPLOAD_BYTES);
  const meta = parseInput(CalibrationRunSchema, textFields(form, ['set', 'groups']));
  const [zip] = form.files('set');
  if (!zip || zip.bytes.byteLength === 0) throw unprocessable('no_set', 'Attach the labelled set as a zip file in the `set` field.');
  const [groups] = form.files('groups');
  let set;
  try {
    set = await readSetFromZip(zip.bytes, groups ? new TextDecoder().decode(groups.bytes) : undefined);
  } catch (error) {
    if (error instanceof CalibrationSetError) throw unprocessable('unusable_set', error.message);
    throw error;
  }
  const id = await startCalibrationJob({ actor, ip: clientIpFrom(request.headers) }, set, meta);
  return Response.json({ id, images: set.images.length, people: new Set(set.images.map((i) => i.identity)).size, warnings: set.warnings }, { status: 202 });
});
