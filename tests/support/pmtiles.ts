/**
 * Writes small PMTiles v3 archives for tests, byte by byte from the specification
 * (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): no tool to make one exists on
 * our offline machines. Also encodes the minimal Mapbox vector tiles and PNG images they hold.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createCanvas } from '@napi-rs/canvas';
import { zxyToTileId } from 'pmtiles';

/** `stored`: bytes written as they are, whatever the compression (to make a damaged tile). */
export type FixtureTile = { z: number; x: number; y: number; data: Uint8Array; stored?: Uint8Array };

export type ArchiveOptions = {
  tiles: FixtureTile[];
  /** 1 mvt, 2 png, 3 jpeg, 4 webp, 5 avif — or anything, to test refusals. */
  tileType: number;
  /** 1 none, 2 gzip (tiles are compressed here accordingly), or anything, to test refusals. */
  tileCompression?: number;
  metadata?: Record<string, unknown>;
  /** Put the entries in leaf directories of this many, as large archives do (default: all in the root). */
  leafSize?: number;
};

const HEADER_BYTES = 127;

export function writePmtiles({ tiles, tileType, tileCompression = 1, metadata = {}, leafSize }: ArchiveOptions): Uint8Array {
  const sorted = tiles.map((tile) => ({ ...tile, id: zxyToTileId(tile.z, tile.x, tile.y) })).sort((a, b) => a.id - b.id);

  // Tile data: identical contents stored once; consecutive ids with the same content become one
  // entry with a run length, as the format allows.
  const contents: Buffer[] = [];
  const offsetOf = new Map<string, { offset: number; length: number }>();
  let dataLength = 0;
  const entries: { tileId: number; offset: number; length: number; runLength: number }[] = [];
  for (const tile of sorted) {
    const stored = Buffer.from(tile.stored ?? (tileCompression === 2 ? gzipSync(tile.data) : tile.data));
    const hash = createHash('sha256').update(stored).digest('hex');
    let place = offsetOf.get(hash);
    if (!place) {
      place = { offset: dataLength, length: stored.length };
      offsetOf.set(hash, place);
      contents.push(stored);
      dataLength += stored.length;
    }
    const last = entries.at(-1);
    if (last && last.offset === place.offset && last.tileId + last.runLength === tile.id) last.runLength += 1;
    else entries.push({ tileId: tile.id, ...place, runLength: 1 });
  }

  // With leaves, the root lists one entry per leaf: run length 0, offset within the leaf section.
  const leaves: Buffer[] = [];
  let directory: Buffer;
  if (leafSize) {
    const rootEntries = [];
    let leafBytes = 0;
    for (let i = 0; i < entries.length; i += leafSize) {
      const leaf = encodeDirectory(entries.slice(i, i + leafSize));
      rootEntries.push({ tileId: entries[i]!.tileId, offset: leafBytes, length: leaf.length, runLength: 0 });
      leaves.push(leaf);
      leafBytes += leaf.length;
    }
    directory = encodeDirectory(rootEntries);
  } else {
    directory = encodeDirectory(entries);
  }
  const leafLength = leaves.reduce((sum, leaf) => sum + leaf.length, 0);
  const metadataBytes = Buffer.from(JSON.stringify(metadata));
  const rootOffset = HEADER_BYTES;
  const metadataOffset = rootOffset + directory.length;
  const leafOffset = metadataOffset + metadataBytes.length;
  const dataOffset = leafOffset + leafLength;

  const zooms = sorted.map((tile) => tile.z);
  const bounds = tileBounds(sorted);
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('PMTiles', 0, 'ascii');
  header.writeUInt8(3, 7);
  const u64 = (value: number, at: number) => header.writeBigUInt64LE(BigInt(value), at);
  u64(rootOffset, 8);
  u64(directory.length, 16);
  u64(metadataOffset, 24);
  u64(metadataBytes.length, 32);
  u64(leafOffset, 40);
  u64(leafLength, 48);
  u64(dataOffset, 56);
  u64(dataLength, 64);
  u64(sorted.length, 72);
  u64(entries.length, 80);
  u64(contents.length, 88);
  header.writeUInt8(1, 96); // clustered: data in tile id order
  header.writeUInt8(1, 97); // directories and metadata uncompressed
  header.writeUInt8(tileCompression, 98);
  header.writeUInt8(tileType, 99);
  header.writeUInt8(Math.min(...zooms), 100);
  header.writeUInt8(Math.max(...zooms), 101);
  const e7 = (degrees: number) => Math.round(degrees * 1e7);
  header.writeInt32LE(e7(bounds.west), 102);
  header.writeInt32LE(e7(bounds.south), 106);
  header.writeInt32LE(e7(bounds.east), 110);
  header.writeInt32LE(e7(bounds.north), 114);
  header.writeUInt8(Math.min(...zooms), 118);
  header.writeInt32LE(e7((bounds.west + bounds.east) / 2), 119);
  header.writeInt32LE(e7((bounds.south + bounds.north) / 2), 123);

  return new Uint8Array(Buffer.concat([header, directory, metadataBytes, ...leaves, ...contents]));
}

