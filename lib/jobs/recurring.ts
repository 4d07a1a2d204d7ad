import { jobLeadership } from '@/lib/db/locks';
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
 * With several instances sharing a PostgreSQL database, one of them leads each job and runs it
 * (an advisory lock held between runs, lib/db/locks.ts); the others skip their runs quietly and
 * take the lead at their next tick if the leader goes away. So the job runs once per interval
 * across the cluster and never twice at once. `everyInstance` is for work that belongs to the
 * instance itself (flushing the face counts it holds in memory): every instance runs it.
 */
export function startRecurringJob(
  name: string,
  intervalMs: number,
  run: () => Promise<string | null>,
  log: Pick<Console, 'log' | 'error'> = console,
  { everyInstance = false }: { everyInstance?: boolean } = {},
): () => Promise<void> {
  let current: Promise<void> | null = null;
  const leadership = everyInstance ? null : jobLeadership(name);
  const tick = () => {
    if (current) return;
    schedule.set(name, { intervalMs, lastStartedAt: Date.now() });
    const running = leadership ? leadership.runIfLeading(run).then((outcome) => (outcome.ran ? outcome.result : null)) : run();
    current = running
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
    await leadership?.release();
  };
}
