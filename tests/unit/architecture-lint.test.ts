import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The project's own lint configuration (eslint.config.js) applied to small modules that break,
 * or keep, the architecture. The modules are linted as if they were at the paths given; what
 * they import is real. Type information is switched off here (building the whole program takes
 * longer than every other unit test together); the typed promise rules are checked by asking
 * the configuration what it applies.
 */
const root = path.resolve(import.meta.dirname, '../..');
let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({ cwd: root, overrideConfig: [{ files: ['**/*.{ts,tsx}'], ...tseslint.configs.disableTypeChecked }] });
  // Loading the configuration and its plugins takes a few seconds: once, here.
  await eslint.lintText('', { filePath: path.join(root, 'lib/example.ts') });
}, 60_000);

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parser'}: ${m.message}`);
}

const layerProblems = async (file: string, code: string) => (await problems(file, code)).filter((p) => p.startsWith('sightline/layers'));
const clientProblems = async (file: string, code: string) => (await problems(file, code)).filter((p) => p.startsWith('sightline/client-boundary'));

describe('lib/ depends on nothing above it', () => {
  it('refuses app/ and components/ from lib/, however the path is written', async () => {
    expect(await layerProblems('lib/alerts/example.ts', "import { GET } from '@/app/api/health/route';\nexport const x = GET;\n")).toHaveLength(1);
    expect(
      await layerProblems('lib/alerts/example.ts', "import { CropImage } from '../../components/alerts/alert-thumbs';\nexport const x = CropImage;\n"),
    ).toHaveLength(1);
    expect(await layerProblems('lib/alerts/example.ts', "export * from '@/components/map/status-styles';\n")).toHaveLength(1);
  });

  it('lets lib/ import lib/ and app/ import lib/', async () => {
    expect(await layerProblems('lib/alerts/example.ts', "import { can } from '@/lib/auth/permissions';\nexport const x = can;\n")).toEqual([]);
    expect(await layerProblems('app/example/page.tsx', "import { listAlerts } from '@/lib/alerts/data';\nexport const x = listAlerts;\n")).toEqual([]);
  });
});

describe('only data.ts, mutations.ts and lib/db/ use the database client', () => {
  const valueImport = "import { getDb } from '@/lib/db/client';\nexport const x = getDb;\n";

  it('allows the data and mutation modules and the db layer', async () => {
    expect(await layerProblems('lib/alerts/data.ts', valueImport)).toEqual([]);
    expect(await layerProblems('lib/alerts/mutations.ts', valueImport)).toEqual([]);
    expect(await layerProblems('lib/db/health.ts', "import { getDb } from './client';\nexport const x = getDb;\n")).toEqual([]);
  });

  it('refuses any other module, the generated client and the drivers', async () => {
    expect(await layerProblems('lib/live/probes.ts', valueImport)).toHaveLength(1);
    expect(await layerProblems('app/api/example/route.ts', valueImport)).toHaveLength(1);
    expect(await layerProblems('components/alerts/example.tsx', valueImport)).toHaveLength(1);
    expect(
      await layerProblems('lib/alerts/example.ts', "import { PrismaClient } from '../db/generated/sqlite/client';\nexport const x = PrismaClient;\n"),
    ).toHaveLength(1);
    expect(await layerProblems('lib/alerts/example.ts', "import pg from 'pg';\nexport const x = pg;\n")).toHaveLength(1);
    expect(await layerProblems('lib/alerts/example.ts', "export const load = () => import('@/lib/db/client');\n")).toHaveLength(1);
  });

  it('lets a helper take the caller’s transaction by type', async () => {
    expect(await layerProblems('lib/watchlists/snapshots.ts', "import type { Tx } from '@/lib/db/client';\nexport type X = Tx;\n")).toEqual([]);
    expect(await layerProblems('lib/watchlists/snapshots.ts', "import { type Tx } from '@/lib/db/client';\nexport type X = Tx;\n")).toEqual([]);
  });
});

describe("a 'use client' module never reaches server-only code", () => {
  it('refuses data, mutations and the db layer, directly or through other modules', async () => {
    const direct = await clientProblems(
      'components/alerts/example.tsx',
      "'use client';\nimport { listAlerts } from '@/lib/alerts/data';\nexport const x = listAlerts;\n",
    );
    expect(direct).toHaveLength(1);
    expect(direct[0]).toContain('lib/alerts/data.ts');
    // lib/config/map.ts reads files with node:path: fine on the server, not in a browser bundle.
    const through = await clientProblems(
      'components/map/example.tsx',
      "'use client';\nimport { configuredMapTiles } from '@/lib/config/map';\nexport const x = configuredMapTiles;\n",
    );
    expect(through).toHaveLength(1);
    expect(through[0]).toContain('lib/config/map.ts → node:path');
  });

  it('refuses the guards, server packages and Node built-ins', async () => {
    expect(
      await clientProblems(
        'components/x/example.tsx',
        "'use client';\nimport { requirePermission } from '@/lib/auth/guards';\nexport const x = requirePermission;\n",
      ),
    ).toHaveLength(1);
    expect(
      await clientProblems('components/x/example.tsx', "'use client';\nimport { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"),
    ).toHaveLength(1);
    expect(
      await clientProblems('components/x/example.tsx', "'use client';\nimport { randomUUID } from 'crypto';\nexport const x = randomUUID;\n"),
    ).toHaveLength(1);
    expect(await clientProblems('components/x/example.tsx', "'use client';\nimport NextAuth from 'next-auth';\nexport const x = NextAuth;\n")).toHaveLength(1);
    expect(await clientProblems('components/x/example.tsx', "'use client';\nexport * from '@/lib/users/data';\n")).toHaveLength(1);
  });

  it('allows types, shared pure modules, client packages and server actions', async () => {
    const allowed = [
      "import type { AlertView } from '@/lib/alerts/data';\nexport type X = AlertView;\n",
      "import { can } from '@/lib/auth/permissions';\nexport const x = can;\n",
      "import { signOut } from 'next-auth/react';\nexport const x = signOut;\n",
      "import { io } from 'socket.io-client';\nexport const x = io;\n",
      // A 'use server' module gives the client references to server actions, not its code.
      "import * as actions from '@/app/(shell)/actions';\nexport const x = actions;\n",
    ];
    for (const code of allowed) expect(await clientProblems('components/x/example.tsx', `'use client';\n${code}`)).toEqual([]);
  });

  it('leaves server modules alone', async () => {
    expect(await clientProblems('app/example/page.tsx', "import { listAlerts } from '@/lib/alerts/data';\nexport const x = listAlerts;\n")).toEqual([]);
  });
});

describe('promises', () => {
  it('applies the typed promise rules to every TypeScript file', async () => {
    const real = new ESLint({ cwd: root });
    for (const file of ['lib/realtime/server.ts', 'components/alerts/alert-queue.tsx', 'server.ts', 'tests/support/server.ts']) {
      const config = (await real.calculateConfigForFile(path.join(root, file))) as { rules: Record<string, unknown> };
      for (const rule of ['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises']) {
        expect([file, rule, config.rules[rule]]).toEqual([file, rule, [2]]);
      }
    }
  });
});
