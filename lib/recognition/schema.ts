import { z } from 'zod';
import { freeText, nameText } from '@/lib/validation/text';

/** Inputs of the Recognition page's API: a calibration run's description, and choosing one for forecasts. */

export const CalibrationRunSchema = z
  .object({
    name: nameText('name').min(1, 'name is required').max(120, 'name must be at most 120 characters'),
    source: freeText('source', 'source is required')
      .min(
        20,
        'source must say what the faces are and where they came from (at least 20 characters): it is shown beside every forecast made from this calibration',
      )
      .max(2000, 'source must be at most 2000 characters'),
  })
  .strict();

export const ActivateCalibrationSchema = z
  .object({ engineId: z.string({ message: 'engineId is required' }).trim().min(1, 'engineId is required').max(64) })
  .strict();

/** Largest calibration upload: a zip of photos, held in memory while it is measured. */
export const MAX_CALIBRATION_UPLOAD_BYTES = 100 * 1024 * 1024;
