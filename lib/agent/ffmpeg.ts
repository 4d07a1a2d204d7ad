import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

/**
 * Camera pictures for the headless agent: one ffmpeg process per camera reads the source (a
 * file or http(s) video, HLS, MJPEG over HTTP, RTSP) and writes decoded frames to its stdout at the
 * configured rate. Frames come out as binary PPM (a 15-byte text header, then raw RGB): each frame
 * says its own width and height, so nothing has to be probed first and a camera that changes its
 * resolution mid-stream is followed without a restart.
 *
 * Node only. Callers: lib/agent/camera-feed.ts (restarts, state), bench/agent.ts.
 */

export const FFMPEG_MISSING_MESSAGE =
  'ffmpeg was not found. The camera agent reads cameras with ffmpeg: install it with `apt-get install ffmpeg` (Debian and Ubuntu), then start the agent again.';

/** Checks that ffmpeg runs; returns its version line, or throws FFMPEG_MISSING_MESSAGE. */
export function checkFfmpeg(ffmpegPath = 'ffmpeg'): string {
  const result = spawnSync(ffmpegPath, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error || result.status !== 0) throw new Error(FFMPEG_MISSING_MESSAGE);
  return result.stdout.split('\n')[0]?.trim() ?? 'ffmpeg';
}

/** A decoded picture: `rgb` holds width × height × 3 bytes, row by row. */
export type RgbFrame = { width: number; height: number; rgb: Uint8Array; capturedAt: number };

export type FrameReaderOptions = {
  /** What ffmpeg reads: a URL or a local file path. */
  input: string;
  /** Source kind as the deployment's plan names it; decides looping and protocol options. */
  kind: string;
  /** Frames per second delivered. */
  fps: number;
  /** Frames wider than this are scaled down (keeping the aspect ratio). */
  maxWidth: number;
  ffmpegPath?: string;
};

/** ffmpeg's arguments for one camera. Exported for tests and the bench. */
export function ffmpegArguments({ input, kind, fps, maxWidth }: FrameReaderOptions): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  const network = /^[a-z][a-z0-9+.-]*:\/\//i.test(input);
  if (kind === 'rtsp') {
    // TCP: no lost packets (grey smears) and it passes firewalls and NAT; 10 s without data is a failure.
    args.push('-rtsp_transport', 'tcp', '-timeout', '10000000');
  } else if (network) {
    args.push('-rw_timeout', '10000000');
  }
  if (kind === 'file') {
    // A recorded video stands in for a camera: read at its own pace, round and round.
    args.push('-re', '-stream_loop', '-1');
  } else if (kind === 'hls') {
    // A recorded (VOD) playlist would otherwise be decoded as fast as possible and end at once.
    args.push('-re');
  } else if (kind === 'mjpeg') {
    // Multipart JPEG carries no timestamps: ffmpeg would assume 25 frames/s whatever the camera
    // sends, and the rate filter would keep a fifth of what it should. Arrival time is the clock.
    args.push('-use_wallclock_as_timestamps', '1');
  }
  args.push('-i', input, '-an', '-sn', '-dn');
  // fps first, so frames dropped by the rate are never scaled or converted.
  args.push('-vf', `fps=${fps},scale=w='min(iw\\,${maxWidth})':h=-2`);
  args.push('-f', 'image2pipe', '-vcodec', 'ppm', '-pix_fmt', 'rgb24', 'pipe:1');
  return args;
}

/** `scheme://user:password@host` → `scheme://***@host`: camera URLs often carry credentials. */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}

/**
 * The line of ffmpeg's standard error that says what went wrong: the last line that is not
 * empty, a progress report or a repeat of "Error opening input" boilerplate when a more precise
 * one came before. Credentials in URLs are hidden; at most 300 characters (LeaseRenewSchema).
 */
export function meaningfulLine(stderr: readonly string[]): string | null {
  const lines = stderr.map((line) => line.trim()).filter((line) => line && !/^(frame|size)=/.test(line) && !/^Exiting normally/i.test(line));
  const generic = /^(Error opening input( file)?|Error opening input files|Conversion failed!?)/i;
  // "[h264 @ 0x…] …" lines are a component's detail (often decoder noise); an unprefixed line is
  // ffmpeg's own summary ("rtsp://…: Connection refused") and is preferred when there is one.
  const prefixed = /^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/i;
  const reversed = lines.filter((line) => !generic.test(line.replace(prefixed, ''))).reverse();
  const chosen = reversed.find((line) => !prefixed.test(line)) ?? reversed[0] ?? lines.at(-1);
  return chosen ? redactUrls(chosen).slice(0, 300) : null;
}

