/**
 * Used by `npm run demo` only: issues the demo camera agent's key (lib/demo/agent-seed.ts) and
 * writes `{ key, deploymentId }` as one JSON line on standard output for the demo script to
 * hand to the agent's environment. Refuses without --demo, like the seed.
 */
import { disconnectDb } from '@/lib/db/client';
import { issueDemoAgentKey } from '@/lib/demo/agent-seed';

async function main() {
  if (!process.argv.includes('--demo')) {
    console.error('Refusing without --demo: this makes a key for the demo deployment.');
    process.exit(2);
  }
  const issued = await issueDemoAgentKey((line) => console.error(line));
  process.stdout.write(`${JSON.stringify(issued)}\n`);
  await disconnectDb();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
