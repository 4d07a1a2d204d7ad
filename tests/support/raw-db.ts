import Database from 'better-sqlite3';
import pg from 'pg';
import { sqliteFilePath } from '@/lib/db/url';

/**
 * Direct database access "behind the app's back", for tests that must see what is really
 * stored or simulate an attacker editing rows. Placeholders: $1, $2… for both databases.
 */
export async function rawQuery<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  if (url.startsWith('file:')) {
    const db = new Database(sqliteFilePath(url));
    try {
      const statement = db.prepare(sql.replace(/\$(\d+)/g, '?'));
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
