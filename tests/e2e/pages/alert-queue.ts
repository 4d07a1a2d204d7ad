import { expect, type Locator, type Page } from '@playwright/test';

/**
 * The alert queue (components/alerts/alert-queue.tsx) wherever a page renders it, and its
 * compare view. Rows are found by alert id (data-alert-id); their state, holder and status are
 * read from data attributes and the visible labels.
 */
export class AlertQueuePage {
  constructor(readonly page: Page) {}

  /** Opens /alerts narrowed to one deployment and waits for the initial load. */
  async open(deploymentId: string) {
    await this.page.goto(`/alerts?deployment=${encodeURIComponent(deploymentId)}`);
    await expect(this.queue()).toHaveAttribute('data-phase', 'ready');
  }

  queue(): Locator {
    return this.page.getByTestId('alert-queue');
  }

  rows(): Locator {
    return this.queue().getByTestId('alert-row');
  }

  /** The queue item showing this alert: its own row, or its group's (repeated sightings of one person). */
  row(alertId: string): Locator {
    return this.queue().locator(`[data-testid="alert-row"][data-alert-ids~="${alertId}"]`);
  }

  /** Chooses the State filter: 'open' (the default), 'decided', 'all', … */
  async showState(state: string) {
    await this.queue().getByTestId('filter-state').selectOption(state);
  }

  selectedRow(): Locator {
    return this.queue().locator('[data-testid="alert-row"][aria-current="true"]');
  }

  /** Puts the keyboard on the list (as a click on it would). */
  async focusList() {
    await this.queue().getByTestId('alert-list').focus();
  }

  async press(...keys: string[]) {
    for (const key of keys) await this.page.keyboard.press(key);
  }

  /** Moves the selection with J/K until the item showing `alertId` is selected. */
  async selectWithKeys(alertId: string, max = 50) {
    await this.focusList();
    const holds = (ids: string | null) => (ids ?? '').split(' ').includes(alertId);
    for (let i = 0; i < max; i++) {
      const selected = await this.selectedRow().getAttribute('data-alert-ids');
      if (holds(selected)) return;
      const rows = await this.rows().evaluateAll((els) => els.map((r) => r.getAttribute('data-alert-ids')));
      await this.press(rows.findIndex(holds) > rows.indexOf(selected) ? 'j' : 'k');
    }
    await expect(this.selectedRow()).toHaveAttribute('data-alert-ids', new RegExp(`(^| )${alertId}( |$)`));
  }

  compare(): Locator {
    return this.page.getByTestId('compare-view');
  }

  notice(): Locator {
    return this.queue().getByTestId('queue-notice');
  }

  compareNotice(): Locator {
    return this.compare().getByTestId('compare-notice');
  }

  unhandledCount(): Locator {
    return this.queue().getByTestId('unhandled-count');
  }

  /**
   * Starts recording, in the page, when each alert row first appears (Date.now(), the same clock
   * as the test process on one machine); read it with rowFirstSeenAt().
   */
  async recordRowArrivals() {
    await this.page.evaluate(() => {
      const w = window as unknown as { __rowSeen?: Record<string, number> };
      const seen: Record<string, number> = (w.__rowSeen = {});
      const mark = () => {
        for (const row of document.querySelectorAll('[data-testid="alert-row"]')) {
          const id = row.getAttribute('data-alert-id');
          if (id && !(id in seen)) seen[id] = Date.now();
        }
      };
      mark();
      new MutationObserver(mark).observe(document.body, { childList: true, subtree: true });
    });
  }

  async rowFirstSeenAt(alertId: string): Promise<number> {
    await expect(this.row(alertId)).toBeVisible();
    return this.page.evaluate((id) => (window as unknown as { __rowSeen: Record<string, number> }).__rowSeen[id]!, alertId);
  }

  /** Both images of the compare view finished loading with real pixels. */
  async expectFacesShown() {
    for (const id of ['crop-image', 'reference-image']) {
      // The two large faces side by side (a group's strip below repeats its crops as thumbnails).
      const image = this.compare().getByRole('figure').getByTestId(id);
      await expect(image).toBeVisible();
      await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    }
  }
}
