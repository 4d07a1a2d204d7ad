/**
 * npm run db:migrate — apply the committed migrations to DATABASE_URL (default: the SQLite
 * file data/sightline.db). Offline, and compatible with `npx prisma migrate deploy`;
 * see lib/db/migrate.ts. The server also does this at start-up.
 */
import { applyMigrations } from '../lib/db/migrate';
import { databaseProvider, resolveDatabaseUrl } from '../lib/db/url';

try {
  const databaseUrl = resolveDatabaseUrl();
  console.log(`Migrating the ${databaseProvider(databaseUrl)} database…`);
  // applyMigrations logs each migration it applies, then a summary.
  await applyMigrations({ databaseUrl });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