/**
 * Parses binary PPM frames (P6 header, maxval 255) out of a byte stream that arrives in chunks
 * of any size. Copies each frame's pixels once, into a buffer of its own.
 */
export class PpmParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private header: { width: number; height: number; headerLength: number } | null = null;

  /** Feeds bytes; returns the frames completed by them. Throws on a stream that is not P6 PPM. */
  push(chunk: Buffer): { width: number; height: number; rgb: Uint8Array }[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: { width: number; height: number; rgb: Uint8Array }[] = [];
    for (;;) {
      if (!this.header) {
        if (this.buffered < 11) break;
        const head = this.peek(Math.min(this.buffered, 64));
        this.header = parsePpmHeader(head);
        if (!this.header) {
          if (this.buffered >= 64) throw new Error('ffmpeg wrote something that is not a PPM frame');
          break;
        }
      }
      const { width, height, headerLength } = this.header;
      const size = width * height * 3;
      if (this.buffered < headerLength + size) break;
      this.consume(headerLength);
      const rgb = this.take(size);
      this.header = null;
      frames.push({ width, height, rgb });
    }
    return frames;
  }

  private peek(length: number): Buffer {
    if (this.chunks[0]!.length >= length) return this.chunks[0]!.subarray(0, length);
    return Buffer.concat(this.chunks).subarray(0, length);
  }

  private consume(length: number): void {
    this.take(length);
  }

  private take(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0]!;
      const wanted = Math.min(chunk.length, length - filled);
      out.set(chunk.subarray(0, wanted), filled);
      filled += wanted;
      if (wanted === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(wanted);
    }
    this.buffered -= length;
    return out;
  }
}

/** "P6 <width> <height> 255" and one whitespace byte; null while incomplete. Comments are not written by ffmpeg. */
function parsePpmHeader(head: Buffer): { width: number; height: number; headerLength: number } | null {
  if (head[0] !== 0x50 || head[1] !== 0x36) throw new Error('ffmpeg wrote something that is not a PPM frame');
  const match = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(head.toString('latin1'));
  if (!match) return null;
  const [whole, width, height, maxval] = match;
  if (maxval !== '255') throw new Error(`Unexpected PPM depth ${maxval}`);
  return { width: Number(width), height: Number(height), headerLength: whole!.length };
}

export type FrameReaderEvents = {
  onFrame: (frame: RgbFrame) => void;
  /** ffmpeg ended (it failed, the source closed, or stop() was called): with its reason when it failed. */
  onExit: (result: { code: number | null; signal: NodeJS.Signals | null; reason: string | null; stopped: boolean }) => void;
};

/** Lines of standard error kept for the reason. */
const STDERR_LINES = 20;

/**
 * One ffmpeg run. stop() ends it: SIGTERM (ffmpeg closes its input cleanly), then SIGKILL if it
 * has not gone within 2 s. Restarting is the caller's job (lib/agent/camera-feed.ts).
 */
export class FrameReader {
  private readonly child: ChildProcessByStdio<null, Readable, Readable>;
  private readonly stderr: string[] = [];
  private stopped = false;
  private readonly exited: Promise<void>;
  frames = 0;

  constructor(options: FrameReaderOptions, events: FrameReaderEvents) {
    this.child = spawn(options.ffmpegPath ?? 'ffmpeg', ffmpegArguments(options), { stdio: ['ignore', 'pipe', 'pipe'] });
    const parser = new PpmParser();
    let parseError: string | null = null;
    this.child.stdout.on('data', (chunk: Buffer) => {
      if (parseError) return;
      try {
        for (const frame of parser.push(chunk)) {
          this.frames += 1;
          events.onFrame({ ...frame, capturedAt: Date.now() });
        }
      } catch (error) {
        parseError = error instanceof Error ? error.message : String(error);
        this.child.kill('SIGKILL');
      }
    });
    let partial = '';
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      const lines = (partial + text).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      this.stderr.push(...lines);
      if (this.stderr.length > STDERR_LINES) this.stderr.splice(0, this.stderr.length - STDERR_LINES);
    });
    this.exited = new Promise((resolve) => {
      let reported = false;
      const report = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
        if (reported) return;
        reported = true;
        if (partial) this.stderr.push(partial);
        const reason = spawnError
          ? (spawnError as NodeJS.ErrnoException).code === 'ENOENT'
            ? FFMPEG_MISSING_MESSAGE
            : spawnError.message
          : (parseError ?? meaningfulLine(this.stderr));
        events.onExit({ code, signal, reason, stopped: this.stopped });
        resolve();
      };
      this.child.once('error', (error) => report(null, null, error));
      this.child.once('close', (code, signal) => report(code, signal));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends ffmpeg and resolves once it has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(killer);
    }
    await this.exited;
  }
}
