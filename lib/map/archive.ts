import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip } from 'node:zlib';
import { Compression, PMTiles, TileType, type Header, type Source } from 'pmtiles';
import { processState } from '@/lib/process-state';
import type { TileBounds } from './spec';

/**
 * A PMTiles v3 archive on this machine's disk (https://github.com/protomaps/PMTiles): one file
 * holding a whole tile pyramid, so an air-gapped control room needs no tile server. The archive
 * is read here, on the server, and its tiles are answered one by one (app/api/map/tiles), so the
 * browser sees plain `{z}/{x}/{y}` URLs behind the app's sign-in.
 */
export type TileFormat = 'png' | 'jpeg' | 'webp' | 'avif' | 'mvt';

export type TileArchiveInfo = {
  format: TileFormat;
  contentType: string;
  minZoom: number;
  maxZoom: number;
  bounds: TileBounds;
  /** From the archive's metadata, when it has one; plain text. */
  name?: string;
  attribution?: string;
  /** Vector archives: the layers their metadata lists (empty when it lists none). */
  layers: string[];
};

export type TileArchive = {
  file: string;
  /** Changes whenever the file does: part of the tile URLs, so browsers never keep stale tiles. */
  version: string;
  info: TileArchiveInfo;
  /** The tile's bytes, decompressed; null when the archive has no tile there. */
  tile(z: number, x: number, y: number): Promise<Uint8Array | null>;
  close(): Promise<void>;
};

/** A file that is not a usable archive: the message names the file and the problem. */
export class TileArchiveError extends Error {
  constructor(file: string, problem: string) {
    super(`Map tile archive ${file}: ${problem}`);
    this.name = 'TileArchiveError';
  }
}

const FORMATS: Partial<Record<TileType, { format: TileFormat; contentType: string }>> = {
  [TileType.Mvt]: { format: 'mvt', contentType: 'application/vnd.mapbox-vector-tile' },
  [TileType.Png]: { format: 'png', contentType: 'image/png' },
  [TileType.Jpeg]: { format: 'jpeg', contentType: 'image/jpeg' },
  [TileType.Webp]: { format: 'webp', contentType: 'image/webp' },
  [TileType.Avif]: { format: 'avif', contentType: 'image/avif' },
};

const HEADER_BYTES = 127;
const COMPRESSION_NAMES: Record<number, string> = { 0: 'unknown', 1: 'none', 2: 'gzip', 3: 'brotli', 4: 'zstd' };
const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliDecompress);

async function decompress(buffer: ArrayBuffer, compression: Compression): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(buffer);
  if (compression === Compression.None || compression === Compression.Unknown) return buffer;
  const out = compression === Compression.Gzip ? await gunzipAsync(bytes) : compression === Compression.Brotli ? await brotliAsync(bytes) : null;
  if (!out) throw new Error(`${COMPRESSION_NAMES[compression] ?? compression} compression is not supported`);
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
}

/** Positional reads from an open file: concurrent tile requests need no locking. */
class FileRangeSource implements Source {
  constructor(
    private readonly handle: FileHandle,
    private readonly key: string,
    private readonly size: number,
  ) {}

  getKey() {
    return this.key;
  }

  async getBytes(offset: number, length: number) {
    // The first read asks for 16 KiB whatever the size; any other read past the end means the
    // file is shorter than its own directory says (cut short, or still being copied).
    if (offset !== 0 && offset + length > this.size) throw new Error('the file is shorter than its directory says (truncated?)');
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    const bytes = new Uint8Array(wanted);
    const { bytesRead } = await this.handle.read(bytes, 0, wanted, offset);
    if (bytesRead < wanted) throw new Error('the file changed while it was read');
    return { data: bytes.buffer };
  }
}

export async function openTileArchive(file: string): Promise<TileArchive> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new TileArchiveError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new TileArchiveError(file, 'is not a file');
    const archive = new PMTiles(new FileRangeSource(handle, file, stats.size), undefined, decompress);
    const info = await describe(file, handle, archive, stats.size);
    return {
      file,
      version: versionOf(stats),
      info,
      async tile(z, x, y) {
        try {
          const found = await archive.getZxy(z, x, y);
          return found ? new Uint8Array(found.data) : null;
        } catch (error) {
          throw new TileArchiveError(file, `tile ${z}/${x}/${y}: ${(error as Error).message}`);
        }
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error instanceof TileArchiveError ? error : new TileArchiveError(file, (error as Error).message);
  }
}

function versionOf(stats: { size: number; mtimeMs: number }): string {
  return createHash('sha256').update(`${stats.size}:${stats.mtimeMs}`).digest('hex').slice(0, 12);
}

