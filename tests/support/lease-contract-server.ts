import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server } from 'socket.io';
import { ProbeSchema } from '@/lib/face/probe';
import {
  LeaseOfferSchema,
  LeaseRenewSchema,
  OverlayFrameSchema,
  type AnalysableCamera,
  type CameraLeaseView,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@/lib/realtime/events';

/**
 * A stand-in for Sightline's socket side of camera leases, for the agent's unit test and bench (and
 * for trying the agent without a server): it speaks the contract of lib/realtime/events.ts — grants
 * every offered camera to the first socket that offers it, accepts renewals and overlays, answers
 * probes — without a database, watchlists or matching. The agent against the real server is
 * tested in tests/integration/camera-agent.test.ts.
 *
 * Probes are checked with ProbeSchema (so the agent's probes are valid ones); with `askForCrops`
 * every first probe of a track is answered cropNeeded + ticket, and the follow-up must bring a
 * crop and that ticket. `files` are served over HTTP (with byte ranges, which ffmpeg needs to loop
 * a video), as Sightline serves its demo videos under /fixtures/.
 */
export type ContractServer = {
  url: string;
  /** Gives a camera to another analyser (or to nobody) and tells the room, as the server does when a lease moves. */
  moveLease: (cameraId: string, analyserId: string | null) => void;
  /** What the agent sent, for the bench's figures and checks. */
  seen: {
    offers: number;
    renewals: { at: number; cameras: { cameraId: string; state: string; reason?: string; detectionsPerSecond: number }[] }[];
    probes: number;
    crops: number;
    overlays: Map<string, number>;
    invalid: string[];
  };
  stop: () => Promise<void>;
};

export async function startContractServer({
  deploymentId,
  cameras,
  askForCrops = true,
  files = {},
  acceptKey,
  port = 0,
}: {
  deploymentId: string;
  cameras: AnalysableCamera[];
  askForCrops?: boolean;
  /** URL path → local file. */
  files?: Record<string, string>;
  /** The only key accepted; by default any bearer key is. */
  acceptKey?: string;
  /** A fixed port (a server "restarting"); by default a free one. */
  port?: number;
}): Promise<ContractServer> {
  const http = createServer((request, response) => serveFile(files, request, response));
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { path: '/socket.io' });
  const holders = new Map<string, { analyserId: string; since: string }>();
  const tickets = new Map<string, string>();
  const seen: ContractServer['seen'] = { offers: 0, renewals: [], probes: 0, crops: 0, overlays: new Map(), invalid: [] };

  const table = (): CameraLeaseView[] =>
    cameras.map((camera) => {
      const holder = holders.get(camera.id);
      return {
        cameraId: camera.id,
        holder: holder ? { kind: 'agent', analyserId: holder.analyserId, name: 'bench agent' } : null,
        since: holder?.since ?? new Date().toISOString(),
        state: 'analysing',
        reason: null,
        detectionsPerSecond: 0,
        warnings: [],
      };
    });

  io.use((socket, next) => {
    const header = socket.handshake.headers.authorization;
    if (typeof header === 'string' && /^Bearer \S+$/.test(header) && (!acceptKey || header === `Bearer ${acceptKey}`)) next();
    else next(Object.assign(new Error('invalid_api_key'), { data: { code: 'invalid_api_key', message: 'A bearer API key is required.' } }));
  });

  io.on('connection', (socket) => {
    socket.on('lease:offer', (payload, ack) => {
      const offer = LeaseOfferSchema.safeParse(payload);
      if (!offer.success || offer.data.deploymentId !== deploymentId) return ack({ ok: false, error: 'not_found' });
      seen.offers += 1;
      for (const camera of cameras) if (!holders.has(camera.id)) holders.set(camera.id, { analyserId: socket.id, since: new Date().toISOString() });
      void socket.join(deploymentId);
      ack({ ok: true, cameras, leases: table() });
      socket.to(deploymentId).emit('lease:changed', { deploymentId, leases: table() });
    });
    socket.on('lease:renew', (payload, ack) => {
      const renewal = LeaseRenewSchema.safeParse(payload);
      if (!renewal.success) {
        seen.invalid.push(`renew: ${renewal.error.message}`);
        return ack({ ok: false, error: 'invalid_input' });
      }
      seen.renewals.push({ at: Date.now(), cameras: renewal.data.cameras });
      ack({ ok: true, leases: table() });
    });
    socket.on('overlay:publish', (payload) => {
      const overlay = OverlayFrameSchema.safeParse(payload);
      if (!overlay.success) return void seen.invalid.push(`overlay: ${overlay.error.message}`);
      seen.overlays.set(overlay.data.cameraId, (seen.overlays.get(overlay.data.cameraId) ?? 0) + 1);
    });
    socket.on('probe:submit', (payload, ack) => {
      const { deploymentId: _ignored, ...rest } = (payload ?? {}) as Record<string, unknown>;
      const probe = ProbeSchema.safeParse(rest);
      if (!probe.success) {
        seen.invalid.push(`probe: ${probe.error.message}`);
        return ack({ error: 'invalid_input', message: probe.error.message });
      }
      if (holders.get(probe.data.cameraId)?.analyserId !== socket.id) return ack({ error: 'not_lease_holder', message: 'Another analyser holds this camera.' });
      if (probe.data.ticket) {
        if (tickets.get(probe.data.trackId) !== probe.data.ticket || !probe.data.crop)
          return ack({ error: 'crop_not_requested', message: 'No crop was asked for.' });
        tickets.delete(probe.data.trackId);
        seen.crops += 1;
        return ack({ matched: false });
      }
      seen.probes += 1;
      if (!askForCrops) return ack({ matched: false });
      const ticket = randomBytes(16).toString('base64url');
      tickets.set(probe.data.trackId, ticket);
      ack({ matched: false, cropNeeded: true, ticket });
    });
    socket.on('disconnect', () => {
      for (const [cameraId, holder] of holders) if (holder.analyserId === socket.id) holders.delete(cameraId);
    });
  });

  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const { port: listening } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${listening}`,
    seen,
    moveLease: (cameraId, analyserId) => {
      if (analyserId) holders.set(cameraId, { analyserId, since: new Date().toISOString() });
      else holders.delete(cameraId);
      io.to(deploymentId).emit('lease:changed', { deploymentId, leases: table() });
    },
    stop: async () => {
      await io.close();
    },
  };
}

/** GET of a file with an optional single byte range; socket.io answers its own path before this. */
function serveFile(files: Record<string, string>, request: IncomingMessage, response: ServerResponse): void {
  if (request.url?.startsWith('/socket.io')) return;
  const file = files[request.url ?? ''];
  if (!file) {
    response.writeHead(404).end();
    return;
  }
  const size = statSync(file).size;
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  if (!range) {
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': size, 'accept-ranges': 'bytes' });
    createReadStream(file).pipe(response);
    return;
  }
  const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
  const end = range[1] && range[2] ? Math.min(size - 1, Number(range[2])) : size - 1;
  if (start >= size || start > end) {
    response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    return;
  }
  response.writeHead(206, {
    'content-type': 'video/mp4',
    'content-length': end - start + 1,
    'content-range': `bytes ${start}-${end}/${size}`,
    'accept-ranges': 'bytes',
  });
  createReadStream(file, { start, end }).pipe(response);
}
