import { createServer, type Server as HttpServer } from 'node:http';
import { spawn } from 'node:child_process';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSeparateDb } from '@/lib/db/client';
import { createRealtimeTransport, type RealtimeTransport } from '@/lib/db/realtime-adapter';
import { errorResponse } from '@/lib/http/route';
import { startRedis } from '../../scripts/lib/cluster';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/lib/throwaway-postgres';

/**
 * What happens when PostgreSQL or Redis goes away for a while under a running Sightline, and comes
 * back: requests are refused with a clear 503 (not a 500), the link between instances says it is
 * degraded, and everything works again without a restart. Real servers, stopped and started again
 * on the same port; no Sightline server is needed (docs/architecture.md#several-instances).
 * Independent of TEST_DATABASE: run once, on the SQLite run (vitest.config.ts SQLITE_ONLY).
 */

const quiet = { log: () => {}, error: () => {} };

/** Two socket.io servers joined by the transports, as two instances are. */
async function twoInstances(make: () => Promise<RealtimeTransport>) {
  const transports = [await make(), await make()];
  const servers: HttpServer[] = [];
  const ios = transports.map((transport) => {
    const http = createServer();
    servers.push(http);
    return new Server(http, { adapter: transport.adapter });
  });
  const heard: string[] = [];
  ios[1]!.on('ping-between', (text: string) => heard.push(text));
  return {
    transports,
    /** Sends from the first until the second hears it; the milliseconds it took. */
    async relayed(text: string, timeoutMs: number): Promise<number> {
      const started = Date.now();
      while (!heard.includes(text)) {
        if (Date.now() - started > timeoutMs) throw new Error(`"${text}" not relayed within ${timeoutMs} ms`);
        ios[0]!.serverSideEmit('ping-between', text);
        await new Promise((r) => setTimeout(r, 100));
      }
      return Date.now() - started;
    },
    async close() {
      for (const io of ios) await io.close();
      for (const transport of transports) await transport.close();
    },
  };
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

describe('PostgreSQL away for a while', () => {
  let postgres: ThrowawayPostgres;
  beforeAll(async () => {
    postgres = await startThrowawayPostgres({ database: 'sightline_outage' });
  }, 60_000);
  afterAll(async () => postgres?.stop());

  it('answers 503 database_unavailable while it is away, then serves again with no restart; the link between instances says degraded, then recovers', async () => {
    const database = openSeparateDb(postgres.url);
    const pair = await twoInstances(() => createRealtimeTransport({ SIGHTLINE_ADAPTER: 'postgres', DATABASE_URL: postgres.url }, quiet));
    try {
      const health: boolean[] = [];
      pair.transports[1]!.onHealthChange((healthy) => health.push(healthy));
      await pair.relayed('before', 5000);
      expect(await database.db.$queryRawUnsafe('SELECT 1 AS one')).toEqual([{ one: 1 }]);

      await postgres.pause();
      const failure = await database.db.$queryRawUnsafe('SELECT 1').then(
        () => null,
        (error: unknown) => error,
      );
      const answer = errorResponse(failure);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(await answer.json()).toMatchObject({ error: 'database_unavailable', message: expect.stringContaining('try again in a few seconds') });
      await until('the transport notices', () => health.includes(false), 5000);
      expect(pair.transports[1]!.healthy()).toBe(false);

      await postgres.resume();
      await until('the transport recovers', () => pair.transports[1]!.healthy(), 10_000);
      expect(await database.db.$queryRawUnsafe('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      // The adapter's listener reconnects by itself (within a few seconds): events flow again.
      await pair.relayed('after', 15_000);
    } finally {
      await pair.close();
      await database.close();
    }
  }, 60_000);
});

describe('Redis away for a while', () => {
  let postgres: ThrowawayPostgres;
  beforeAll(async () => {
    postgres = await startThrowawayPostgres({ database: 'sightline_redis' });
  }, 60_000);
  afterAll(async () => postgres?.stop());

  it('the link between instances says degraded while Redis is away, and events flow again once it is back', async () => {
    const redis = await startRedis();
    const port = new URL(redis.url).port;
    const pair = await twoInstances(() => createRealtimeTransport({ SIGHTLINE_ADAPTER: 'redis', REDIS_URL: redis.url, DATABASE_URL: postgres.url }, quiet));
    let again: { stop(): Promise<void> } | null = null;
    try {
      await pair.relayed('before', 5000);
      await redis.stop();
      await until('the transport notices', () => !pair.transports[0]!.healthy() && !pair.transports[1]!.healthy(), 5000);
      // Back on the same port, as a restarted Redis would be.
      const child = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      again = { stop: async () => void child.kill('SIGTERM') };
      await until('the transport recovers', () => pair.transports.every((t) => t.healthy()), 10_000);
      await pair.relayed('after', 10_000);
    } finally {
      await pair.close();
      await again?.stop();
    }
  }, 60_000);
});
