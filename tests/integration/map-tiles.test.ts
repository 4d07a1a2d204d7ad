import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, Session } from '../support/session';
import { startServer, type TestServer } from '../support/server';
import { tileAt, writePmtiles } from '../support/pmtiles';

/** A local PMTiles archive (MAP_PMTILES_FILE) served tile by tile behind the sign-in. */
const dir = mkdtempSync(path.join(tmpdir(), 'sightline-map-'));
const file = path.join(dir, 'london.pmtiles');
const centre = tileAt(12, -0.128, 51.508);
const tileBytes = new Uint8Array(Buffer.from('a london street tile'));
writeFileSync(
  file,
  writePmtiles({
    tiles: [
      { z: 12, ...centre, data: tileBytes },
      { z: 11, x: centre.x >> 1, y: centre.y >> 1, data: new Uint8Array(Buffer.from('zoom 11')) },
      // Marked gzip like the rest, but not: a damaged tile in an archive that opened fine.
      { z: 12, x: centre.x + 2, y: centre.y, data: new Uint8Array(), stored: new Uint8Array(Buffer.from('not gzip')) },
    ],
    tileType: 2,
    tileCompression: 2,
    metadata: { name: 'Test London' },
  }),
);

// Settled: written well before the server starts (a file modified just now counts as mid-copy).
const settled = () => utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
settled();

let server: TestServer;
let operator: Session;
const tilePath = `/api/map/tiles/12/${centre.x}/${centre.y}`;

beforeAll(async () => {
  server = await startServer({ env: { MAP_PMTILES_FILE: file, MAP_TILE_ATTRIBUTION: '© Test surveyors' } });
  operator = new Session(server.baseUrl);
  expect((await operator.signIn('operator@sightline.test', DEMO_PASSWORD)).ok).toBe(true);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tiles from a local PMTiles archive', () => {
  it('says at start-up what it serves', () => {
    expect(server.output()).toContain(`[map] "Test London", png tiles, zoom 11–12 from ${file}`);
  });

  it('answers a tile with its bytes and type, with or without an extension', async () => {
    for (const suffix of ['', '.png']) {
      const response = await operator.fetch(tilePath + suffix);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('cache-control')).toBe('private, max-age=3600');
      expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(tileBytes))).toBe(true);
    }
    const lower = await operator.fetch(`/api/map/tiles/11/${centre.x >> 1}/${centre.y >> 1}`);
    expect(await lower.text()).toBe('zoom 11');
  });

  it('answers 204 where the archive has no tile, and 422 naming a bad address', async () => {
    expect((await operator.fetch(`/api/map/tiles/12/${centre.x + 1}/${centre.y}`)).status).toBe(204);
    expect((await operator.fetch(`/api/map/tiles/15/${centre.x * 8}/${centre.y * 8}`)).status).toBe(204);
    const bad = await operator.fetch('/api/map/tiles/3/9/0');
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error: 'invalid_input', message: 'x: must be below 8 at zoom 3' });
    expect((await operator.fetch('/api/map/tiles/3/1/1.exe')).status).toBe(422);
  });

  it('serves only signed-in roles whose pages have maps', async () => {
    expect((await new Session(server.baseUrl).fetch(tilePath)).status).toBe(401);
    const admin = new Session(server.baseUrl);
    await admin.signIn('admin@sightline.test', DEMO_PASSWORD);
    const refused = await admin.fetch(tilePath);
    expect(refused.status).toBe(403);
    for (const email of ['officer@sightline.test', 'auditor@sightline.test']) {
      const reader = new Session(server.baseUrl);
      await reader.signIn(email, DEMO_PASSWORD);
      expect((await reader.fetch(tilePath)).status, email).toBe(200);
    }
  });

  it('tells the pages’ maps to draw the archive through the tile route, with the configured attribution', async () => {
    const page = await operator.fetch('/deployments');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/\/api\/map\/tiles\/\{z\}\/\{x\}\/\{y\}\?v=[0-9a-f]{12}/);
    expect(html).toContain('© Test surveyors');
  });

  it('answers 503 (not 500) for a damaged tile in the archive it has served since start-up', async () => {
    const response = await operator.fetch(`/api/map/tiles/12/${centre.x + 2}/${centre.y}`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'tiles_unavailable', message: expect.stringMatching(/MAP_PMTILES_FILE/) });
    expect(server.output()).toContain(`Map tile archive ${file}: tile 12/${centre.x + 2}/${centre.y}:`);
  });

  it('answers 503 when the file is replaced by something unreadable, and pages keep their offline map', async () => {
    const original = readFileSync(file);
    try {
      writeFileSync(file, 'this is no longer a tile archive, but a longer text than a header would be. '.repeat(3));
      settled();
      const response = await operator.fetch(tilePath);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'tiles_unavailable', message: expect.stringMatching(/MAP_PMTILES_FILE/) });
      const page = await operator.fetch('/deployments');
      expect(page.status).toBe(200);
      expect(await page.text()).not.toContain('/api/map/tiles/');
    } finally {
      writeFileSync(file, original);
      settled();
    }
    expect((await operator.fetch(tilePath)).status).toBe(200);
  });
});

describe('a configured archive that cannot be read', () => {
  it('stops the server at start-up, naming the file and the problem', async () => {
    const missing = path.join(dir, 'not-there.pmtiles');
    await expect(startServer({ seedDemo: false, env: { MAP_PMTILES_FILE: missing } })).rejects.toThrow(`Map tile archive ${missing}: no such file`);
  });
});
