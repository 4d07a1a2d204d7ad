import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Which database Sightline talks to, decided by one variable: DATABASE_URL.
 *   file:<path>                     → SQLite (the embedded default)
 *   postgres:// or postgresql://    → PostgreSQL
 * Relative SQLite paths resolve against the project root, which is the working directory
 * of every entry point (npm scripts, server.ts, tests) — the same folder as prisma.config.ts,
 * which is what the Prisma CLI resolves them against too.
 */
export type DatabaseProvider = 'sqlite' | 'postgresql';

export const DEFAULT_DATABASE_URL = 'file:./data/sightline.db';

/** DATABASE_URL, or the SQLite file under data/ when it is unset or blank. */
export function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : DEFAULT_DATABASE_URL;
}

/** The provider a URL speaks; throws for any scheme Sightline does not support. */
export function databaseProvider(url: string): DatabaseProvider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  // Name only the scheme: the rest of the URL may hold a password.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new Error(
    `Unsupported DATABASE_URL ${scheme ? `scheme "${scheme}:"` : '(no scheme)'}. ` +
      'Use file:./data/sightline.db for SQLite or postgresql://user:password@host:5432/db for PostgreSQL.',
  );
}

/**
 * The absolute path of the SQLite file behind a file: URL, creating its folder (data/ by
 * default, git-ignored) so that opening the database never fails for want of a directory.
 * Accepts file:relative/path, file:/absolute/path and file:///absolute/path; any ?query is ignored.
 */
export function sqliteFilePath(url: string): string {
  if (databaseProvider(url) !== 'sqlite') {
    throw new Error('sqliteFilePath() needs a file: URL (SQLite); this DATABASE_URL is for PostgreSQL.');
  }
  let rest = url.slice('file:'.length).split('?')[0] ?? '';
  if (rest.startsWith('//')) {
    // file://host/path is a URL with an authority; only the empty host (file:///path) is local.
    if (!rest.startsWith('///')) throw new Error('A file: DATABASE_URL with a host name is not supported; use file:/absolute/path.');
    rest = rest.slice(2);
  }
  if (!rest) throw new Error('The file: DATABASE_URL names no file, e.g. file:./data/sightline.db.');
  const filePath = path.resolve(/*turbopackIgnore: true*/ process.cwd(), decodeURIComponent(rest));
  mkdirSync(path.dirname(filePath), { recursive: true });
  return filePath;
}
