import { expect, type Locator, type Page } from '@playwright/test';

/**
 * Page object for DeploymentPlanMap (components/map/deployment-plan-map.tsx).
 *
 * Points on the map are given either as positions (`{ lat, lng }`) or as pixel offsets from the
 * map's centre (`{ dx, dy }`, x right, y down). Positions are turned into pixels with the same
 * Web Mercator projection Leaflet uses, from the centre and zoom the map publishes on its
 * element (`data-center`, `data-zoom`), so tests need no access to Leaflet's internals.
 *
 *   const map = new PlanMap(page);
 *   await map.waitReady();
 *   await map.drawZone([{ dx: -120, dy: -80 }, { dx: 120, dy: -80 }, { dx: 0, dy: 100 }]);
 *   await map.placeCamera({ dx: 0, dy: 0 });
 *   await map.dragHeading({ dx: 80, dy: 0 });
 */

export type LatLng = { lat: number; lng: number };
export type MapPoint = LatLng | { dx: number; dy: number };
export type PlanMode = 'select' | 'draw' | 'edit' | 'place';
type Pixel = { x: number; y: number };

const TILE_SIZE = 256;
const MAX_LATITUDE = 85.0511287798;

/** Leaflet's EPSG:3857 projection to global pixel coordinates at a zoom level. */
function project({ lat, lng }: LatLng, zoom: number): Pixel {
  const scale = TILE_SIZE * 2 ** zoom;
  const sin = Math.sin((Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * Math.PI) / 180);
  return { x: (scale * (lng + 180)) / 360, y: scale * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) };
}

function unproject({ x, y }: Pixel, zoom: number): LatLng {
  const scale = TILE_SIZE * 2 ** zoom;
  const lng = (x / scale) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / scale))) * 180) / Math.PI;
  return { lat, lng };
}

const isLatLng = (p: MapPoint): p is LatLng => 'lat' in p;

export class PlanMap {
  readonly root: Locator;
  readonly canvas: Locator;

  /** `root` defaults to the first plan map on the page; pass a locator when there are several. */
  constructor(
    readonly page: Page,
    root?: Locator,
  ) {
    this.root = root ?? page.getByTestId('plan-map').first();
    this.canvas = this.root.getByTestId('plan-map-canvas');
  }

  /** The map is drawn and its borough base layer loaded. */
  async waitReady() {
    await expect(this.canvas).toHaveAttribute('data-ready', 'true');
    await expect(this.canvas).toHaveAttribute('data-boroughs', 'ready');
  }

  // ---- Elements -------------------------------------------------------------------------

  toolbar() {
    return this.root.getByRole('toolbar', { name: 'Map tools' });
  }
  modeButton(mode: PlanMode) {
    return this.root.getByTestId(`plan-mode-${mode}`);
  }
  /** Instructions and hints (role=status); `data-tone="warn"` on a refusal. */
  status() {
    return this.root.getByTestId('plan-map-status');
  }
  /** The live heading / field of view / range line shown while a camera is dragged. */
  readout() {
    return this.root.getByTestId('plan-map-readout');
  }
  zone() {
    return this.canvas.locator('path.sl-zone');
  }
  zoneVertices() {
    return this.canvas.getByTestId('edit-vertex');
  }
  zoneVertex(index: number) {
    return this.canvas.locator(`[data-testid="edit-vertex"][data-index="${index}"]`);
  }
  zoneMidpoint(index: number) {
    return this.canvas.locator(`[data-testid="zone-midpoint"][data-index="${index}"]`);
  }
  drawVertices() {
    return this.canvas.getByTestId('draw-vertex');
  }
  cameraMarkers() {
    return this.canvas.getByTestId('camera-marker');
  }
  cameraMarker(id: string) {
    return this.canvas.locator(`[data-testid="camera-marker"][data-camera-id="${id}"]`);
  }
  /** The camera's view cone (an SVG path; `data-outside="true"` when outside the zone). */
  cone(id: string) {
    return this.canvas.locator(`[data-testid="camera-cone"][data-camera-id="${id}"]`);
  }
  headingHandle() {
    return this.canvas.getByTestId('camera-heading-handle');
  }
  fovHandle() {
    return this.canvas.getByTestId('camera-fov-handle');
  }

  async mode(): Promise<PlanMode> {
    return (await this.root.getAttribute('data-mode')) as PlanMode;
  }

  async setMode(mode: PlanMode) {
    if ((await this.mode()) !== mode) await this.modeButton(mode).click();
    await expect(this.root).toHaveAttribute('data-mode', mode);
  }

  // ---- Coordinates ----------------------------------------------------------------------

