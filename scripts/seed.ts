/**
 * Seeds demo data into the configured database. Refuses without --demo, so nothing is
 * ever seeded by accident (least of all in production).
 *   npm run db:seed -- --demo
 */
import { disconnectDb } from '@/lib/db/client';
import { applyMigrations } from '@/lib/db/migrate';
import { resolveDatabaseUrl } from '@/lib/db/url';
import { seedDemo } from '@/lib/demo/seed';

async function main() {
  if (!process.argv.includes('--demo')) {
    console.error('Refusing to seed without --demo: it creates demo accounts with a published password.');
    process.exit(2);
  }
  await applyMigrations({ databaseUrl: resolveDatabaseUrl(), log: () => {} });
  await seedDemo();
  await disconnectDb();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
