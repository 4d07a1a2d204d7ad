import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';
import { afterAll, describe, expect, it } from 'vitest';
import { configuredMapTiles } from '@/lib/config/map';
import { openTileArchive, sharedTileArchive } from '@/lib/map/archive';
import { TileAddressSchema } from '@/lib/map/schema';
import { describeMapTiles, mapTilesForBrowser } from '@/lib/map/tiles';
import { solidPng, tileAt, tilesCovering, vectorTile, writePmtiles } from '../support/pmtiles';

const dir = mkdtempSync(path.join(tmpdir(), 'sightline-pmtiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text));
const textOf = (bytes: Uint8Array | null) => (bytes ? Buffer.from(bytes).toString() : null);

// Three neighbouring tiles at zoom 12 with their own contents, two sharing one (stored once).
const london = tileAt(12, -0.128, 51.508);
const tiles = [
  { z: 12, x: london.x, y: london.y, data: bytesOf('tile A') },
  { z: 12, x: london.x + 1, y: london.y, data: bytesOf('tile B') },
  { z: 12, x: london.x, y: london.y + 1, data: bytesOf('tile B') },
  { z: 11, x: london.x >> 1, y: london.y >> 1, data: bytesOf('tile C') },
];

describe('map tile configuration', () => {
  it('is optional, and an XYZ template must name {z}, {x} and {y}', () => {
    expect(configuredMapTiles({})).toBeNull();
    expect(configuredMapTiles({ MAP_TILE_URL: 'https://tiles.example.org/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: '© OSM' })).toEqual({
      kind: 'xyz',
      url: 'https://tiles.example.org/{z}/{x}/{y}.png',
      attribution: '© OSM',
    });
    expect(() => configuredMapTiles({ MAP_TILE_URL: 'https://tiles.example.org/tile.png' })).toThrow(/\{z\}, \{x\} and \{y\}/);
    expect(() => configuredMapTiles({ MAP_TILE_URL: 'javascript:alert(1)/{z}/{x}/{y}' })).toThrow();
  });

  it('takes a local PMTiles file, resolved to an absolute path, but not together with a tile URL', () => {
    expect(configuredMapTiles({ MAP_PMTILES_FILE: 'maps/london.pmtiles' })).toEqual({
      kind: 'pmtiles',
      file: path.resolve('maps/london.pmtiles'),
      attribution: undefined,
    });
    expect(() => configuredMapTiles({ MAP_PMTILES_FILE: '/srv/a.pmtiles', MAP_TILE_URL: 'https://t.example/{z}/{x}/{y}.png' })).toThrow(
      /MAP_TILE_URL or MAP_PMTILES_FILE, not both/,
    );
  });
});

describe('tile addresses', () => {
  it('are whole numbers inside the zoom level, with an optional tile extension', () => {
    expect(TileAddressSchema.parse({ z: '12', x: '2046', y: '1361' })).toEqual({ z: 12, x: 2046, y: 1361 });
    expect(TileAddressSchema.parse({ z: '12', x: '2046', y: '1361.mvt' })).toEqual({ z: 12, x: 2046, y: 1361 });
    expect(TileAddressSchema.parse({ z: '0', x: '0', y: '0.png' })).toEqual({ z: 0, x: 0, y: 0 });
  });

  it('are refused with the field named when out of range or not numbers', () => {
    const problems = (input: Record<string, string>) =>
      TileAddressSchema.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(problems({ z: '2', x: '4', y: '0' })).toEqual(['x: must be below 4 at zoom 2']);
    expect(problems({ z: '2', x: '0', y: '7' })).toEqual(['y: must be below 4 at zoom 2']);
    expect(problems({ z: '27', x: '0', y: '0' })).toEqual(['z: zoom must be at most 26']);
    expect(problems({ z: '3', x: '-1', y: '0' })).toEqual(['x: must be a whole number']);
    expect(problems({ z: '3', x: '1', y: '0.exe' })?.[0]).toMatch(/^y: must be a whole number/);
  });
});

describe('PMTiles archives', () => {
  it('answers each tile by its address, and nothing outside the archive', async () => {
    const file = save('raster.pmtiles', writePmtiles({ tiles, tileType: 2, metadata: { name: 'Test London', attribution: '© Test' } }));
    const archive = await openTileArchive(file);
    try {
      for (const tile of tiles) expect(textOf(await archive.tile(tile.z, tile.x, tile.y))).toBe(textOf(tile.data));
      expect(await archive.tile(12, london.x + 1, london.y + 1)).toBeNull();
      expect(await archive.tile(13, london.x * 2, london.y * 2)).toBeNull(); // beyond its zoom range
      expect(archive.info).toMatchObject({ format: 'png', contentType: 'image/png', minZoom: 11, maxZoom: 12, name: 'Test London', attribution: '© Test' });
      const [[south, west], [north, east]] = archive.info.bounds;
      expect(west).toBeLessThan(-0.128);
      expect(east).toBeGreaterThan(-0.128);
      expect(south).toBeLessThan(51.508);
      expect(north).toBeGreaterThan(51.508);
    } finally {
      await archive.close();
    }
  });

  it('follows run lengths: consecutive tiles with one content are one directory entry', async () => {
    const row = tilesCovering({ west: -0.2, south: 51.45, east: 0, north: 51.55 }, 10, 12).map((t) => ({ ...t, data: bytesOf('same') }));
    const bytes = writePmtiles({ tiles: row, tileType: 2 });
    const header = Buffer.from(bytes.buffer, 0, 127);
    const [addressed, entries, contents] = [72, 80, 88].map((at) => Number(header.readBigUInt64LE(at)));
    expect([addressed, contents]).toEqual([row.length, 1]);
    expect(entries).toBeLessThan(row.length / 2);
    const archive = await openTileArchive(save('runs.pmtiles', bytes));
    try {
      for (const tile of row) expect(textOf(await archive.tile(tile.z, tile.x, tile.y))).toBe('same');
    } finally {
      await archive.close();
    }
  });

  it('decompresses gzipped vector tiles, which decode as Mapbox vector tiles', async () => {
    const mvt = vectorTile([
      { name: 'earth', box: [0, 0, 4096, 4096] },
      { name: 'water', box: [0, 0, 2048, 4096] },
    ]);
    const archive = await openTileArchive(save('vector.pmtiles', writePmtiles({ tiles: [{ z: 12, ...london, data: mvt }], tileType: 1, tileCompression: 2 })));
    try {
      expect(archive.info).toMatchObject({ format: 'mvt', contentType: 'application/vnd.mapbox-vector-tile' });
      const bytes = await archive.tile(12, london.x, london.y);
      expect(Buffer.from(bytes!).equals(Buffer.from(mvt))).toBe(true);
      const decoded = new VectorTile(new Pbf(bytes!));
      expect(Object.keys(decoded.layers).sort()).toEqual(['earth', 'water']);
      const water = decoded.layers.water!.feature(0);
      expect(water.type).toBe(3);
      expect(water.loadGeometry()[0]!.map(({ x, y }) => [x, y])).toEqual([
        [0, 0],
        [2048, 0],
        [2048, 4096],
        [0, 4096],
        [0, 0],
      ]);
    } finally {
      await archive.close();
    }
  });

  it('refuses what it cannot serve, naming the file and the problem', async () => {
    await expect(openTileArchive(path.join(dir, 'missing.pmtiles'))).rejects.toThrow(/missing\.pmtiles: no such file/);
    await expect(openTileArchive(dir)).rejects.toThrow(/is not a file/);
    await expect(openTileArchive(save('short.pmtiles', bytesOf('PMTiles')))).rejects.toThrow(/too short/);
    await expect(openTileArchive(save('png.pmtiles', solidPng([1, 2, 3])))).rejects.toThrow(/not a PMTiles archive/);
    await expect(openTileArchive(save('unknown.pmtiles', writePmtiles({ tiles, tileType: 0 })))).rejects.toThrow(/tile type Unknown is not supported/);
    await expect(openTileArchive(save('zstd.pmtiles', writePmtiles({ tiles, tileType: 2, tileCompression: 4 })))).rejects.toThrow(
      /tile compression zstd is not supported/,
    );
  });

  it('finds tiles through leaf directories, as large archives are organised', async () => {
    const many = tilesCovering({ west: -0.3, south: 51.4, east: 0.1, north: 51.6 }, 9, 13).map((t) => ({ ...t, data: bytesOf(`${t.z}/${t.x}/${t.y}`) }));
    expect(many.length).toBeGreaterThan(100);
    const bytes = writePmtiles({ tiles: many, tileType: 2, leafSize: 16 });
    expect(Number(Buffer.from(bytes.buffer).readBigUInt64LE(48))).toBeGreaterThan(0); // leaf section present
    const archive = await openTileArchive(save('leaves.pmtiles', bytes));
    try {
      for (const tile of many) expect(textOf(await archive.tile(tile.z, tile.x, tile.y))).toBe(`${tile.z}/${tile.x}/${tile.y}`);
    } finally {
      await archive.close();
    }
  });

  it('refuses a file cut short, rather than serving broken tiles', async () => {
    const whole = writePmtiles({ tiles, tileType: 2 });
    await expect(openTileArchive(save('cut.pmtiles', whole.slice(0, whole.length - 3)))).rejects.toThrow(
      /tile data ends at byte \d+ but the file has \d+ bytes \(truncated\?\)/,
    );
  });

  it('answers a damaged tile with an error naming the tile, not with broken bytes', async () => {
    const damaged = [{ z: 12, ...london, data: bytesOf('x'), stored: bytesOf('not gzip at all') }];
    const archive = await openTileArchive(save('damaged.pmtiles', writePmtiles({ tiles: damaged, tileType: 2, tileCompression: 2 })));
    try {
      await expect(archive.tile(12, london.x, london.y)).rejects.toThrow(new RegExp(`damaged\\.pmtiles: tile 12/${london.x}/${london.y}: `));
    } finally {
      await archive.close();
    }
  });

  it('names older PMTiles versions rather than misreading them', async () => {
    const v2 = Buffer.alloc(512);
    v2.write('PM', 0, 'latin1');
    v2.writeUInt16LE(2, 2);
    await expect(openTileArchive(save('v2.pmtiles', v2))).rejects.toThrow(/PMTiles version 1 or 2 is not supported/);
    const v4 = Buffer.from(writePmtiles({ tiles, tileType: 2 }));
    v4.writeUInt8(4, 7);
    await expect(openTileArchive(save('v4.pmtiles', v4))).rejects.toThrow(/PMTiles version 4 is not supported/);
  });

  it('keeps only the text of an archive’s attribution: Leaflet would insert its HTML into the page', async () => {
    const attribution = '<a href="https://osm.org/copyright">© OpenStreetMap</a> &amp; co<img src=x onerror="alert(1)">';
    const archive = await openTileArchive(save('html.pmtiles', writePmtiles({ tiles, tileType: 2, metadata: { attribution } })));
    try {
      expect(archive.info.attribution).toBe('© OpenStreetMap &amp; co');
    } finally {
      await archive.close();
    }
  });

  it('is shared by the process, and reopened once a replaced file has settled', async () => {
    const file = save('shared.pmtiles', writePmtiles({ tiles, tileType: 2 }));
    const past = (seconds: number) => new Date(Date.now() - seconds * 1000);
    utimesSync(file, past(60), past(60));
    const first = await sharedTileArchive(file);
    expect(await sharedTileArchive(file)).toBe(first);

    // Being written right now: the archive opened before goes on serving.
    writeFileSync(file, writePmtiles({ tiles: [{ z: 12, ...london, data: bytesOf('new survey') }], tileType: 3 }));
    expect(await sharedTileArchive(file)).toBe(first);

    utimesSync(file, past(10), past(10));
    const second = await sharedTileArchive(file);
    expect(second).not.toBe(first);
    expect(second.version).not.toBe(first.version);
    expect(second.info.format).toBe('jpeg');
    expect(textOf(await second.tile(12, london.x, london.y))).toBe('new survey');
  });
});

describe('what the browsers are told to draw', () => {
  it('a raster archive becomes this app’s tile route, with its zoom range and bounds', async () => {
    const file = save('browser-raster.pmtiles', writePmtiles({ tiles, tileType: 2, metadata: { attribution: '© From archive' } }));
    const spec = await mapTilesForBrowser({ kind: 'pmtiles', file });
    const { version } = await sharedTileArchive(file);
    // One zoom level out of the archive's range is drawn from its tiles; further out, none.
    expect(spec).toMatchObject({
      kind: 'xyz',
      url: `/api/map/tiles/{z}/{x}/{y}?v=${version}`,
      attribution: '© From archive',
      minZoom: 10,
      minNativeZoom: 11,
      maxNativeZoom: 12,
    });
    expect(spec?.bounds).toHaveLength(2);
    // The installation's attribution wins over the archive's.
    expect(await mapTilesForBrowser({ kind: 'pmtiles', file, attribution: '© Ours' })).toMatchObject({ attribution: '© Ours' });
    expect(await describeMapTiles({ kind: 'pmtiles', file })).toBe(`png tiles, zoom 11–12 from ${file}`);
  });

  it('a vector archive becomes vector tiles drawn in the browser, up to its deepest zoom', async () => {
    const file = save(
      'browser-vector.pmtiles',
      writePmtiles({ tiles: [{ z: 14, x: 1, y: 1, data: vectorTile([]) }], tileType: 1, metadata: { name: 'Basemap' } }),
    );
    const { version } = await sharedTileArchive(file);
    expect(await mapTilesForBrowser({ kind: 'pmtiles', file })).toMatchObject({
      kind: 'vector',
      url: `/api/map/tiles/{z}/{x}/{y}.mvt?v=${version}`,
      maxDataZoom: 14,
    });
    expect(await describeMapTiles({ kind: 'pmtiles', file })).toBe(`"Basemap", vector tiles, zoom 14–14 from ${file}`);
  });

  it('warns at start-up when a vector archive’s layers are not ones the dark basemap draws', async () => {
    const tile = [{ z: 14, x: 1, y: 1, data: vectorTile([]) }];
    const foreign = save(
      'openmaptiles.pmtiles',
      writePmtiles({ tiles: tile, tileType: 1, metadata: { vector_layers: [{ id: 'transportation' }, { id: 'waterway' }] } }),
    );
    expect(await describeMapTiles({ kind: 'pmtiles', file: foreign })).toMatch(
      /warning: its layers \(transportation, waterway\) are not a Protomaps basemap's/,
    );
    const protomaps = save('protomaps.pmtiles', writePmtiles({ tiles: tile, tileType: 1, metadata: { vector_layers: [{ id: 'earth' }, { id: 'roads' }] } }));
    expect(await describeMapTiles({ kind: 'pmtiles', file: protomaps })).not.toMatch(/warning/);
  });

  it('an XYZ server is passed through; a vanished archive leaves the offline outlines; nothing configured is nothing', async () => {
    expect(await mapTilesForBrowser({ kind: 'xyz', url: '/t/{z}/{x}/{y}.png' })).toEqual({ kind: 'xyz', url: '/t/{z}/{x}/{y}.png', attribution: undefined });
    expect(await mapTilesForBrowser({ kind: 'pmtiles', file: path.join(dir, 'gone.pmtiles') })).toBeNull();
    await expect(describeMapTiles({ kind: 'pmtiles', file: path.join(dir, 'gone.pmtiles') })).rejects.toThrow(/gone\.pmtiles: no such file/);
    expect(await mapTilesForBrowser(null)).toBeNull();
  });
});
