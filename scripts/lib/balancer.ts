import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * HAProxy in front of several Sightline instances (Debian's `haproxy`): one address, round robin,
 * WebSocket upgrades passed through, health checks on /api/health every second (an instance that
 * stops answering is out of rotation within ~2 s), and a cookie that keeps a browser on one
 * instance while it lives — socket.io's HTTP long-polling, which browsers start with before
 * upgrading to a WebSocket, must reach the instance that opened its session. If that instance dies,
 * `option redispatch` sends the browser to another and the socket reconnects there. Nothing else
 * needs stickiness: sessions, alerts and locks are in PostgreSQL.
 */
export type Balancer = { url: string; port: number; stop(): Promise<void> };

export function haproxyConfig(port: number, backends: readonly { name: string; port: number }[]): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  option redispatch',
    '  retries 2',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    // A WebSocket stays open for a shift; socket.io pings every 25 s.
    '  timeout tunnel 1h',
    'frontend sightline',
    `  bind 127.0.0.1:${port}`,
    // Only what HAProxy itself says about the client may reach Sightline (TRUST_PROXY trusts it):
    // whatever a client sent under these names is dropped before option forwardfor adds its own.
    '  http-request del-header X-Forwarded-For',
    '  http-request del-header X-Forwarded-Host',
    '  http-request del-header X-Forwarded-Proto',
    '  http-request del-header Forwarded',
    '  http-request del-header X-Real-IP',
    '  default_backend instances',
    'backend instances',
    '  balance roundrobin',
    '  cookie sightline_instance insert indirect nocache httponly',
    '  option httpchk GET /api/health',
    '  http-check expect status 200',
    ...backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check inter 1s fall 2 rise 1 cookie ${b.name}`),
    '',
  ].join('\n');
}

/** Starts haproxy on `port` in front of the backends; resolves once it accepts connections. */
export async function startBalancer(port: number, backends: readonly { name: string; port: number }[]): Promise<Balancer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sightline-haproxy-'));
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig(port, backends));
  let output = '';
  const child: ChildProcess = spawn(haproxyBinary(), ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`haproxy could not start (${error.message}). Install it: apt-get install -y haproxy`)));
    child.once('spawn', () => resolve());
  });
  await spawned;
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`haproxy did not listen on ${port} within 10 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://localhost:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function haproxyBinary(): string {
  return process.env.HAPROXY_BIN ?? ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => existsSync(p)) ?? 'haproxy';
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
