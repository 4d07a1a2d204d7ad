/**
 * npm run db:generate (also the postinstall hook): generate both Prisma clients, offline.
 *   prisma/schema.prisma          → lib/db/generated/sqlite
 *   prisma/postgres/schema.prisma → lib/db/generated/postgres
 * The generated folders are git-ignored, so this must work on a fresh clone with no network.
 *
 * The Prisma CLI resolves (and, when missing, downloads) its native schema-engine binary
 * before any command, although `generate` never runs it. Pointing
 * PRISMA_SCHEMA_ENGINE_BINARY at any existing file satisfies that check. A value the user
 * set (a real engine binary, say) is kept.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PRISMA_LAYOUT, schemaPath } from '../lib/db/layout';
import type { DatabaseProvider } from '../lib/db/url';

const require = createRequire(import.meta.url);

function prismaCli(): string {
  const manifestPath = require.resolve('prisma/package.json');
  const { bin } = require(manifestPath) as { bin: Record<string, string> };
  return path.join(path.dirname(manifestPath), bin.prisma ?? 'build/index.js');
}

function generate(provider: DatabaseProvider, cli: string): void {
  const schema = schemaPath(provider);
  if (!existsSync(schema)) {
    throw new Error(`${PRISMA_LAYOUT[provider].schema} is missing; run npm run db:make-migration -- <name> to write it.`);
  }
  const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? cli,
      // No update check or telemetry: both would wait on a network that is not there.
      CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? '1',
      PRISMA_HIDE_UPDATE_MESSAGE: process.env.PRISMA_HIDE_UPDATE_MESSAGE ?? '1',
    },
  });
  if (result.status !== 0) {
    throw new Error(`prisma generate failed for ${PRISMA_LAYOUT[provider].schema} (exit ${result.status ?? result.signal}).`);
  }
}

try {
  const cli = prismaCli();
  for (const provider of ['sqlite', 'postgresql'] as const) generate(provider, cli);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
