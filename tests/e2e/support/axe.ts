import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/**
 * Accessibility checks the end-to-end tests run on every page they walk (security.spec.ts visits
 * every page of every role once, for the Content-Security-Policy and for these): axe-core against
 * WCAG 2.1 A and AA with zero serious or critical violations, and a visible focus on whatever the
 * Tab key reaches. No axe rule is disabled.
 */

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Rules outside those tags, switched on because the defects they find were reported (issue 15,
 * item 20): the label-in-name check (WCAG 2.5.3, still "experimental" in axe), the heading order
 * and the main landmark (axe's best practices). Any violation of these fails, whatever its impact.
 */
const ALSO_REQUIRED = ['label-content-name-mismatch', 'heading-order', 'landmark-one-main', 'landmark-no-duplicate-main', 'landmark-main-is-top-level'];

export type Found = { page: string; id: string; impact: string; help: string; nodes: string[] };

/** Runs axe on the page as it stands; returns its serious and critical violations, readably. */
export async function seriousViolations(page: Page, name: string): Promise<Found[]> {
  const rules = Object.fromEntries(ALSO_REQUIRED.map((id) => [id, { enabled: true }]));
  // options() first: it replaces what withTags() set. Legacy mode runs axe in the page itself:
  // Sightline's pages have no frames, and the default opens a second page per check to merge
  // frame results, which cost several seconds a page on a loaded machine.
  const results = await new AxeBuilder({ page }).options({ rules }).withTags(WCAG_TAGS).setLegacyMode(true).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || ALSO_REQUIRED.includes(v.id))
    .map((v) => ({
      page: name,
      id: v.id,
      impact: v.impact ?? '',
      help: `${v.help} (${v.helpUrl})`,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`),
    }));
}

export function report(found: Found[]): string {
  return found.map((f) => `\n[${f.impact}] ${f.page}: ${f.id} — ${f.help}\n    ${f.nodes.join('\n    ')}`).join('\n');
}

/** Waits until a page has drawn its heading and its client components have settled. */
export async function settle(page: Page) {
  await page.waitForLoadState('load');
  await expect(page.locator('h1').first()).toBeVisible();
  // Client components fetch after hydration (lists, maps, charts): let them draw before axe looks.
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
}

/**
 * Tabs through the start of the page (skip link, brand, sections, account menu, the page's first
 * controls) and checks that each focused element shows an outline a person can see: at least 2 px,
 * not transparent, not `none`.
 */
export async function expectVisibleFocus(page: Page, name: string, steps = 14) {
  await page.locator('body').focus();
  for (let i = 0; i < steps; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      return {
        what: `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40) || el.getAttribute('aria-label') || ''}"`,
        style: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
        colour: style.outlineColor,
      };
    });
    if (!focus) continue;
    // Chromium's own ring (style "auto", 1 px) fails this: only the theme's outline passes.
    const outlined = focus.style !== 'none' && focus.style !== 'auto' && focus.width >= 2 && !/rgba\(.*,\s*0\)$/.test(focus.colour);
    expect(outlined, `${name}: focus on ${focus.what} is not visible (${focus.style} ${focus.width}px ${focus.colour})`).toBe(true);
  }
}
