import { z } from 'zod';

/**
 * The id of a stored thing (an alert, a deployment, a camera) sent in a body, query or socket
 * event. Ids are made by the server (cuids) and never typed, so anything but a short run of
 * ordinary characters is refused here with a 400 naming the field — before it reaches a query:
 * PostgreSQL refuses a NUL in text outright, which would otherwise surface as a 500.
 */
export const MAX_ID_LENGTH = 64;

/** C0 and C1 controls and DEL, and format characters (zero-width, bidi controls). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

export function recordId(field: string) {
  return z
    .string({ message: `${field} must be text` })
    .trim()
    .min(1, `${field} is required`)
    .max(MAX_ID_LENGTH, `${field} must be at most ${MAX_ID_LENGTH} characters`)
    .refine((id) => !UNPRINTABLE.test(id), `${field} must not contain control or invisible characters`);
}
