// @ts-check
/**
 * `npm run lint`: ESLint with type information for the promise rules, and Sightline's own
 * architecture rules (scripts/lint/architecture.js; the layout they hold is docs/architecture.md).
 * Formatting is Biome's (biome.json), checked by the same script.
 */
import js from '@eslint/js';
import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import sightline from './scripts/lint/architecture.js';

/** The Prisma client and the drivers under it. */
const DATABASE_CLIENT = ['lib/db/client', 'lib/db/generated/**', '@prisma/client', '@prisma/client/**', '@prisma/adapter-*', 'pg', 'better-sqlite3'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      '.next-*/**',
      'lib/db/generated/**',
      'public/**',
      'data/**',
      'test-results/**',
      'playwright-report/**',
      'bench/results/**',
      'next-env.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the server).
      // A deliberate fire-and-forget is written `void promise` with a comment saying why.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Errors here fold the cause's message into their own, written for the person who reads it.
      'preserve-caught-error': 'off',
      // `const { omitted: _omitted, ...rest } = value` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Config and tooling written in JavaScript: no type information there.
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Playwright reads a test's fixtures from its first parameter: `async ({}, testInfo)` uses none.
    files: ['tests/e2e/**/*.ts'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    // React and Next's rules where React runs.
    files: ['app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'lib/realtime/use-*.ts'],
    plugins: { '@next/next': nextPlugin, 'react-hooks': reactHooks },
    rules: {
      ...nextPlugin.configs['core-web-vitals'].rules,
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { sightline },
    rules: {
      'sightline/layers': [
        'error',
        {
          rules: [
            {
              // The core is shared by Next and server.ts; it depends on nothing above it.
              from: ['lib/**'],
              disallow: ['app/**', 'components/**', 'server', 'scripts/**', 'tests/**', 'bench/**'],
              message: 'lib/ never imports app/, components/, server.ts, scripts/, tests/ or bench/: move what both need into lib/.',
            },
            {
              // Reads live in lib/<domain>/data.ts, writes (with their audit record) in
              // mutations.ts. A helper may accept the caller's transaction (`import type { Tx }`)
              // but cannot open the database itself.
              except: [
                'lib/db/**',
                'lib/*/data.ts',
                'lib/*/mutations.ts',
                // Entry points and tools: server.ts closes the pool at shutdown; scripts/ migrate,
                // seed and calibrate; lib/demo/ is the demo seed, run only by scripts/seed.ts.
                'server.ts',
                'scripts/**',
                'lib/demo/**',
                // Tests look at what was actually stored; benchmarks seed millions of rows.
                'tests/**',
                'bench/**',
              ],
              disallow: DATABASE_CLIENT,
              allowTypeImports: true,
              message: 'Only lib/<domain>/data.ts, mutations.ts and lib/db/ use the database client: add a read to data.ts or a write to mutations.ts.',
            },
          ],
        },
      ],
      // What a 'use client' module imports is shipped to the browser. Next's `server-only` package
      // would catch this at build time, but the same lib/ modules are also loaded by server.ts
      // (tsx) and by Vitest, where it throws; so the boundary is checked here, transitively.
      'sightline/client-boundary': [
        'error',
        {
          serverModules: [
            'lib/db/**',
            'lib/**/data',
            'lib/**/mutations',
            'lib/auth/guards',
            'lib/auth/passwords',
            'lib/auth/rate-limit',
            'lib/auth/session-cookie',
            'lib/auth/sign-in',
            'lib/config/auth-secret',
            'lib/http/route',
            'lib/realtime/publish',
            'lib/realtime/server',
            'app/api/**',
            'auth',
            'proxy',
            'server',
          ],
          serverPackages: [
            'node:*',
            'server-only',
            'next/headers',
            'next-auth',
            'next-auth/jwt',
            'next-auth/providers/**',
            '@prisma/**',
            'pg',
            'better-sqlite3',
            'onnxruntime-node',
            '@node-rs/**',
            '@napi-rs/**',
            'socket.io',
            '@vladmandic/face-api/dist/face-api.node*',
          ],
        },
      ],
    },
  },
);
