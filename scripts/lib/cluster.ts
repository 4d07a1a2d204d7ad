import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { startBalancer, type Balancer } from './balancer';
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres';

/**
 * A Sightline cluster on this machine (`npm run cluster`, bench/cluster.ts): PostgreSQL (a throwaway
 * one unless DATABASE_URL names one), Redis when the adapter is `redis`, N instances of the built
 * server on their own ports sharing one AUTH_SECRET, and HAProxy in front (scripts/lib/balancer.ts).
 * Every child's output is prefixed with its name.
 */
export type ClusterInstance = {
  name: string;
  port: number;
  url: string;
  pid(): number | undefined;
  /** Signals the instance (SIGKILL to test failure); resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (after kill). */
  start(): Promise<void>;
};

export type Cluster = {
  url: string;
  databaseUrl: string;
  redisUrl: string | null;
  instances: ClusterInstance[];
  balancer: Balancer | null;
  /** The environment every instance runs with (for scripts run against the same database). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
};

export type ClusterOptions = {
  instances?: number;
  adapter?: 'postgres' | 'redis';
  /** The balancer's port (0: any free one); null: no balancer. */
  balancerPort?: number | null;
  /** Runs before the instances start, with the database's environment (seed it, e.g.). */
  prepare?: (env: NodeJS.ProcessEnv) => Promise<void>;
  databaseUrl?: string;
  env?: Record<string, string>;
  /** Where the children's output goes (default: this process's, prefixed). */
  log?: (line: string) => void;
};

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.instances ?? 2;
  const adapter = options.adapter ?? 'postgres';
  const log = options.log ?? ((line: string) => console.log(line));
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    let postgres: ThrowawayPostgres | null = null;
    if (!options.databaseUrl) {
      postgres = await startThrowawayPostgres({ database: 'sightline' });
      cleanups.push(() => postgres!.stop());
    }
    const databaseUrl = options.databaseUrl ?? postgres!.url;
    let redisUrl: string | null = null;
    if (adapter === 'redis') {
      const redis = await startRedis(log);
      cleanups.push(redis.stop);
      redisUrl = redis.url;
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: process.env.AUTH_SECRET ?? randomBytes(32).toString('base64url'),
      SIGHTLINE_ADAPTER: adapter,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      // HAProxy on this machine adds X-Forwarded-For: the client is the address it names.
      TRUST_PROXY: '127.0.0.1',
      ...options.env,
    };
    await options.prepare?.(env);
    const instances: ClusterInstance[] = [];
    for (let i = 0; i < count; i++) {
      const instance = instanceOf(String.fromCharCode(97 + i), await freePort(), env, log);
      cleanups.push(() => instance.kill('SIGTERM'));
      instances.push(instance);
    }
    await Promise.all(instances.map((instance) => instance.start()));
    let balancer: Balancer | null = null;
    if (options.balancerPort !== null) {
      const port = options.balancerPort || (await freePort());
      balancer = await startBalancer(
        port,
        instances.map((instance) => ({ name: instance.name, port: instance.port })),
      );
      cleanups.push(balancer.stop);
      await waitHealthy(balancer.url, 15_000);
    }
    return { url: balancer?.url ?? instances[0]!.url, databaseUrl, redisUrl, instances, balancer, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function instanceOf(name: string, port: number, env: NodeJS.ProcessEnv, log: (line: string) => void): ClusterInstance {
  let child: ChildProcess | null = null;
  const url = `http://localhost:${port}`;
  return {
    name,
    port,
    url,
    pid: () => child?.pid,
    async start() {
      let output = '';
      child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
        env: { ...env, PORT: String(port), SIGHTLINE_INSTANCE: name },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const prefix = (chunk: Buffer) => {
        output += chunk.toString();
        for (const line of chunk.toString().split('\n')) if (line.trim()) log(`[${name}] ${line}`);
      };
      child.stdout?.on('data', prefix);
      child.stderr?.on('data', prefix);
      const started = child;
      const deadline = Date.now() + 90_000;
      while (!(await answers(url))) {
        if (started.exitCode !== null) throw new Error(`instance ${name} exited (${started.exitCode}):\n${output.slice(-4000)}`);
        if (Date.now() > deadline) throw new Error(`instance ${name} did not answer within 90 s:\n${output.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill(signal);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
      if (running.exitCode === null && running.signalCode === null) {
        running.kill('SIGKILL');
        await exited;
      }
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/api/health`)).ok;
  } catch {
    return false;
  }
}

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(url))) {
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A throwaway Redis on 127.0.0.1 with nothing saved to disk (Debian's `redis-server`). */
export async function startRedis(log: (line: string) => void = () => {}): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => log(`[redis] ${chunk.toString().trim()}`));
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`redis-server could not start (${error.message}). Install it: apt-get install -y redis-server`)));
    child.once('spawn', () => resolve());
  });
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('redis-server did not start listening');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
