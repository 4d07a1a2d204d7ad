'use server';

import { signOut } from '@/auth';

/** Sign-out is audited by Auth.js's signOut event (auth.ts). */
export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/login' });
}
