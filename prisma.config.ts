import { defineConfig } from 'prisma/config';
import { PRISMA_LAYOUT } from './lib/db/layout';
import { databaseProvider, resolveDatabaseUrl } from './lib/db/url';

/**
 * For the Prisma CLI, on machines that can download its engines: `npx prisma migrate deploy`
 * (or studio, migrate status…) picks the schema and migrations folder matching DATABASE_URL's
 * scheme — the same folders our offline tools use (npm run db:migrate, db:make-migration).
 * Scripts that pass --schema (db:generate) override the choice.
 * No dotenv on purpose: configuration comes from the environment only, as for the server.
 */
const url = resolveDatabaseUrl();
const layout = PRISMA_LAYOUT[databaseProvider(url)];

export default defineConfig({
  schema: layout.schema,
  migrations: { path: layout.migrations },
  datasource: {
    url,
    // Only `prisma migrate dev` needs one; Prisma wipes it, so never point it at real data.
    ...(process.env.SHADOW_DATABASE_URL ? { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : {}),
  },
});