async function describe(file: string, handle: FileHandle, archive: PMTiles, size: number): Promise<TileArchiveInfo> {
  const fail = (problem: string) => new TileArchiveError(file, problem);
  if (size < HEADER_BYTES) throw fail('too short to be a PMTiles archive');
  const start = new Uint8Array(8);
  await handle.read(start, 0, 8, 0);
  const magic = Buffer.from(start).toString('latin1');
  if (!magic.startsWith('PMTiles')) {
    throw fail(magic.startsWith('PM') ? 'PMTiles version 1 or 2 is not supported (convert it to version 3: pmtiles convert)' : 'not a PMTiles archive');
  }
  if (start[7] !== 3) throw fail(`PMTiles version ${start[7]} is not supported (version 3 is)`);

  const header: Header = await archive.getHeader();
  const kind = FORMATS[header.tileType];
  if (!kind) throw fail(`tile type ${TileType[header.tileType] ?? header.tileType} is not supported (use png, jpeg, webp, avif or mvt tiles)`);
  for (const [what, compression] of [
    ['directory', header.internalCompression],
    ['tile', header.tileCompression],
  ] as const) {
    if (compression > Compression.Brotli) {
      throw fail(`${what} compression ${COMPRESSION_NAMES[compression] ?? compression} is not supported (use none, gzip or brotli)`);
    }
  }
  if (header.minZoom > header.maxZoom) throw fail(`its zoom range ${header.minZoom}–${header.maxZoom} is empty`);
  // A copy cut short would otherwise pass here and answer broken tiles later.
  const sections: [string, number, number | undefined][] = [
    ['root directory', header.rootDirectoryOffset, header.rootDirectoryLength],
    ['metadata', header.jsonMetadataOffset, header.jsonMetadataLength],
    ['leaf directories', header.leafDirectoryOffset, header.leafDirectoryLength],
    ['tile data', header.tileDataOffset, header.tileDataLength],
  ];
  for (const [section, offset, length = 0] of sections) {
    if (offset + length > size) throw fail(`its ${section} ends at byte ${offset + length} but the file has ${size} bytes (truncated?)`);
  }
  const metadata = await readMetadata(archive);
  return {
    ...kind,
    minZoom: header.minZoom,
    maxZoom: header.maxZoom,
    bounds: [
      [header.minLat, header.minLon],
      [header.maxLat, header.maxLon],
    ],
    ...metadata,
  };
}

/**
 * The archive's name, attribution and layer names; metadata is optional, and a broken one is
 * not fatal. The attribution is often HTML (links); Leaflet would insert it as HTML into every
 * operator's page, so only its text is kept: an archive from elsewhere must not run script here.
 */
async function readMetadata(archive: PMTiles): Promise<Pick<TileArchiveInfo, 'name' | 'attribution' | 'layers'>> {
  try {
    const metadata = (await archive.getMetadata()) as Record<string, unknown> | null;
    const layers = Array.isArray(metadata?.vector_layers) ? metadata.vector_layers : [];
    return {
      name: plainText(metadata?.name),
      attribution: plainText(metadata?.attribution),
      layers: layers.map((layer: unknown) => (layer as { id?: unknown })?.id).filter((id): id is string => typeof id === 'string'),
    };
  } catch {
    return { layers: [] };
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const UNESCAPES: Record<string, string> = { ...Object.fromEntries(Object.entries(ESCAPES).map(([c, e]) => [e, c])), '&copy;': '©' };

/** The text of an HTML snippet (tags dropped, common entities read), escaped again for HTML. */
function plainText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|copy);/g, (entity) => UNESCAPES[entity]!)
    .replace(/\s+/g, ' ')
    .trim();
  return text ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : undefined;
}

/**
 * The archive at `file`, opened once and shared by every caller in the process (server.ts and
 * Next's route bundle are different module instances, hence globalThis). A replaced file is
 * reopened once it has been still for a moment: while it is being copied, the previous archive
 * goes on serving (write the new file beside it and rename it over the old one to be safe).
 */
type Cached = { version: string; archive: Promise<TileArchive> };
const cache = processState('tileArchives', () => new Map<string, Cached>());
const SETTLE_MS = 2_000;

export async function sharedTileArchive(file: string): Promise<TileArchive> {
  let stats: { size: number; mtimeMs: number };
  try {
    stats = await stat(file);
  } catch {
    throw new TileArchiveError(file, 'no such file');
  }
  const version = versionOf(stats);
  const cached = cache.get(file);
  if (cached?.version === version) return cached.archive;
  if (cached && Date.now() - stats.mtimeMs < SETTLE_MS) return cached.archive;

  const archive = openTileArchive(file);
  cache.set(file, { version, archive });
  // A failed open is not remembered: the next request tries again.
  archive.catch(() => {
    if (cache.get(file)?.archive === archive) cache.delete(file);
  });
  // Requests already reading the old file finish first.
  if (cached) setTimeout(() => void cached.archive.then((old) => old.close()).catch(() => {}), 30_000).unref();
  return archive;
}
