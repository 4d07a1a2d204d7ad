/**
 * `npm run cluster`: Sightline as a production installation runs it, on this machine — a
 * throwaway PostgreSQL (deleted on exit), two instances of the built server sharing realtime
 * events through the PostgreSQL adapter (SIGHTLINE_ADAPTER=redis: a throwaway Redis and the Redis
 * streams adapter), and HAProxy in front, with the demo data and the demo camera agent. Prints the
 * one address to open. Honours PORT (the balancer's, default 3000) and INSTANCES (default 2).
 * Needs `apt-get install -y postgresql haproxy` (and redis-server for the Redis adapter).
 */
import path from 'node:path';
import { buildIsFresh, run, startDemoAgent } from './lib/demo-run';
import { startCluster } from './lib/cluster';

async function main() {
  if (!buildIsFresh()) {
    console.log('[cluster] building the app (about a minute the first time)…');
    await run(process.execPath, [path.join(process.cwd(), 'node_modules/next/dist/bin/next'), 'build']);
  }
  const adapter = process.env.SIGHTLINE_ADAPTER === 'redis' ? 'redis' : 'postgres';
  const instances = Number(process.env.INSTANCES ?? 2);
  console.log(`[cluster] starting PostgreSQL${adapter === 'redis' ? ', Redis' : ''}, ${instances} instances and HAProxy…`);
  const cluster = await startCluster({
    instances,
    adapter,
    balancerPort: Number(process.env.PORT ?? 3000),
    prepare: async (env) => {
      console.log('[cluster] migrating and seeding the demo data…');
      await run(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--demo'], env);
    },
  });
  const agent = await startDemoAgent(cluster.url, cluster.env).catch((error: unknown) => {
    console.error(`[cluster] no camera agent: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  console.log('');
  console.log(`Sightline cluster ready on ${cluster.url} — open this one address.`);
  for (const instance of cluster.instances) console.log(`  instance ${instance.name}: ${instance.url} (pid ${instance.pid()})`);
  console.log(`  PostgreSQL: ${cluster.databaseUrl}${cluster.redisUrl ? `\n  Redis: ${cluster.redisUrl}` : ''}`);
  console.log('  Demo logins: see README (password sightline-demo). Ctrl+C stops everything.');
  const stop = async () => {
    console.log('[cluster] stopping…');
    agent?.kill('SIGTERM');
    await cluster.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
