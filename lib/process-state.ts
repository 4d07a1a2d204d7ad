/**
 * State that must be one per process. Next's route bundles and server.ts (socket.io) run in one
 * process without sharing module instances, so a module-level variable would exist once per
 * bundle; state kept here under a name is shared by all of them.
 *
 * Each caller owns its state's lifetime: whatever it stores must be evicted or invalidated by its
 * owner (a deployment ending, a session closing), or it is a leak.
 */

const SHARED = Symbol.for('sightline.processState');

type Store = Map<string, unknown>;

function store(): Store {
  const holder = globalThis as typeof globalThis & { [SHARED]?: Store };
  holder[SHARED] ??= new Map();
  return holder[SHARED];
}

/** The process's state under `name`, created by `create` on first use. */
export function processState<T>(name: string, create: () => T): T {
  const states = store();
  if (!states.has(name)) states.set(name, create());
  return states.get(name) as T;
}

/** Forgets the state under `name` (tests, or a subsystem shut down). */
export function dropProcessState(name: string): void {
  store().delete(name);
}
