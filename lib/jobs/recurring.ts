import { runUnlessRunningElsewhere } from '@/lib/db/locks';
import { processState } from '@/lib/process-state';

/**
 * When each running job last started and how often it runs, by name: the home page says when a
 * retention job next runs (lib/overview). Shared through processState, since Next's route
 * handlers read what server.ts's jobs write.
 */
const schedule = processState('recurringJobs', () => new Map<string, { intervalMs: number; lastStartedAt: number }>());

/** When the job of this name next runs, or null when it is not running in this process (scripts, a stopped server). */
export function nextRunOf(name: string): Date | null {
  const job = schedule.get(name);
  return job ? new Date(job.lastStartedAt + job.intervalMs) : null;
}

/**
 * Runs a job now and then every `intervalMs` (server.ts starts each once after migrations).
 * The timer is unref'd so it never keeps the process alive; runs never overlap; a failing run
 * is logged and the next one tries again. Returns `stop`, which clears the timer and resolves
 * once a run in progress has finished (for a clean shutdown).
 *
 * With several instances sharing a PostgreSQL database, a run goes ahead only if no other
 * instance is running the same job at that moment (an advisory lock, lib/db/locks.ts); otherwise
 * it is skipped quietly and the next tick tries again. So two instances never do the same work
 * at once, and each instance's timer keeps the job going if the other stops. The jobs are
 * written to find their own work (what has lapsed, expired, been left over), so a run soon after
 * another instance's finds little or nothing to do. `everyInstance` is for work that belongs to
 * the instance itself (flushing the face counts it holds in memory): no lock.
 */
export function startRecurringJob(
  name: string,
  intervalMs: number,
  run: () => Promise<string | null>,
  log: Pick<Console, 'log' | 'error'> = console,
  { everyInstance = false }: { everyInstance?: boolean } = {},
): () => Promise<void> {
  let current: Promise<void> | null = null;
  const tick = () => {
    if (current) return;
    schedule.set(name, { intervalMs, lastStartedAt: Date.now() });
    const once = everyInstance ? run() : runUnlessRunningElsewhere(name, run).then((outcome) => (outcome.ran ? outcome.result : null));
    current = once
      .then((summary) => {
        if (summary) log.log(`[${name}] ${summary}`);
      })
      .catch((error: unknown) => log.error(`[${name}] failed`, error))
      .finally(() => {
        current = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    schedule.delete(name);
    await current;
  };
}
