import { getDb } from './client';

/** True when the database answers a trivial query. */
export async function checkDatabase(): Promise<boolean> {
  try {
    await getDb().$queryRawUnsafe('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
