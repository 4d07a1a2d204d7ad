/**
 * Runs a job now and then every `intervalMs` (server.ts starts each once after migrations).
 * The timer is unref'd so it never keeps the process alive; runs never overlap; a failing run
 * is logged and the next one tries again. Returns `stop`, which clears the timer and resolves
 * once a run in progress has finished (for a clean shutdown).
 */
export function startRecurringJob(
  name: string,
  intervalMs: number,
  run: () => Promise<string | null>,
  log: Pick<Console, 'log' | 'error'> = console,
): () => Promise<void> {
  let current: Promise<void> | null = null;
  const tick = () => {
    if (current) return;
    current = run()
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
    await current;
  };
}
