import { dbProvider, type Prisma } from './client';

/** Case-insensitive "contains" on both databases (SQLite's LIKE already ignores ASCII case). */
export function containsText(q: string): Prisma.StringFilter {
  return (dbProvider() === 'postgresql' ? { contains: q, mode: 'insensitive' } : { contains: q }) as Prisma.StringFilter;
}
