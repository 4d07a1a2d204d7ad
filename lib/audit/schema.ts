import { z } from 'zod';
import { nameText } from '@/lib/validation/text';
import { AUDIT_ACTIONS } from './actions';

const DAY_MS = 86_400_000;
const dateTime = z.iso.datetime({ offset: true }).transform((v) => new Date(v));
// A bare date means the whole day: from its first to its last millisecond (UTC).
const fromDate = dateTime.or(z.iso.date().transform((v) => new Date(`${v}T00:00:00.000Z`)));
const toDate = dateTime.or(z.iso.date().transform((v) => new Date(new Date(`${v}T00:00:00.000Z`).getTime() + DAY_MS - 1)));

/** Query of GET /api/audit and the /audit page (all optional; strings from a URL). */
export const AuditQuerySchema = z
  .object({
    actor: nameText('actor').min(1).max(200).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    from: fromDate.optional(),
    to: toDate.optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '`from` must not be after `to`', path: ['from'] });

export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/**
 * A chain head recorded earlier, as the audit page shows it: `<seq>:<hash>`. Verification then
 * also checks that this event is still in the chain unchanged, which catches the one thing the
 * chain alone cannot: the newest events removed together.
 */
export const VerifyQuerySchema = z
  .object({
    anchor: z
      .string()
      .trim()
      .regex(/^\d{1,12}:[0-9a-fA-F]{64}$/, 'must be "<event number>:<64 hexadecimal characters>", as the audit page shows the chain head')
      .transform((value) => {
        const [seq, hash] = value.split(':') as [string, string];
        return { seq: Number(seq), hash: hash.toLowerCase() };
      })
      .optional(),
  })
  .strict();
