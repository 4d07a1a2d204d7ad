import { z } from 'zod';
import { nameText } from '@/lib/validation/text';

/** How long a new key works unless the admin says otherwise, and the most they may choose. */
export const DEFAULT_KEY_DAYS = 90;
export const MAX_KEY_DAYS = 365;

const ExpiresInDays = z
  .number({ message: 'expiresInDays must be a number of days' })
  .int('expiresInDays must be a whole number of days')
  .min(1, 'expiresInDays must be at least 1')
  .max(MAX_KEY_DAYS, `expiresInDays must be at most ${MAX_KEY_DAYS} (a year): rotate the key instead`);

export const CreateServiceAccountSchema = z
  .object({
    name: nameText('name').min(1, 'name is required').max(120, 'name must be at most 120 characters'),
    deploymentIds: z
      .array(z.string().trim().min(1, 'deploymentIds must not hold empty ids').max(64), { message: 'deploymentIds must be a list of deployment ids' })
      .min(1, 'deploymentIds: give at least one deployment the account may act for')
      .max(50, 'deploymentIds: at most 50 deployments per account')
      .transform((ids) => [...new Set(ids)]),
    expiresInDays: ExpiresInDays.default(DEFAULT_KEY_DAYS),
  })
  .strict();
export type CreateServiceAccountInput = z.infer<typeof CreateServiceAccountSchema>;

/** A new key for the account: the old one stops working at once. */
export const RotateKeySchema = z.object({ expiresInDays: ExpiresInDays.default(DEFAULT_KEY_DAYS) }).strict();
export type RotateKeyInput = z.infer<typeof RotateKeySchema>;
