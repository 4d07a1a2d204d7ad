import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { DEFAULT_DETECTOR } from '@/lib/face/detection-scheduler';
import type { Probe, ProbeAnswer } from '@/lib/face/probe';
import type {
  AnalysableCamera,
  CameraAnalysisState,
  CameraLeaseView,
  ClientToServerEvents,
  LeaseOfferAnswer,
  LeaseRenewAnswer,
  ServerToClientEvents,
} from '@/lib/realtime/events';
import { PROBE_TIMEOUT_MS } from '@/lib/face/probe-exchange';
import { CameraAnalysis, ProbeRefused, type ProbeCounters } from './camera-analysis';
import { CameraFeed, type FeedState } from './camera-feed';
import { FrameDetector } from './detector';
import { redactUrls } from './ffmpeg';

/**
 * The headless camera agent (`npm run agent`): a service account's socket to Sightline that
 * offers to analyse every camera of its deployments (`lease:offer`), analyses the cameras the
 * server gives it (`lease:changed`, and the answers to offers and renewals), renews its leases
 * every second with each camera's state and detection rate (`lease:renew`), publishes the boxes
 * of each analysed frame (`overlay:publish`, at most 10 per second per camera) and sends probes
 * exactly as a camera-wall page does (`probe:submit`). Contract: lib/realtime/events.ts and
 * docs/architecture.md#camera-agent.
 *
 * One detector serves every held camera, taking the newest frame of each in turn, so a slow
 * machine analyses each camera less often rather than falling behind. The key is sent only in the
 * socket's handshake header and never logged; nothing about a face is logged or kept.
 */

export type AgentConfig = {
  /** Sightline's address, e.g. http://localhost:3000. */
  url: string;
  /** The service account's API key (SIGHTLINE_AGENT_KEY). */
  key: string;
  deploymentIds: string[];
  /** Frames decoded and analysed per second per camera, at most. */
  fps: number;
  /** Frames wider than this are scaled down by ffmpeg. */
  maxWidth?: number;
  ffmpegPath?: string;
  /** One line per state change. */
  log?: (line: string) => void;
  /** The server refused the key: the agent cannot go on (the script exits non-zero). */
  onFatal?: (message: string) => void;
  /** The tiny face detector's input size (default: the browser's, DEFAULT_DETECTOR). */
  detectorInputSize?: number;
  /** A detector already loaded (tests, the bench); otherwise one is created on start. */
  detector?: FrameDetector;
};

export type CameraStats = {
  deploymentId: string;
  cameraId: string;
  name: string;
  state: CameraAnalysisState;
  reason: string | null;
  detectionsPerSecond: number;
  framesAnalysed: number;
  framesDecoded: number;
};

type HeldCamera = {
  deploymentId: string;
  camera: AnalysableCamera;
  feed: CameraFeed;
  analysis: CameraAnalysis;
  /** When the overlays of the last second were published (a sliding window for OVERLAYS_PER_SECOND). */
  overlayTimes: number[];
  released: boolean;
};

/**
 * At most this many overlay frames per second per camera (the server drops extra ones too). A
 * sliding window rather than a minimum interval: two frames analysed close together (the second
 * waited while the detector described a face) are both published.
 */
const OVERLAYS_PER_SECOND = 10;
const RENEW_INTERVAL_MS = 1000;
/** A deployment whose offer was refused (not live yet) or forgotten by the server is offered again this often. */
const REOFFER_MS = 15_000;
const DEFAULT_MAX_WIDTH = 1280;
/**
 * The handshake's refusal of the key itself (malformed, unknown, revoked, expired): retrying cannot
 * help and would only fill the audit log with refusals. Other refusals (the server briefly unable
 * to check) are retried with back-off.
 */
const KEY_REFUSED = /invalid_api_key/;

type AgentSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class CameraAgent {
  private readonly config: Required<Omit<AgentConfig, 'detector' | 'ffmpegPath' | 'onFatal' | 'detectorInputSize'>> &
    Pick<AgentConfig, 'ffmpegPath' | 'onFatal' | 'detectorInputSize'>;
  private socket: AgentSocket | null = null;
  private detector: FrameDetector | null;
  private readonly held = new Map<string, HeldCamera>();
  private readonly cameras = new Map<string, AnalysableCamera[]>();
  private readonly lastOfferAt = new Map<string, number>();
  /** Deployments whose offer the server accepted on this connection: renewed every second, held cameras or not. */
  private readonly offered = new Set<string>();
  private readonly lastOfferError = new Map<string, string>();
  private readonly lastRenewError = new Map<string, string>();
  private renewTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempts = 0;
  private lastConnectError: string | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  private roundRobin = 0;
  /** Prefix of this run's track ids. */
  readonly sessionId = `agent${randomBytes(4).toString('hex')}`;
  readonly probes: ProbeCounters = { submitted: 0, matched: 0, failed: 0, refused: {} };

  constructor(config: AgentConfig) {
    this.config = {
      url: config.url.replace(/\/$/, ''),
      key: config.key,
      deploymentIds: [...new Set(config.deploymentIds)],
      fps: config.fps,
      maxWidth: config.maxWidth ?? DEFAULT_MAX_WIDTH,
      ffmpegPath: config.ffmpegPath,
      log: config.log ?? ((line) => console.log(line)),
      onFatal: config.onFatal,
      detectorInputSize: config.detectorInputSize,
    };
    this.detector = config.detector ?? null;
  }

  /** Loads the detector (if not given) and connects; analysis starts as leases arrive. */
  async start(): Promise<void> {
    if (!this.detector) {
      const started = Date.now();
      this.detector = await FrameDetector.create({
        ...DEFAULT_DETECTOR,
        ...(this.config.detectorInputSize ? { inputSize: this.config.detectorInputSize } : {}),
      });
      this.log(`face models loaded in ${Date.now() - started} ms (backend ${this.detector.backend}, detector input ${this.detector.settings.inputSize} px)`);
    }
    if (this.stopping) return;
    this.loopDone = this.analyseLoop();
    this.connect();
  }

  /** Stops every ffmpeg, disconnects (the server moves the leases at once) and ends the loop. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.releaseAll('the agent is stopping');
    this.socket?.disconnect();
    this.socket = null;
    this.wake?.();
    await this.loopDone;
  }

  stats(): CameraStats[] {
    return [...this.held.values()].map((held) => ({
      deploymentId: held.deploymentId,
      cameraId: held.camera.id,
      name: held.camera.name,
      state: held.feed.state.state,
      reason: held.feed.state.reason,
      detectionsPerSecond: held.analysis.detectionsPerSecond(),
      framesAnalysed: held.analysis.frames,
      framesDecoded: held.feed.framesReceived,
    }));
  }

  // ─── connection ────────────────────────────────────────────────────────────────────────────

  private connect(): void {
    const socket: AgentSocket = io(this.config.url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { authorization: `Bearer ${this.config.key}` },
      // socket.io's own reconnection: exponential from 1 s to 30 s, ±50 % jitter.
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30_000,
      randomizationFactor: 0.5,
      timeout: 10_000,
    });
    this.socket = socket;
    this.log(
      `connecting to ${redactUrls(this.config.url)} for deployment${this.config.deploymentIds.length > 1 ? 's' : ''} ${this.config.deploymentIds.join(', ')}`,
    );

    socket.on('connect', () => {
      this.reconnectAttempts = 0;
      this.lastConnectError = null;
      this.log(`connected (socket ${socket.id})`);
      for (const deploymentId of this.config.deploymentIds) void this.offer(deploymentId);
      this.renewTimer ??= setInterval(() => this.renewAll(), RENEW_INTERVAL_MS);
    });

    socket.on('disconnect', (reason) => {
      if (this.stopping) return;
      this.log(`disconnected (${reason}); the server moves this agent's cameras to other analysers`);
      this.offered.clear();
      void this.releaseAll('disconnected');
      // Closed by the server (a revoked key, a restart): socket.io does not reconnect by itself.
      if (reason === 'io server disconnect') this.scheduleReconnect();
    });

    socket.on('connect_error', (error: Error & { data?: unknown }) => {
      if (this.stopping) return;
      const message = connectErrorText(error);
      if (!socket.active) {
        // Refused by the server's handshake check rather than unreachable.
        if (KEY_REFUSED.test(message)) {
          this.log(`the server refused the API key: ${message}`);
          this.config.onFatal?.(`The server refused the API key (${message}). Check SIGHTLINE_AGENT_KEY: it may be revoked, expired or mistyped.`);
          return;
        }
        this.log(`the server refused the connection: ${message}`);
        this.scheduleReconnect();
        return;
      }
      if (message !== this.lastConnectError) this.log(`cannot reach ${redactUrls(this.config.url)} (${message}); retrying with back-off`);
      this.lastConnectError = message;
    });

    socket.on('lease:changed', ({ deploymentId, leases }) => {
      if (this.config.deploymentIds.includes(deploymentId)) void this.reconcile(deploymentId, leases);
    });
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.stopping) return;
    const delay = Math.min(30_000, 1000 * 2 ** this.reconnectAttempts) * (0.5 + Math.random());
    this.reconnectAttempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopping && this.socket && !this.socket.connected) this.socket.connect();
    }, delay);
  }

  private async offer(deploymentId: string): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected || this.stopping) return;
    this.lastOfferAt.set(deploymentId, Date.now());
    let answer: LeaseOfferAnswer;
    try {
      answer = await socket.timeout(10_000).emitWithAck('lease:offer', { deploymentId });
    } catch {
      answer = { ok: false, error: 'no answer to the offer within 10 s' };
    }
    if (this.stopping || socket !== this.socket) return;
    if (!answer.ok) {
      if (this.lastOfferError.get(deploymentId) !== answer.error)
        this.log(`deployment ${deploymentId}: offer refused (${answer.error}); offering again every ${REOFFER_MS / 1000} s`);
      this.lastOfferError.set(deploymentId, answer.error);
      await this.releaseDeployment(deploymentId, `offer refused: ${answer.error}`);
      return;
    }
    this.lastOfferError.delete(deploymentId);
    this.offered.add(deploymentId);
    this.cameras.set(deploymentId, answer.cameras);
    this.log(`deployment ${deploymentId}: offered to analyse its ${answer.cameras.length} camera${answer.cameras.length === 1 ? '' : 's'}`);
    await this.reconcile(deploymentId, answer.leases);
  }

  /**
   * Every second, for each deployment offered: the state of the cameras held there — an empty list
   * when none is, because the server hands a camera over on failure only to a candidate it has
   * heard from within the lease period. A deployment the server no longer knows this socket in
   * (it stopped being live) is offered again every REOFFER_MS, like one whose offer was refused.
   */
  private renewAll(): void {
    const socket = this.socket;
    if (!socket?.connected || this.stopping) return;
    for (const deploymentId of this.config.deploymentIds) {
      if (!this.offered.has(deploymentId)) {
        if (Date.now() - (this.lastOfferAt.get(deploymentId) ?? 0) >= REOFFER_MS) void this.offer(deploymentId);
        continue;
      }
      const held = [...this.held.values()].filter((h) => h.deploymentId === deploymentId);
      const payload = {
        deploymentId,
        cameras: held.map((h) => ({
          cameraId: h.camera.id,
          state: h.feed.state.state,
          ...(h.feed.state.reason ? { reason: h.feed.state.reason } : {}),
          detectionsPerSecond: Math.min(1000, h.analysis.detectionsPerSecond()),
        })),
      };
      socket.timeout(5000).emit('lease:renew', payload, (error: Error | null, answer?: LeaseRenewAnswer) => {
        if (error || !answer || this.stopping || socket !== this.socket) return; // the next renewal tries again; the server's TTL decides
        if (answer.ok) {
          this.lastRenewError.delete(deploymentId);
          void this.reconcile(deploymentId, answer.leases);
          return;
        }
        if (this.lastRenewError.get(deploymentId) !== answer.error) this.log(`deployment ${deploymentId}: renewal refused (${answer.error})`);
        this.lastRenewError.set(deploymentId, answer.error);
        // Offered again in about 2 s: its answer says what this agent still holds (a refused
        // offer releases everything there). The cameras keep running meanwhile, in case the
        // refusal was a passing one (too many requests).
        this.offered.delete(deploymentId);
        this.lastOfferAt.set(deploymentId, Date.now() - REOFFER_MS + 2000);
      });
    }
  }

  // ─── leases → cameras ──────────────────────────────────────────────────────────────────────

  /** Starts the cameras this socket holds and stops those it no longer holds. */
  private async reconcile(deploymentId: string, leases: CameraLeaseView[]): Promise<void> {
    const socketId = this.socket?.id;
    if (!socketId || this.stopping) return;
    const mine = new Set(leases.filter((lease) => lease.holder?.analyserId === socketId).map((lease) => lease.cameraId));
    const stops: Promise<void>[] = [];
    for (const [key, held] of this.held) {
      if (held.deploymentId !== deploymentId || mine.has(held.camera.id)) continue;
      const lease = leases.find((l) => l.cameraId === held.camera.id);
      const now = lease?.holder
        ? // (the server names other holders to an agent by kind only)
          `now analysed by ${lease.holder.kind === 'agent' ? 'an agent' : lease.holder.kind === 'browser' ? 'a camera-wall screen' : 'another sender'}${lease.holder.name ? ` (${lease.holder.name})` : ''}`
        : 'lease ended';
      stops.push(this.release(key, now));
    }
    let missing = false;
    for (const cameraId of mine) {
      if (this.held.has(keyOf(deploymentId, cameraId))) continue;
      const camera = this.cameras.get(deploymentId)?.find((c) => c.id === cameraId);
      if (camera) this.hold(deploymentId, camera);
      else missing = true;
    }
    await Promise.all(stops);
    // A camera this agent has not been told about (added since the offer): ask again for the list,
    // at most every few seconds (a server whose lists disagree must not get an offer per answer).
    if (missing && Date.now() - (this.lastOfferAt.get(deploymentId) ?? 0) >= 5000) void this.offer(deploymentId);
  }

  private hold(deploymentId: string, camera: AnalysableCamera): void {
    const key = keyOf(deploymentId, camera.id);
    const label = `camera "${camera.name}" (${camera.id})`;
    const input = this.inputOf(camera);
    const analysis = new CameraAnalysis({
      deploymentId,
      cameraId: camera.id,
      sessionId: this.sessionId,
      counters: this.probes,
      submitProbe: (probe) => this.submitProbe(deploymentId, probe),
    });
    const feed = new CameraFeed({
      input: input ?? '',
      kind: camera.source.kind,
      fps: this.config.fps,
      maxWidth: this.config.maxWidth,
      ffmpegPath: this.config.ffmpegPath,
      onState: (state: FeedState) => this.log(`${label}: ${describeState(state)}`),
      onFrame: () => this.wake?.(),
    });
    this.held.set(key, { deploymentId, camera, feed, analysis, overlayTimes: [], released: false });
    this.log(`${label}: lease taken (${camera.source.kind} source ${redactUrls(camera.source.url)})`);
    // Reported down, so that the server hands the camera to an analyser that can read it.
    if (input) feed.start();
    else feed.unreadable('A capture device on a computer cannot be read by the camera agent');
  }

  private async release(key: string, why: string): Promise<void> {
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
    held.released = true;
    held.analysis.dispose();
    await held.feed.stop();
    this.log(`camera "${held.camera.name}" (${held.camera.id}): released (${why})`);
  }

  private async releaseDeployment(deploymentId: string, why: string): Promise<void> {
    await Promise.all([...this.held].filter(([, held]) => held.deploymentId === deploymentId).map(([key]) => this.release(key, why)));
  }

  private async releaseAll(why: string): Promise<void> {
    await Promise.all([...this.held.keys()].map((key) => this.release(key, why)));
  }

  /** What ffmpeg opens: the camera's URL; a path on the Sightline site (a demo file) is fetched from it. */
  private inputOf(camera: AnalysableCamera): string | null {
    if (camera.source.kind === 'device') return null;
    if (camera.source.url.startsWith('/') && !camera.source.url.startsWith('//')) return `${this.config.url}${camera.source.url}`;
    return camera.source.url;
  }

  private async submitProbe(deploymentId: string, probe: Probe): Promise<Extract<ProbeAnswer, object>> {
    const socket = this.socket;
    // socket.io would buffer the probe and send it after a reconnection, long after the face left.
    if (!socket?.connected) throw new ProbeRefused('disconnected', 'Not connected to the server');
    const answer = await socket.timeout(PROBE_TIMEOUT_MS).emitWithAck('probe:submit', { deploymentId, ...probe });
    if ('error' in answer) throw new ProbeRefused(answer.error, answer.message);
    return answer;
  }

  // ─── analysis ──────────────────────────────────────────────────────────────────────────────

  /** One detector for all held cameras: the newest frame of each camera in turn. */
  private async analyseLoop(): Promise<void> {
    const detector = this.detector!;
    while (!this.stopping) {
      const held = this.nextWithFrame();
      if (!held) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 500);
        });
        this.wake = null;
        continue;
      }
      const frame = held.feed.takeFrame()!;
      try {
        const result = await detector.analyse(frame, (faces) => (held.released ? [] : held.analysis.onDetections(faces, frame)));
        if (held.released || this.stopping) continue;
        held.analysis.onDescribed(result.described, result.failedTrackIds, frame.capturedAt);
        this.publishOverlay(held);
      } catch (error) {
        this.log(`camera "${held.camera.name}" (${held.camera.id}): a frame could not be analysed (${error instanceof Error ? error.message : String(error)})`);
      }
    }
  }

  private nextWithFrame(): HeldCamera | null {
    const all = [...this.held.values()];
    for (let i = 0; i < all.length; i++) {
      const held = all[(this.roundRobin + i) % all.length]!;
      if (held.feed.hasFrame()) {
        this.roundRobin = (this.roundRobin + i + 1) % all.length;
        return held;
      }
    }
    return null;
  }

  private publishOverlay(held: HeldCamera): void {
    const now = Date.now();
    while (held.overlayTimes.length && held.overlayTimes[0]! <= now - 1000) held.overlayTimes.shift();
    if (held.overlayTimes.length >= OVERLAYS_PER_SECOND || !this.socket?.connected) return;
    const overlay = held.analysis.overlay();
    if (!overlay) return;
    held.overlayTimes.push(now);
    // Sent only while connected (checked above), so socket.io never buffers one for a later
    // connection; not volatile, which drops a packet whenever the previous one is still being
    // written (about one overlay in fifteen beside the renewals and probes, measured).
    this.socket.emit('overlay:publish', overlay);
  }

  private log(message: string): void {
    this.config.log(`${new Date().toISOString()} ${message}`);
  }
}

const keyOf = (deploymentId: string, cameraId: string) => `${deploymentId}/${cameraId}`;

function describeState({ state, reason }: FeedState): string {
  if (state === 'source_down') return `source down: ${reason ?? 'no reason given'}`;
  return state === 'connecting' ? 'connecting to the source' : 'analysing';
}

function connectErrorText(error: Error & { data?: unknown }): string {
  const data = error.data as { code?: unknown; error?: unknown; message?: unknown } | undefined;
  const code = typeof data?.code === 'string' ? data.code : typeof data?.error === 'string' ? data.error : null;
  const detail = typeof data?.message === 'string' ? data.message : error.message;
  return redactUrls(code && !detail.includes(code) ? `${code}: ${detail}` : detail);
}
