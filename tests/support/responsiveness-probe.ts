/**
 * Run as its own process by tests/support/responsiveness.ts: asks a server's /api/health and a
 * socket `whoami` one after another until stdin closes, then prints how long each answer took
 * (JSON on stdout). Its own process, so the test's own work (building a huge image, a zip) never
 * delays a probe and is never taken for the server's.
 *
 * argv: <baseUrl> <cookie header>
 */
import { io } from 'socket.io-client';

const [baseUrl, cookie] = process.argv.slice(2) as [string, string];
const latency = { health: [] as number[], socket: [] as number[], failures: [] as string[] };
let running = true;
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => (running = false));

const socket = io(baseUrl, { path: '/socket.io', transports: ['websocket'], reconnection: false, extraHeaders: { cookie }, timeout: 10_000 });
await new Promise<void>((resolve, reject) => {
  socket.once('connect', () => resolve());
  socket.once('connect_error', (error) => reject(error));
});
process.stdout.write('ready\n');

while (running) {
  let started = performance.now();
  const health = await fetch(`${baseUrl}/api/health`);
  latency.health.push(performance.now() - started);
  if (health.status !== 200) latency.failures.push(`health ${health.status}`);
  started = performance.now();
  await new Promise((resolve) => socket.emit('whoami', resolve));
  latency.socket.push(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
socket.close();
process.stdout.write(`${JSON.stringify(latency)}\n`);
