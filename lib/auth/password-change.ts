import { HttpError } from '@/lib/http/errors';

/** A session whose password an admin chose passes no gate but the password page's (lib/auth/guards.ts). */
export const passwordChangeRequired = () =>
  new HttpError(403, 'password_change_required', 'Choose your own password first (your account has a temporary one).');
