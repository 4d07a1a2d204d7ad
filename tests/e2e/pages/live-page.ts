import { expect, type Locator, type Page } from '@playwright/test';

export type TileState = 'connecting' | 'live' | 'no-signal' | 'error';
export type GridLayout = 'auto' | 1 | 4 | 9 | 16;

/**
 * The live camera grid (components/live/live-grid.tsx), wherever a page renders it: tiles by
 * camera name, their state and detection rate, the faces drawn on each overlay (read from the
 * overlay canvas's data-faces / data-tracks / data-checking / data-matched), enlarge and restore.
 */
export class LivePage {
  constructor(readonly page: Page) {}

  grid(): Locator {
    return this.page.getByTestId('live-grid');
  }

  tiles(): Locator {
    return this.grid().getByTestId('camera-tile');
  }

  tile(cameraName: string): Locator {
    return this.grid().locator(`[data-testid="camera-tile"][data-camera-name="${cameraName.replace(/["\\]/g, '\\$&')}"]`);
  }

  async cameraNames(): Promise<string[]> {
    return this.tiles().evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-camera-name') ?? ''));
  }

  /** Who analyses a tile's camera, in words (data-analyser: self, browser, agent, http, none). */
  analyser(cameraName: string): Locator {
    return this.tile(cameraName).getByTestId('tile-analyser');
  }

  detectorStatus(): Locator {
    return this.grid().getByTestId('detector-status');
  }

  /** Waits until the shared face detector has loaded its models (it can take a while on a cold start). */
  async waitForDetector(timeout = 90_000): Promise<void> {
    await expect(this.detectorStatus()).toHaveAttribute('data-state', 'ready', { timeout });
  }

  async tileState(cameraName: string): Promise<TileState> {
    return (await this.tile(cameraName).getAttribute('data-state')) as TileState;
  }

  async expectTileState(cameraName: string, state: TileState, timeout = 30_000): Promise<void> {
    await expect(this.tile(cameraName)).toHaveAttribute('data-state', state, { timeout });
  }

  /** The reason shown on a tile in error or without signal (e.g. "This browser cannot show this camera"). */
  tileReason(cameraName: string): Locator {
    return this.tile(cameraName).getByTestId('tile-reason');
  }

  /** Detections per second shown in the tile's status bar (its data-rate), or null when the tile is not analysed. */
  async detectionRate(cameraName: string): Promise<number | null> {
    const rate = await this.tile(cameraName)
      .getByTestId('tile-rate')
      .getAttribute('data-rate', { timeout: 1000 })
      .catch(() => null);
    return rate === null ? null : Number(rate);
  }

  overlay(cameraName: string): Locator {
    return this.tile(cameraName).getByTestId('tile-overlay');
  }

  private async overlayCount(cameraName: string, attribute: string): Promise<number> {
    return Number((await this.overlay(cameraName).getAttribute(attribute)) ?? 0);
  }

  /** Face boxes drawn in the latest analysed frame. */
  faceCount(cameraName: string): Promise<number> {
    return this.overlayCount(cameraName, 'data-faces');
  }

  /** Live face tracks on the tile (including faces briefly unseen). */
  trackCount(cameraName: string): Promise<number> {
    return this.overlayCount(cameraName, 'data-tracks');
  }

  /** Boxes drawn as "checking" (a probe in flight) and as "matched". */
  checkingCount(cameraName: string): Promise<number> {
    return this.overlayCount(cameraName, 'data-checking');
  }

  matchedCount(cameraName: string): Promise<number> {
    return this.overlayCount(cameraName, 'data-matched');
  }

  async waitForFaces(cameraName: string, atLeast = 1, timeout = 60_000): Promise<void> {
    await expect.poll(() => this.faceCount(cameraName), { timeout, message: `faces drawn on ${cameraName}` }).toBeGreaterThanOrEqual(atLeast);
  }

  async waitForMatch(cameraName: string, timeout = 60_000): Promise<void> {
    await expect.poll(() => this.matchedCount(cameraName), { timeout, message: `matched faces on ${cameraName}` }).toBeGreaterThan(0);
  }

  enlargeButton(cameraName: string): Locator {
    return this.tile(cameraName).getByRole('button', { name: `Enlarge ${cameraName}`, exact: true });
  }

  restoreButton(cameraName: string): Locator {
    return this.tile(cameraName).getByRole('button', { name: `Restore ${cameraName} to the grid`, exact: true });
  }

  async enlarge(cameraName: string): Promise<void> {
    await this.enlargeButton(cameraName).click();
    await expect(this.tile(cameraName)).toHaveAttribute('data-enlarged', 'true');
  }

  async restore(cameraName: string): Promise<void> {
    await this.restoreButton(cameraName).click();
    await expect(this.tile(cameraName)).toHaveAttribute('data-enlarged', 'false');
  }

  async restoreWithEscape(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await expect(this.grid()).toHaveAttribute('data-enlarged', '');
  }

  /** The camera name of the enlarged tile, or null. */
  async enlargedCamera(): Promise<string | null> {
    const id = await this.grid().getAttribute('data-enlarged');
    if (!id) return null;
    return this.grid()
      .locator(`[data-camera-id="${id.replace(/["\\]/g, '\\$&')}"]`)
      .getAttribute('data-camera-name');
  }

  /** Tiles per screen now shown (1, 4, 9 or 16). */
  async layout(): Promise<number> {
    return Number(await this.grid().getAttribute('data-layout'));
  }

  /** The union of the tiles' boxes on screen. */
  async tilesBox(): Promise<{ left: number; top: number; right: number; bottom: number }> {
    return this.tiles().evaluateAll((tiles) => {
      const boxes = tiles.map((tile) => tile.getBoundingClientRect());
      return {
        left: Math.min(...boxes.map((b) => b.left)),
        top: Math.min(...boxes.map((b) => b.top)),
        right: Math.max(...boxes.map((b) => b.right)),
        bottom: Math.max(...boxes.map((b) => b.bottom)),
      };
    });
  }

  /** The lowest edge of any tile's camera name (its status bar label). */
  async lowestLabelBottom(): Promise<number> {
    return this.tiles().evaluateAll((tiles) => Math.max(...tiles.map((tile) => tile.querySelector('h2')!.getBoundingClientRect().bottom)));
  }

  fullScreenButton(): Locator {
    return this.page.getByTestId('full-screen');
  }

  async isFullScreen(): Promise<boolean> {
    return this.page.evaluate(() => document.fullscreenElement !== null);
  }

  /** Opens "Arrange cameras" (if closed) and answers the row of one camera. */
  async arrangeRow(cameraName: string): Promise<Locator> {
    const arrange = this.page.getByTestId('arrange-cameras');
    if ((await arrange.getAttribute('open')) === null) await arrange.locator('summary').click();
    return arrange.locator('li').filter({ hasText: cameraName });
  }

  async chooseLayout(layout: GridLayout): Promise<void> {
    const group = this.grid().getByRole('group', { name: 'Grid layout' });
    if (layout === 'auto') await group.getByRole('button', { name: /^Auto/ }).click();
    else await group.getByRole('button', { name: `${layout} per screen`, exact: true }).click();
  }
}