function encodeDirectory(entries: { tileId: number; offset: number; length: number; runLength: number }[]): Buffer {
  const out: number[] = [];
  const varint = (value: number) => {
    let rest = value;
    while (rest >= 0x80) {
      out.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    out.push(rest);
  };
  varint(entries.length);
  let previous = 0;
  for (const entry of entries) {
    varint(entry.tileId - previous);
    previous = entry.tileId;
  }
  for (const entry of entries) varint(entry.runLength);
  for (const entry of entries) varint(entry.length);
  for (const entry of entries) varint(entry.offset + 1); // 0 would mean "right after the previous"
  return Buffer.from(out);
}

/** Tile x/y → longitude/latitude of its north-west corner (Web Mercator). */
export function tileCorner(z: number, x: number, y: number): { lng: number; lat: number } {
  const n = 2 ** z;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  return { lng: (x / n) * 360 - 180, lat };
}

/** The tile containing a point. */
export function tileAt(z: number, lng: number, lat: number): { x: number; y: number } {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    x: Math.floor(((lng + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
}

function tileBounds(tiles: { z: number; x: number; y: number }[]) {
  let west = 180,
    south = 90,
    east = -180,
    north = -90;
  for (const { z, x, y } of tiles) {
    const nw = tileCorner(z, x, y);
    const se = tileCorner(z, x + 1, y + 1);
    west = Math.min(west, nw.lng);
    north = Math.max(north, nw.lat);
    east = Math.max(east, se.lng);
    south = Math.min(south, se.lat);
  }
  return { west, south, east, north };
}

/** Every tile of zooms `minZoom…maxZoom` covering a longitude/latitude box. */
export function tilesCovering(box: { west: number; south: number; east: number; north: number }, minZoom: number, maxZoom: number) {
  const out: { z: number; x: number; y: number }[] = [];
  for (let z = minZoom; z <= maxZoom; z++) {
    const nw = tileAt(z, box.west, box.north);
    const se = tileAt(z, box.east, box.south);
    for (let x = nw.x; x <= se.x; x++) for (let y = nw.y; y <= se.y; y++) out.push({ z, x, y });
  }
  return out;
}

/** A 256 px PNG of one colour. */
export function solidPng([r, g, b]: [number, number, number]): Uint8Array {
  const canvas = createCanvas(256, 256);
  const context = canvas.getContext('2d');
  context.fillStyle = `rgb(${r}, ${g}, ${b})`;
  context.fillRect(0, 0, 256, 256);
  return new Uint8Array(canvas.toBuffer('image/png'));
}

// ─── Mapbox vector tiles (protobuf, spec 2.1) ─────────────────────────────────────────────

const EXTENT = 4096;

/** A tile with one polygon per layer, each a box in tile units (0…4096, y down). */
export function vectorTile(layers: { name: string; box: [x0: number, y0: number, x1: number, y1: number] }[]): Uint8Array {
  const tile = new ProtoWriter();
  for (const { name, box } of layers) {
    const [x0, y0, x1, y1] = box;
    // MoveTo(1) x0,y0; LineTo(3) → x1,y0 → x1,y1 → x0,y1; ClosePath. Clockwise with y down: an outer ring.
    const zigzag = (n: number) => (n << 1) ^ (n >> 31);
    const geometry = [9, zigzag(x0), zigzag(y0), 26, zigzag(x1 - x0), 0, 0, zigzag(y1 - y0), zigzag(x0 - x1), 0, 15];
    const feature = new ProtoWriter().varintField(1, 1).varintField(3, 3).packedField(4, geometry);
    const layer = new ProtoWriter().varintField(15, 2).stringField(1, name).messageField(2, feature).varintField(5, EXTENT);
    tile.messageField(3, layer);
  }
  return tile.bytes();
}

class ProtoWriter {
  private readonly out: number[] = [];

  private varint(value: number) {
    let rest = value >>> 0;
    while (rest >= 0x80) {
      this.out.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    this.out.push(rest);
  }

  varintField(field: number, value: number) {
    this.varint((field << 3) | 0);
    this.varint(value);
    return this;
  }

  private bytesField(field: number, bytes: ArrayLike<number>) {
    this.varint((field << 3) | 2);
    this.varint(bytes.length);
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i]!);
    return this;
  }

  stringField(field: number, text: string) {
    return this.bytesField(field, Buffer.from(text));
  }

  messageField(field: number, message: ProtoWriter) {
    return this.bytesField(field, message.out);
  }

  packedField(field: number, values: number[]) {
    const packed = new ProtoWriter();
    for (const value of values) packed.varint(value);
    return this.bytesField(field, packed.out);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
