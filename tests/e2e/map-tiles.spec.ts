import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startServer, type TestServer } from '../support/server';
import { solidPng, tilesCovering, vectorTile, writePmtiles } from '../support/pmtiles';
import { DEMO, LoginPage } from './pages/login-page';

test('maps add the configured street tiles (MAP_TILE_URL) under the borough outlines', async ({ page }) => {
  // playwright.config.ts sets MAP_TILE_URL for the shared server; the tiles 404, only the requests are checked.
  await new LoginPage(page).signInAndWait(DEMO.senior_officer);
  await page.goto('/deployments');
  const tiles = page.locator('img.leaflet-tile');
  await expect(tiles.first()).toHaveAttribute('src', /\/geo\/tiles\/\d+\/\d+\/\d+\.png$/, { timeout: 20_000 });
});

/**
 * Air-gapped control rooms: a local `.pmtiles` archive (MAP_PMTILES_FILE) on a server of its own,
 * started once here. Each test writes its hand-written archive covering central London over the
 * configured file; the server reopens a replaced archive once it has been still for a moment
 * (lib/map/archive.ts), so the raster and the vector archive share one start.
 */
test.describe('street maps from a local PMTiles archive', () => {
  test.describe.configure({ timeout: 120_000 });
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-e2e-map-'));
  const file = path.join(dir, 'london.pmtiles');
  const centralLondon = { west: -0.3, south: 51.43, east: 0.05, north: 51.58 };
  let server: TestServer | undefined;

  test.beforeAll(async () => {
    // A placeholder archive to start on: the server refuses to start without a readable one.
    writeArchive(writePmtiles({ tiles: [{ z: 9, x: 255, y: 170, data: solidPng([0, 0, 0]) }], tileType: 2 }));
    server = await startServer({ env: { MAP_PMTILES_FILE: file } });
  });
  test.afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Replaces the archive, dated in the past: a file modified just now counts as still being copied. */
  function writeArchive(archive: Uint8Array) {
    writeFileSync(file, archive);
    const past = new Date(Date.now() - 60_000);
    utimesSync(file, past, past);
  }

  async function signedInOn(browser: Browser, archive: Uint8Array): Promise<Page> {
    writeArchive(archive);
    const context = await browser.newContext({ baseURL: server!.baseUrl });
    const page = await context.newPage();
    await new LoginPage(page).signInAndWait(DEMO.operator);
    return page;
  }

  /** The overview fits the demo deployment closely; zooming out brings many tiles into view. */
  async function openOverviewZoomedOut(page: Page) {
    await page.goto('/deployments');
    const zoomOut = page.getByRole('button', { name: 'Zoom out' });
    for (let i = 0; i < 4; i++) {
      await zoomOut.click();
      await page.waitForTimeout(300); // Leaflet's zoom animation
    }
  }

  test('raster tiles are drawn from the archive, each from its own address', async ({ browser }) => {
    // A colour per zoom level and per checkerboard square, so a drawn tile shows where it came from.
    const colourOf = (z: number, x: number, y: number): [number, number, number] => [40 + z * 10, 200 - z * 10, (x + y) % 2 ? 90 : 160];
    const tiles = tilesCovering(centralLondon, 9, 14).map((tile) => ({ ...tile, data: solidPng(colourOf(tile.z, tile.x, tile.y)) }));
    const page = await signedInOn(browser, writePmtiles({ tiles, tileType: 2, metadata: { attribution: '© Test survey' } }));

    await openOverviewZoomedOut(page);
    const loaded = page.locator('img.leaflet-tile-loaded[src*="/api/map/tiles/"]');
    await expect.poll(() => loaded.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
    await expect(loaded.first()).toHaveAttribute('src', /\/api\/map\/tiles\/\d+\/\d+\/\d+\?v=[0-9a-f]{12}$/);
    await expect(page.locator('.leaflet-control-attribution')).toContainText('© Test survey');

    // Every drawn tile holds the image of the level its address names (same origin: readable).
    const drawn = await loaded.evaluateAll((images) =>
      (images as HTMLImageElement[]).map((image) => {
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 1;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 128, 128, 1, 1, 0, 0, 1, 1);
        return { src: new URL(image.src).pathname, pixel: Array.from(context.getImageData(0, 0, 1, 1).data.slice(0, 3)) };
      }),
    );
    expect(drawn.length).toBeGreaterThanOrEqual(4);
    for (const { src, pixel } of drawn) {
      const [z, x, y] = src.split('/').slice(4).map(Number) as [number, number, number];
      expect(pixel, src).toEqual(colourOf(z, x, y));
    }
  });

  test('vector tiles are drawn in the browser on the dark theme', async ({ browser }) => {
    // Land over the whole tile, water over its western half: protomaps' dark flavour colours.
    const mvt = vectorTile([
      { name: 'earth', box: [-64, -64, 4160, 4160] },
      { name: 'water', box: [-64, -64, 2048, 4160] },
    ]);
    const tiles = tilesCovering(centralLondon, 9, 13).map((tile) => ({ ...tile, data: mvt }));
    const page = await signedInOn(browser, writePmtiles({ tiles, tileType: 1, tileCompression: 2 }));

    const tileResponses: string[] = [];
    page.on('response', (response) => {
      if (response.url().includes('/api/map/tiles/')) tileResponses.push(`${response.status()} ${response.headers()['content-type']}`);
    });
    await openOverviewZoomedOut(page);
    const canvases = page.locator('canvas.leaflet-tile');
    await expect(canvases.first()).toBeAttached({ timeout: 20_000 });
    await expect.poll(() => tileResponses.filter((r) => r === '200 application/vnd.mapbox-vector-tile').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(4);

    // Both layers are drawn (protomaps draws data of a lower zoom on deeper tiles, so a tile shows
    // land, water or both): only the archive's features give these two colours.
    const earth = [0x1f, 0x1f, 0x1f];
    const water = [0x31, 0x35, 0x3f];
    const drawnColours = () =>
      canvases.evaluateAll((elements) =>
        (elements as HTMLCanvasElement[])
          .filter((canvas) => canvas.width > 0)
          .flatMap((canvas) => {
            const context = canvas.getContext('2d')!;
            return [0.25, 0.75].map((fx) => Array.from(context.getImageData(Math.floor(canvas.width * fx), canvas.height >> 1, 1, 1).data.slice(0, 3)));
          }),
      );
    await expect.poll(drawnColours, { timeout: 20_000 }).toContainEqual(water);
    await expect.poll(drawnColours, { timeout: 20_000 }).toContainEqual(earth);
  });
});
