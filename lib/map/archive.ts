import { open, stat, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip } from 'node:zlib';
import { Compression, PMTiles, TileType, type Header, type Source } from 'pmtiles';
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
  /** From the archive's metadata, when it has one. */
  name?: string;
  attribution?: string;
};

export type TileArchive = {
  file: string;
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

const COMPRESSION_NAMES: Record<number, string> = { 0: 'unknown', 1: 'none', 2: 'gzip', 3: 'brotli', 4: 'zstd' };
const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliDecompress);

async function decompress(buffer: ArrayBuffer, compression: Compression): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(buffer);
  if (compression === Compression.None || compression === Compression.Unknown) return buffer;
  const out =
    compression === Compression.Gzip ? await gunzipAsync(bytes)
    : compression === Compression.Brotli ? await brotliAsync(bytes)
    : null;
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
    // The header read asks for 16 KiB; a small archive is shorter than that.
    const available = Math.max(0, Math.min(length, this.size - offset));
    const bytes = new Uint8Array(available);
    await this.handle.read(bytes, 0, available, offset);
    return { data: bytes.buffer };
  }
}

export async function openTileArchive(file: string): Promise<TileArchive> {
  let handle: FileHandle;
  let size: number;
  try {
    handle = await open(file, 'r');
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      throw new TileArchiveError(file, 'is not a file');
    }
    size = stats.size;
  } catch (error) {
    if (error instanceof TileArchiveError) throw error;
    throw new TileArchiveError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message));
  }
  try {
    const archive = new PMTiles(new FileRangeSource(handle, file, size), undefined, decompress);
    const info = await describe(file, archive, size);
    return {
      file,
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

async function describe(file: string, archive: PMTiles, size: number): Promise<TileArchiveInfo> {
  if (size < 127) throw new TileArchiveError(file, 'too short to be a PMTiles archive');
  let header: Header;
  try {
    header = await archive.getHeader();
  } catch (error) {
    const message = (error as Error).message;
    throw new TileArchiveError(file, /magic/i.test(message) ? 'not a PMTiles archive' : message);
  }
  const kind = FORMATS[header.tileType];
  if (!kind) throw new TileArchiveError(file, `tile type ${TileType[header.tileType] ?? header.tileType} is not supported (use png, jpeg, webp, avif or mvt tiles)`);
  for (const [what, compression] of [['directory', header.internalCompression], ['tile', header.tileCompression]] as const) {
    if (compression > Compression.Brotli) {
      throw new TileArchiveError(file, `${what} compression ${COMPRESSION_NAMES[compression] ?? compression} is not supported (use none, gzip or brotli)`);
    }
  }
  if (header.minZoom > header.maxZoom) throw new TileArchiveError(file, `its zoom range ${header.minZoom}–${header.maxZoom} is empty`);
  const metadata = await readMetadata(archive);
  return {
    ...kind,
    minZoom: header.minZoom,
    maxZoom: header.maxZoom,
    bounds: [
      [header.minLat, header.minLon],
      [header.maxLat, header.maxLon],
    ],
    name: metadata.name,
    attribution: metadata.attribution,
  };
}

/** The archive's name and attribution; metadata is optional, and a broken one is not fatal. */
async function readMetadata(archive: PMTiles): Promise<{ name?: string; attribution?: string }> {
  try {
    const metadata = (await archive.getMetadata()) as Record<string, unknown> | null;
    const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
    return { name: text(metadata?.name), attribution: text(metadata?.attribution) };
  } catch {
    return {};
  }
}

/**
 * The archive at `file`, opened once and shared by every caller in the process (server.ts and
 * Next's route bundle are different module instances, hence globalThis). Replacing the file is
 * noticed on the next request: it is reopened when its size or modification time changes.
 */
type Cached = { version: string; archive: Promise<TileArchive> };
const cache: Map<string, Cached> = ((globalThis as { __sightlineTileArchives?: Map<string, Cached> }).__sightlineTileArchives ??= new Map());

export async function sharedTileArchive(file: string): Promise<TileArchive> {
  let version: string;
  try {
    const stats = await stat(file);
    version = `${stats.size}:${stats.mtimeMs}`;
  } catch {
    throw new TileArchiveError(file, 'no such file');
  }
  const cached = cache.get(file);
  if (cached?.version === version) return cached.archive;
  const archive = openTileArchive(file);
  cache.set(file, { version, archive });
  // A failed open is not remembered: the next request tries again (the file may be mid-copy).
  archive.catch(() => {
    if (cache.get(file)?.archive === archive) cache.delete(file);
  });
  // Requests already reading the old file finish first.
  if (cached) setTimeout(() => void cached.archive.then((old) => old.close()).catch(() => {}), 30_000).unref();
  return archive;
}
