import { expect, type Locator, type Page } from '@playwright/test';
import { PlanMap } from './plan-map';

export type Justification = {
  startsLocal?: string;
  endsLocal?: string;
  locationRationale?: string;
  intelligenceCase?: string;
  necessityProportionality?: string;
  watchlists?: string[];
  categories?: string[];
  candidateDistance?: string;
  verifyThreshold?: string;
  signage?: boolean;
};

/**
 * One deployment (app/(shell)/deployments/[id]/page.tsx): its status, the plan editor (map,
 * cameras, justification, save and submit), the read-only plan and the decision panel.
 */
export class DeploymentPage {
  readonly map: PlanMap;

  constructor(readonly page: Page) {
    this.map = new PlanMap(page);
  }

  async goto(id: string) {
    await this.page.goto(`/deployments/${id}`);
    await expect(this.page.getByTestId('deployment-page')).toBeVisible();
  }

  status(): Locator {
    return this.page.getByTestId('deployment-status');
  }

  editor(): Locator {
    return this.page.getByTestId('plan-editor');
  }

  /** Zooms the plan map in with its + button (Leaflet's own control) until it shows `level`. */
  async zoomMapTo(level: number) {
    await this.map.waitReady();
    for (;;) {
      const zoom = Number(await this.map.canvas.getAttribute('data-zoom'));
      if (zoom >= level) return;
      await this.map.canvas.locator('.leaflet-control-zoom-in').click();
      await expect(this.map.canvas).toHaveAttribute('data-zoom', String(zoom + 1));
    }
  }

  cameraCards(): Locator {
    return this.page.getByTestId('camera-card');
  }

  /** A field of the camera whose form is open (the selected one). */
  cameraField(label: string): Locator {
    return this.page.getByTestId('camera-list').getByLabel(label, { exact: true });
  }

  async fillJustification(values: Justification) {
    const p = this.page;
    if (values.startsLocal !== undefined) await p.getByLabel('Window start').fill(values.startsLocal);
    if (values.endsLocal !== undefined) await p.getByLabel('Window end').fill(values.endsLocal);
    if (values.locationRationale !== undefined) await p.getByLabel('Location rationale').fill(values.locationRationale);
    if (values.intelligenceCase !== undefined) await p.getByLabel('Intelligence case').fill(values.intelligenceCase);
    if (values.necessityProportionality !== undefined) await p.getByLabel('Necessity and proportionality').fill(values.necessityProportionality);
    for (const name of values.watchlists ?? [])
      await p
        .getByRole('group', { name: 'Watchlists' })
        .getByRole('checkbox', { name: new RegExp(`^${escape(name)}`) })
        .check();
    for (const name of values.categories ?? [])
      await p
        .getByRole('group', { name: 'Categories' })
        .getByRole('checkbox', { name: new RegExp(`^${escape(name)}`) })
        .check();
    if (values.candidateDistance !== undefined) await p.getByLabel('Candidate distance', { exact: true }).fill(values.candidateDistance);
    if (values.verifyThreshold !== undefined) await p.getByLabel('Verification threshold', { exact: true }).fill(values.verifyThreshold);
    if (values.signage !== undefined) await p.getByRole('checkbox', { name: 'Public notice (signage) is in place' }).setChecked(values.signage);
  }

  saveStatus(): Locator {
    return this.page.getByTestId('save-status');
  }

  async save() {
    await this.page.getByRole('button', { name: 'Save changes' }).click();
    await expect(this.saveStatus()).toHaveText('All changes saved.');
  }

  async submit() {
    // "Submit for authorisation", or "Save and submit for authorisation" with unsaved changes.
    await this.page.getByRole('button', { name: /submit for authorisation$/i }).click();
  }

  /** A line of the "Before submitting" checklist; `data-ready="true"` once that part is done. */
  checklistItem(label: string): Locator {
    return this.page
      .getByTestId('readiness')
      .getByRole('listitem')
      .filter({ has: this.page.getByRole('link', { name: label, exact: true }) });
  }

  errorSummary(): Locator {
    return this.page.getByTestId('error-summary');
  }

  /** The inline error shown under a labelled field (its aria-describedby). */
  async errorOf(label: string): Promise<string> {
    const control = this.page.getByLabel(label, { exact: true });
    const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ').filter((id) => id.endsWith('-error'));
    if (ids.length === 0) return '';
    return (await this.page.locator(`[id="${ids[0]}"]`).textContent()) ?? '';
  }

  /** The false-alert forecast of the plan being edited (`data-state`: within-target, over-target, incomplete). */
  forecast(): Locator {
    return this.page.getByTestId('accuracy-fields').getByTestId('forecast');
  }

  /** Fills both thresholds with the ones the editor proposes for the force's target. */
  async useProposedThresholds() {
    const button = this.page.getByTestId('use-proposal');
    await expect(button).toBeEnabled();
    await button.click();
    await expect(this.page.getByLabel('Verification threshold', { exact: true })).not.toHaveValue('');
  }

  overrideReason(): Locator {
    return this.page.getByLabel('Why this plan should go ahead over the target', { exact: true });
  }

  decisionPanel(): Locator {
    return this.page.getByTestId('decision-panel');
  }

  async authorise(notes?: string, overrideReason?: string) {
    const panel = this.decisionPanel();
    if (notes) await panel.getByLabel('Notes for the record (optional)').fill(notes);
    if (overrideReason) await panel.getByLabel('Your reason for authorising over the target (required)').fill(overrideReason);
    await panel.getByRole('button', { name: 'Authorise deployment' }).click();
  }

  async reject(reason: string) {
    const panel = this.decisionPanel();
    await panel.getByLabel('Reasons for rejecting (required)').fill(reason);
    await panel.getByRole('button', { name: 'Reject with reasons' }).click();
  }

  notice(): Locator {
    return this.page.getByTestId('notice');
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
