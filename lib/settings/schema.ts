import { z } from 'zod';
import { nameText } from '@/lib/validation/text';

/**
 * Installation-wide settings admins choose. Each has a default, so a fresh installation works;
 * every change is audited (lib/settings/mutations.ts).
 */

/**
 * The force's accuracy target: at most one false alert in this many faces processed. The default
 * is the Metropolitan Police's published figure (about 1 false alert in 6,000 faces with a
 * watchlist of about 10,000; NPL evaluation, 2023).
 */
export const DEFAULT_FACES_PER_FALSE_ALERT = 6000;
export const MIN_FACES_PER_FALSE_ALERT = 10;
export const MAX_FACES_PER_FALSE_ALERT = 100_000_000;

export const AccuracyTargetSchema = z
  .object({
    facesPerFalseAlert: z
      .number({ message: 'facesPerFalseAlert must be a number: the target is 1 false alert in this many faces' })
      .int('facesPerFalseAlert must be a whole number of faces')
      .min(MIN_FACES_PER_FALSE_ALERT, `facesPerFalseAlert must be at least ${MIN_FACES_PER_FALSE_ALERT}`)
      .max(MAX_FACES_PER_FALSE_ALERT, `facesPerFalseAlert must be at most ${MAX_FACES_PER_FALSE_ALERT.toLocaleString('en-GB')}`),
  })
  .strict();
export type AccuracyTarget = z.infer<typeof AccuracyTargetSchema>;

/** The force's name, printed on the records it publishes (lib/records). */
export const DEFAULT_FORCE_NAME = 'Police force (name not set)';
export const ForceNameSchema = z
  .object({
    name: nameText('name', 'name must be text: the force name printed on published records')
      .min(2, 'name must be at least 2 characters')
      .max(120, 'name must be at most 120 characters'),
  })
  .strict();
export type ForceName = z.infer<typeof ForceNameSchema>;

/**
 * When an alert still awaiting a decision escalates: its row turns colour after the first limit;
 * after the second the queue sounds again and senior officers see it on the live overview.
 */
export const DEFAULT_ESCALATION = { colourAfterSeconds: 60, soundAfterSeconds: 180 } as const;
export const EscalationSchema = z
  .object({
    colourAfterSeconds: z
      .number({ message: 'colourAfterSeconds must be a number of seconds' })
      .int('colourAfterSeconds must be a whole number of seconds')
      .min(10, 'colourAfterSeconds must be at least 10 seconds')
      .max(3600, 'colourAfterSeconds must be at most 3600 seconds (an hour)'),
    soundAfterSeconds: z
      .number({ message: 'soundAfterSeconds must be a number of seconds' })
      .int('soundAfterSeconds must be a whole number of seconds')
      .min(20, 'soundAfterSeconds must be at least 20 seconds')
      .max(7200, 'soundAfterSeconds must be at most 7200 seconds (two hours)'),
  })
  .strict()
  .refine((e) => e.soundAfterSeconds > e.colourAfterSeconds, {
    message: 'soundAfterSeconds must be later than colourAfterSeconds: the sound and the overview entry come after the colour',
    path: ['soundAfterSeconds'],
  });
export type Escalation = z.infer<typeof EscalationSchema>;

export const SETTING_KEYS = {
  accuracyTarget: 'accuracy.target',
  alertEscalation: 'alerts.escalation',
  forceName: 'force.name',
  /** Followed by the recogniser id: the calibration its forecasts use. */
  calibrationPrefix: 'calibration.active.',
} as const;
