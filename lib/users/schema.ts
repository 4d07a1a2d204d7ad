import { z } from 'zod';
import { HUMAN_ROLES } from '@/lib/auth/permissions';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords-policy';
import { nameText } from '@/lib/validation/text';

/** Only the roles people hold: a camera agent is a service account, made on its own page (lib/service-accounts). */
export const RoleSchema = z.enum(HUMAN_ROLES, { message: `role must be one of: ${HUMAN_ROLES.join(', ')}` });

export const EmailSchema = nameText('email', 'email is required')
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'email must be a valid address' }));

/** The password policy, wherever a password is chosen. */
export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200, 'password must be at most 200 characters');

/** `password` is temporary: the new user chooses their own at first sign-in. */
export const CreateUserSchema = z
  .object({
    email: EmailSchema,
    name: nameText('name').min(1, 'name is required').max(120, 'name must be at most 120 characters'),
    role: RoleSchema,
    password: PasswordSchema,
  })
  .strict();
export type CreateUserInput = z.infer<typeof CreateUserSchema>;

export const UpdateUserSchema = z
  .object({
    name: nameText('name').min(1, 'name is required').max(120, 'name must be at most 120 characters').optional(),
    role: RoleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change: send name, role or disabled' });
export type UpdateUserInput = z.infer<typeof UpdateUserSchema>;

/** An admin sets a temporary password; the person chooses their own at their next sign-in. */
export const ResetPasswordSchema = z.object({ password: PasswordSchema }).strict();
export type ResetPasswordInput = z.infer<typeof ResetPasswordSchema>;

/** A person changes their own password: the current one proves it is them, not a borrowed session. */
export const ChangePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, 'currentPassword is required').max(200),
    newPassword: PasswordSchema,
  })
  .strict()
  .refine((v) => v.newPassword !== v.currentPassword, {
    path: ['newPassword'],
    message: 'the new password must differ from the current one',
  });
export type ChangePasswordInput = z.infer<typeof ChangePasswordSchema>;

export const SignInSchema = z.object({
  email: EmailSchema,
  password: z.string().min(1, 'password is required').max(200),
});
