import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { MIGRATION_LOCK_FILE, readMigrations } from '../../lib/db/migrations-folder';
import type { EngineAdapterFactory, SqlDriverAdapter } from './engine-adapters';

/**
 * Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm): the migration
 * logic of `prisma migrate`, without the native binary the CLI downloads. Used at development
 * time only (db-make-migration); the app migrates with lib/db/migrate.ts.
 */

type Bindings = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

let bindings: Promise<Bindings> | undefined;

/**
 * The package is built for bundlers (its entry does `import * from './x.wasm'`, which Node
 * cannot load), so instantiate the .wasm next to its JS glue by hand, as a bundler would.
 */
function loadBindings(): Promise<Bindings> {
  bindings ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue: Bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return bindings;
}

export const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

/**
 * Run `work` with an engine connected through `factory`, then free both.
 * Engine errors come back with the underlying driver error spelled out (the engine itself
 * only says "External error id#N").
 */
export async function withSchemaEngine<T>(factory: EngineAdapterFactory, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { SchemaEngine } = await loadBindings();
  const errors = new ErrorRegistry();
  const debug = process.env.DEBUG?.includes('schema-engine') ? (line: string) => console.error(line) : () => {};
  let engine: SchemaEngine | undefined;
  try {
    engine = await SchemaEngine.new({ datamodels: undefined }, debug, bindFactory(factory, errors));
    return await work(engine);
  } catch (error) {
    throw errors.explain(error);
  } finally {
    engine?.free();
    await factory.close();
  }
}

/** The migrations folder in the shape the engine reads (as the Prisma CLI builds it). */
export function migrationList(dir: string, lockContent: string): MigrationList {
  return {
    baseDir: dir,
    // The engine picks its connector from the lock file; before the first migration there is
    // none on disk yet, so the caller passes the content it is about to write.
    lockfile: { path: MIGRATION_LOCK_FILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories: readMigrations(dir).map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql } },
    })),
  };
}

/**
 * The engine does not throw across the wasm boundary: each adapter call returns a Result,
 * and JS errors are parked here and referred to by id.
 */
class ErrorRegistry {
  private readonly errors = new Map<number, unknown>();
  private nextId = 0;

  register(error: unknown): number {
    const id = this.nextId++;
    this.errors.set(id, error);
    return id;
  }

  // Kept after consumption too: explain() still wants them when the engine gives up.
  consumeError(id: number): { error: unknown } | undefined {
    return this.errors.has(id) ? { error: this.errors.get(id) } : undefined;
  }

  /** A readable Error: the engine's message with parked errors inlined and its span trace cut. */
  explain(error: unknown): Error {
    if (!(error instanceof Error)) return new Error(String(error));
    const code = (error as { code?: unknown }).code;
    const text = error.message
      .replace(/External error id#(\d+)/g, (whole, id: string) => {
        const parked = this.errors.get(Number(id));
        return parked instanceof Error ? parked.message : whole;
      })
      .split(/\n\s+0: /)[0]!
      .trim();
    return new Error(typeof code === 'string' ? `${code}: ${text}` : text, { cause: error });
  }

  /** Call `fn`, turning a throw into the Result shape the engine expects. */
  async capture<T>(fn: () => Promise<T>): Promise<EngineResult<T>> {
    try {
      return { ok: true, value: await fn() };
    } catch (error) {
      // Prisma's adapters throw DriverAdapterError carrying an already-mapped error (unique
      // violation, missing table…) that the engine understands; anything else is parked.
      const mapped = (error as { name?: string; cause?: unknown }).name === 'DriverAdapterError' ? (error as { cause?: unknown }).cause : undefined;
      if (mapped && typeof mapped === 'object') return { ok: false, error: mapped };
      return { ok: false, error: { kind: 'GenericJs', id: this.register(error) } };
    }
  }
}

type EngineResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** The error-capturing shape of a driver adapter factory that the wasm engine calls into. */
function bindFactory(factory: EngineAdapterFactory, errors: ErrorRegistry) {
  const bindAdapter = (adapter: SqlDriverAdapter) => ({
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    errorRegistry: errors,
    queryRaw: (query: Parameters<SqlDriverAdapter['queryRaw']>[0]) => errors.capture(() => adapter.queryRaw(query)),
    executeRaw: (query: Parameters<SqlDriverAdapter['executeRaw']>[0]) => errors.capture(() => adapter.executeRaw(query)),
    executeScript: (script: string) => errors.capture(() => adapter.executeScript(script)),
    dispose: () => errors.capture(() => adapter.dispose()),
    startTransaction: async (isolationLevel?: Parameters<SqlDriverAdapter['startTransaction']>[0]) => {
      const result = await errors.capture(() => adapter.startTransaction(isolationLevel));
      if (!result.ok) return result;
      const tx = result.value;
      return {
        ok: true,
        value: {
          provider: tx.provider,
          adapterName: tx.adapterName,
          options: tx.options,
          queryRaw: (query: Parameters<typeof tx.queryRaw>[0]) => errors.capture(() => tx.queryRaw(query)),
          executeRaw: (query: Parameters<typeof tx.executeRaw>[0]) => errors.capture(() => tx.executeRaw(query)),
          commit: () => errors.capture(() => tx.commit()),
          rollback: () => errors.capture(() => tx.rollback()),
        },
      };
    },
    ...(adapter.getConnectionInfo ? { getConnectionInfo: () => ({ ok: true, value: adapter.getConnectionInfo!() }) } : {}),
  });
  const connectWith = async (open: () => Promise<SqlDriverAdapter>) => {
    const result = await errors.capture(open);
    return result.ok ? { ok: true, value: bindAdapter(result.value) } : result;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    errorRegistry: errors,
    connect: () => connectWith(() => factory.connect()),
    connectToShadowDb: () => connectWith(() => factory.connectToShadowDb()),
  };
}