  private async view() {
    const container = this.canvas.locator('.leaflet-container');
    const [center, zoom, box] = await Promise.all([this.canvas.getAttribute('data-center'), this.canvas.getAttribute('data-zoom'), container.boundingBox()]);
    if (!center || !zoom || !box) throw new Error('PlanMap: the map is not ready (no data-center/data-zoom); call waitReady() first');
    const [lat, lng] = center.split(',').map(Number) as [number, number];
    return { center: { lat, lng }, zoom: Number(zoom), box };
  }

  /** Page pixel coordinates of a map point. */
  async toPixel(point: MapPoint): Promise<Pixel> {
    const { center, zoom, box } = await this.view();
    const mid = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    if (!isLatLng(point)) return { x: mid.x + point.dx, y: mid.y + point.dy };
    const c = project(center, zoom);
    const p = project(point, zoom);
    return { x: mid.x + (p.x - c.x), y: mid.y + (p.y - c.y) };
  }

  /** The position under a map point (e.g. to check where a drag ended). */
  async toLatLng(point: MapPoint): Promise<LatLng> {
    if (isLatLng(point)) return point;
    const { center, zoom } = await this.view();
    const c = project(center, zoom);
    return unproject({ x: c.x + point.dx, y: c.y + point.dy }, zoom);
  }

  /** The centre of an element in page pixels (markers and handles are centred on their point). */
  async centreOf(locator: Locator): Promise<Pixel> {
    const box = await locator.boundingBox();
    if (!box) throw new Error('PlanMap: element is not visible');
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }

  async clickAt(point: MapPoint) {
    const { x, y } = await this.toPixel(point);
    await this.page.mouse.click(x, y);
  }

  /** A key press with focus on the map (where the shortcuts listen), unless focus is already inside it. */
  async press(key: string) {
    const inside = await this.root.evaluate((el) => el.contains(document.activeElement));
    if (!inside) await this.canvas.locator('.leaflet-container').focus();
    await this.page.keyboard.press(key);
  }

  // ---- Gestures -------------------------------------------------------------------------

  /** Drags with small steps: Leaflet starts a drag only after the pointer has moved a few pixels. */
  private async drag(from: Pixel, to: Pixel) {
    await this.page.mouse.move(from.x, from.y);
    await this.page.mouse.down();
    await this.page.mouse.move(from.x + 4, from.y + 4, { steps: 2 });
    await this.page.mouse.move(to.x, to.y, { steps: 12 });
    await this.page.mouse.up();
  }

  /**
   * Draws a new zone through `points` and closes it: with Enter (default), by clicking the
   * first point, or with the Finish button. Leaves the map in select mode when it succeeds.
   */
  async drawZone(points: MapPoint[], finish: 'enter' | 'first-point' | 'button' = 'enter') {
    await this.setMode('draw');
    for (const [i, point] of points.entries()) {
      await this.clickAt(point);
      await expect(this.drawVertices()).toHaveCount(i + 1);
    }
    if (finish === 'enter') await this.press('Enter');
    else if (finish === 'first-point') await this.canvas.locator('[data-testid="draw-vertex"][data-index="0"]').click();
    else await this.root.getByRole('button', { name: /Finish zone/ }).click();
  }

  /** Clicks in place-camera mode. Inside the zone the page gets onCameraAdd; outside, a hint shows. */
  async placeCamera(at: MapPoint) {
    await this.setMode('place');
    await this.clickAt(at);
  }

  async selectCamera(id: string) {
    await this.setMode('select');
    await this.cameraMarker(id).click();
  }

  /** Moves a camera (select mode). */
  async dragCamera(id: string, to: MapPoint) {
    await this.setMode('select');
    await this.drag(await this.centreOf(this.cameraMarker(id)), await this.toPixel(to));
  }

  /** Drags the selected camera's tip handle: the camera then points at `to`, with range = distance to it. */
  async dragHeading(to: MapPoint, cameraId?: string) {
    if (cameraId) await this.selectCamera(cameraId);
    await this.drag(await this.centreOf(this.headingHandle()), await this.toPixel(to));
  }

  /** Drags the selected camera's corner handle: the field of view becomes twice the angle to `to`. */
  async dragFov(to: MapPoint, cameraId?: string) {
    if (cameraId) await this.selectCamera(cameraId);
    await this.drag(await this.centreOf(this.fovHandle()), await this.toPixel(to));
  }

  async dragVertex(index: number, to: MapPoint) {
    await this.setMode('edit');
    await this.drag(await this.centreOf(this.zoneVertex(index)), await this.toPixel(to));
  }

  /** Adds a vertex by dragging the midpoint of edge `index` (between vertices index and index+1). */
  async dragMidpoint(index: number, to: MapPoint) {
    await this.setMode('edit');
    await this.drag(await this.centreOf(this.zoneMidpoint(index)), await this.toPixel(to));
  }

  /** Selects a vertex and deletes it with the Delete key. */
  async deleteVertex(index: number) {
    await this.setMode('edit');
    await this.zoneVertex(index).click();
    await this.press('Delete');
  }
}
