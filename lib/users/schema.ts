import { z } from 'zod';
import { ROLES } from '@/lib/auth/permissions';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/passwords-policy';
import { nameText } from '@/lib/validation/text';

export const RoleSchema = z.enum(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` });

export const EmailSchema = nameText('email', 'email is required')
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'email must be a valid address' }));

export const CreateUserSchema = z
  .object({
    email: EmailSchema,
    name: nameText('name').min(1, 'name is required').max(120, 'name must be at most 120 characters'),
    role: RoleSchema,
    password: z
      .string()
      .min(MIN_PASSWORD_LENGTH, `password must be at least ${MIN_PASSWORD_LENGTH} characters`)
      .max(200),
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

export const SignInSchema = z.object({
  email: EmailSchema,
  password: z.string().min(1, 'password is required').max(200),
});
