/**
 * prisma/postgres/schema.prisma is prisma/schema.prisma with two lines changed: the datasource
 * provider and the generated client's folder. Prisma rejects `provider = env(...)`, so the
 * PostgreSQL client needs a schema file of its own; generating it keeps the two from drifting.
 */
export const GENERATED_HEADER = [
  '// generated — do not edit.',
  '// Written by `npm run db:make-migration` from prisma/schema.prisma (the source of truth):',
  '// same models, with provider "postgresql" and the client generated into lib/db/generated/postgres.',
  '',
].join('\n');

export function renderPostgresSchema(sqliteSchema: string): string {
  const withProvider = replaceInBlock(sqliteSchema, 'datasource', /provider\s*=\s*"sqlite"/, 'provider = "postgresql"');
  const withOutput = replaceInBlock(
    withProvider,
    'generator',
    /output\s*=\s*"\.\.\/lib\/db\/generated\/sqlite"/,
    'output       = "../../lib/db/generated/postgres"',
  );
  return GENERATED_HEADER + '\n' + withOutput;
}

/** Replace `pattern` inside the one `kind name { … }` block, failing loudly if the schema is not shaped as expected. */
function replaceInBlock(schema: string, kind: 'datasource' | 'generator', pattern: RegExp, replacement: string): string {
  const blocks = [...schema.matchAll(new RegExp(`^${kind}\\s+\\w+\\s*\\{[^}]*\\}`, 'gm'))];
  const block = blocks[0];
  if (blocks.length !== 1 || !block) {
    throw new Error(`prisma/schema.prisma must have exactly one ${kind} block to derive the PostgreSQL schema (found ${blocks.length}).`);
  }
  if (!pattern.test(block[0])) {
    throw new Error(`The ${kind} block of prisma/schema.prisma no longer matches ${pattern}; update scripts/lib/postgres-schema.ts.`);
  }
  const start = block.index;
  return schema.slice(0, start) + block[0].replace(pattern, replacement) + schema.slice(start + block[0].length);
}
