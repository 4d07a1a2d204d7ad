import { expect, test, type Browser, type Page } from '@playwright/test';
import { DeploymentPage } from './pages/deployment-page';
import { DeploymentsPage } from './pages/deployments-page';
import { DEMO, LoginPage } from './pages/login-page';

/** The demo's second senior officer (lib/demo/seed.ts): the one who may decide on the first one's plans. */
const SECOND_OFFICER = 'officer2@sightline.test';

// Next July is always British Summer Time (UTC+1), so the London times typed below have a
// known UTC meaning whenever this runs, and the window is always in the future.
const YEAR = new Date().getUTCFullYear() + 1;
const WINDOW = { startsLocal: `${YEAR}-07-15T09:00`, endsLocal: `${YEAR}-07-15T13:00` };
const WINDOW_UTC = { startsAt: `${YEAR}-07-15T08:00:00.000Z`, endsAt: `${YEAR}-07-15T12:00:00.000Z` };

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signInAndWait(email);
  return page;
}

test('one officer draws a zone, places a camera and submits; a second authorises; the first cannot authorise their own', async ({ browser }) => {
  test.setTimeout(120_000);
  const name = `Oxford Circus E2E ${Date.now()}`;

  // ── Officer 1 plans ──
  const first = await signedIn(browser, DEMO.senior_officer);
  const list = new DeploymentsPage(first);
  await list.goto();
  const id = await list.createDraft(name);
  const plan = new DeploymentPage(first);
  await expect(plan.status()).toHaveText('Draft');
  await expect(plan.editor()).toBeVisible();

  await plan.zoomMapTo(17);
  await plan.map.drawZone([
    { dx: -160, dy: -110 },
    { dx: 160, dy: -110 },
    { dx: 160, dy: 110 },
    { dx: -160, dy: 110 },
  ]);
  // PlanMap.zone() cannot find the zone: react-leaflet applies pathOptions with setStyle, which
  // ignores className, so the path has no sl-zone class. The map's own words say it is there.
  await expect(plan.map.status()).toHaveText(/place cameras inside/i);
  await expect(plan.checklistItem('Zone drawn on the map')).toHaveAttribute('data-ready', 'true');
  await plan.map.placeCamera({ dx: 0, dy: 0 });
  await expect(plan.map.cameraMarkers()).toHaveCount(1);
  await expect(plan.cameraCards()).toHaveCount(1);

  // Aim it east by dragging the tip of its view cone: the form follows the map.
  await plan.map.setMode('select');
  await plan.map.dragHeading({ dx: 90, dy: 0 });
  await expect(plan.cameraField('Heading (°)')).toHaveValue('90');
  await plan.cameraField('Device label').fill('Integrated Camera');

  // Back with unsaved changes asks in the app's own dialog and keeps the plan; Discard asks too,
  // with Cancel focused, so a stray Enter discards nothing.
  await first.goBack({ waitUntil: 'commit' });
  await expect(first.getByTestId('leave-dialog')).toBeVisible();
  await first.getByRole('button', { name: 'Stay and keep editing' }).click();
  await expect(first).toHaveURL(new RegExp(`/deployments/${id}`));
  await first.getByRole('button', { name: 'Discard changes', exact: true }).click();
  await expect(first.getByTestId('confirm-dialog').getByRole('button', { name: 'Cancel' })).toBeFocused();
  await first.keyboard.press('Enter');
  await expect(first.getByTestId('confirm-dialog')).toHaveCount(0);
  await expect(plan.cameraField('Device label')).toHaveValue('Integrated Camera');

  await plan.fillJustification({
    ...WINDOW,
    locationRationale: 'Intelligence places two people wanted on warrant at the station exits on Saturday afternoons.',
    intelligenceCase: 'Three sightings reported by the BTP in the last fortnight, graded B2.',
    necessityProportionality: 'Conventional patrols failed twice; a four-hour window on one junction limits the intrusion.',
    watchlists: ['Demo — central London'],
    categories: ['Wanted by the courts'],
    signage: true,
  });
  // No threshold is filled in for the planner: they take the proposal made from the calibration.
  await expect(plan.page.getByLabel('Verification threshold', { exact: true })).toHaveValue('');
  await expect(plan.forecast()).toHaveAttribute('data-state', 'incomplete');
  await plan.useProposedThresholds();
  await expect(plan.page.getByTestId('readiness')).toContainText('Everything submission needs is here.');
  // face-api alone cannot meet the default target: the forecast says so, in figures and words.
  await expect(plan.forecast()).toHaveAttribute('data-state', 'over-target');
  await expect(plan.forecast().getByTestId('forecast-verdict')).toHaveText('Over target');
  await expect(plan.forecast()).toContainText('cannot meet the target with the bundled face-api recogniser');
  await expect(plan.forecast()).toContainText('Target 0.17 per 1,000 faces (1 in 6,000 faces)');
  await plan.save();

  // What was drawn and typed is what the server holds (London 09:00 in July is 08:00 UTC).
  const saved = await (await first.request.get(`/api/deployments/${id}`)).json();
  expect(saved.zone.coordinates[0]).toHaveLength(5);
  expect(saved.cameras).toHaveLength(1);
  expect(saved.cameras[0]).toMatchObject({ heading: 90, source: { kind: 'device', url: 'Integrated Camera' } });
  expect(saved.startsAt).toBe(WINDOW_UTC.startsAt);
  expect(saved.endsAt).toBe(WINDOW_UTC.endsAt);
  expect(saved.categories).toEqual(['wanted_by_court']);
  expect(saved.signageConfirmed).toBe(true);

  // Submission over the target is blocked until the planner records why it should go ahead.
  await plan.submit();
  await expect(plan.errorSummary()).toContainText('the false-alert forecast is over the target');
  expect(await plan.errorOf('Why this plan should go ahead over the target')).toMatch(/forecast is over the force’s target/);
  await expect(plan.status()).toHaveText('Draft');
  await plan.overrideReason().fill('Two people wanted for robbery; every alert is checked by an operator before officers act.');
  await plan.submit();
  await expect(plan.status()).toHaveText('Submitted');
  await expect(plan.page.getByTestId('plan-read-only')).toBeVisible();
  await expect(plan.page.getByTestId('recorded-forecast')).toContainText('every alert is checked by an operator');

  // ── Officer 1 cannot authorise their own plan: no button, and the server refuses ──
  await expect(first.getByRole('button', { name: /authorise/i })).toHaveCount(0);
  await expect(first.getByTestId('awaiting-decision')).toContainText('two-person rule');
  const refused = await first.request.post(`/api/deployments/${id}/authorise`, { data: {} });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).message).toMatch(/two-person rule/);

  // ── Officer 2 reads the plan and authorises it (without editing it) ──
  const second = await signedIn(browser, SECOND_OFFICER);
  const secondList = new DeploymentsPage(second);
  await secondList.goto();
  await expect(secondList.row(name)).toHaveAttribute('data-status', 'submitted');
  await secondList.open(name);
  const decision = new DeploymentPage(second);
  await expect(decision.status()).toHaveText('Submitted');
  await expect(decision.page.getByTestId('plan-editor')).toHaveCount(0);
  await expect(decision.page.getByTestId('statement-location')).toContainText('wanted on warrant');
  await expect(decision.page.getByTestId('camera-table')).toContainText('Camera 1');
  await expect(decision.decisionPanel()).toBeVisible();
  await expect(decision.decisionPanel().getByTestId('decision-forecast')).toHaveAttribute('data-state', 'over-target');
  await expect(decision.decisionPanel()).toContainText('every alert is checked by an operator');
  // The second officer must give a reason of their own.
  await decision.authorise('Proportionate; signage checked with the borough.');
  await expect(decision.decisionPanel()).toContainText('say in your own words why it should go ahead');
  await expect(decision.status()).toHaveText('Submitted');
  await decision.authorise(undefined, 'Accepted: small watchlist, operators verify each alert, four hours only.');
  await expect(decision.status()).toHaveText('Authorised');
  await expect(decision.decisionPanel()).toHaveCount(0);
  await expect(second.getByTestId('authorisation-notes')).toContainText('signage checked');

  // Officer 1 sees the authorisation too.
  await first.reload();
  await expect(plan.status()).toHaveText('Authorised');
  await expect(first.getByTestId('deployment-history')).toContainText('Authorised');
  // The window opens next July: "Go live" cannot be pressed yet, and says when it can, in London time.
  await expect(first.getByRole('button', { name: 'Go live' })).toBeDisabled();
  await expect(first.getByTestId('go-live-reason')).toHaveText(new RegExp(`^Opens at 09:00 London time \\(BST\\) on \\w{3} 15 Jul ${YEAR}\\.$`));
  // Only what applies to an authorised plan: no suspending or ending what is not live.
  await expect(first.getByTestId('lifecycle-actions').getByRole('button', { name: /suspend|end the deployment/i })).toHaveCount(0);

  await first.context().close();
  await second.context().close();
});

test('submitting an incomplete plan names each gap beside its field and in a summary', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.senior_officer);
  const list = new DeploymentsPage(page);
  await list.goto();
  const id = await list.createDraft(`Incomplete E2E ${Date.now()}`);
  const plan = new DeploymentPage(page);
  await plan.fillJustification({ locationRationale: 'Busy.' });
  await plan.submit();

  const summary = plan.errorSummary();
  await expect(summary).toBeFocused();
  await expect(summary).toContainText('This plan cannot be submitted yet');
  await expect(summary).toContainText('Zone: draw the area of the deployment on the map.');
  await expect(summary).toContainText('Public notice (signage): confirm that it is in place.');
  expect(await plan.errorOf('Location rationale')).toMatch(/too short/);
  expect(await plan.errorOf('Window start')).toMatch(/start time/);
  await expect(plan.status()).toHaveText('Draft');

  // The summary's links lead to the field.
  await summary.getByRole('link', { name: /intelligence case/i }).click();
  await expect(page.getByLabel('Intelligence case')).toBeFocused();

  // Operators never see a plan before it is authorised.
  const operator = await page.context().browser()!.newContext();
  const operatorPage = await operator.newPage();
  await new LoginPage(operatorPage).signInAndWait(DEMO.operator);
  const response = await operatorPage.goto(`/deployments/${id}`);
  expect(response?.status()).toBe(403);
  await operatorPage.goto('/deployments');
  await expect(operatorPage.getByTestId('deployment-row').filter({ hasText: 'Incomplete E2E' })).toHaveCount(0);
  await operator.close();
});

test('a planner without street tiles finds a place, types a zone, uses C anywhere, keeps what is valid, and is asked before leaving', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.senior_officer);
  const list = new DeploymentsPage(page);
  await list.goto();
  const id = await list.createDraft(`Camden E2E ${Date.now()}`);
  const plan = new DeploymentPage(page);
  await plan.map.waitReady();

  // A place search over the boroughs and places shipped with the app, credited on the map.
  await plan.map.root.getByLabel('Find a place').fill('Camden');
  await expect(plan.map.root.getByRole('option').first()).toHaveText('Camden (borough)');
  await page.keyboard.press('Enter');
  await expect(plan.map.canvas).toHaveAttribute('data-zoom', '14');
  const [lat, lng] = (await plan.map.canvas.getAttribute('data-center'))!.split(',').map(Number) as [number, number];
  expect(lat).toBeGreaterThan(51.52);
  expect(lat).toBeLessThan(51.57);
  expect(lng).toBeGreaterThan(-0.22);
  expect(lng).toBeLessThan(-0.1);
  await expect(plan.map.canvas.locator('.leaflet-control-attribution')).toContainText('GeoNames (CC BY 4.0)');

  // A zone by coordinates: refused with a reason, then drawn — and said to be unsaved.
  const entry = plan.map.root.getByTestId('zone-coordinates');
  await entry.getByText('Enter the zone by coordinates').click();
  await entry.getByLabel('Centre (latitude, longitude)').fill('51.5390, -0.1426');
  await entry.getByLabel('Radius (metres)').fill('5');
  await entry.getByRole('button', { name: 'Use as the zone' }).click();
  await expect(entry.getByTestId('zone-coordinates-error')).toContainText('Radius: give a number of metres between 10 and 2000');
  await entry.getByLabel('Radius (metres)').fill('120');
  await entry.getByRole('button', { name: 'Use as the zone' }).click();
  await expect(plan.map.status()).toHaveText('Zone drawn of 120 m around the centre given. Save the plan to keep it.');
  await expect(plan.checklistItem('Zone drawn on the map')).toHaveAttribute('data-ready', 'true');

  // The shortcuts work with focus anywhere on the page, not only on the map.
  await page.getByRole('heading', { name: 'Justification', exact: true }).click();
  await page.keyboard.press('c');
  await expect(plan.map.root).toHaveAttribute('data-mode', 'place');
  await page.keyboard.press('v');
  await expect(plan.map.root).toHaveAttribute('data-mode', 'select');

  // One wrong field does not stop the rest being saved: it stays as typed, marked.
  await plan.fillJustification({ locationRationale: 'People wanted on warrant gather at the station exits.', candidateDistance: '2' });
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(plan.saveStatus()).toHaveText('Saved as a draft; some fields still need correcting. Unsaved changes (1)');
  await expect(plan.errorSummary()).toContainText('Saved as a draft, except Candidate distance');
  expect(await plan.errorOf('Candidate distance')).toMatch(/between 0\.3 and 0\.7/);
  await expect(page.getByLabel('Candidate distance', { exact: true })).toHaveValue('2');
  const saved = await (await page.request.get(`/api/deployments/${id}`)).json();
  expect(saved.locationRationale).toMatch(/station exits/);
  expect(saved.zone.coordinates[0]).toHaveLength(25);
  expect(saved.threshold).toBeNull();

  // Leaving by the breadcrumb with that unsaved asks first, in the app's own dialog.
  const breadcrumb = page.locator('.eyebrow').getByRole('link', { name: 'Deployments' });
  await breadcrumb.click();
  const leave = page.getByRole('dialog', { name: 'Leave without saving?' });
  await leave.getByRole('button', { name: 'Stay and keep editing' }).click();
  await expect(leave).toBeHidden();
  expect(new URL(page.url()).pathname).toBe(`/deployments/${id}`);
  await breadcrumb.click();
  await leave.getByRole('button', { name: 'Leave without saving' }).click();
  await expect(page).toHaveURL(/\/deployments$/);
});

test('an auditor opens the record of the live demo deployment, prints it (audited) on an A4 black-on-white layout without navigation', async ({ page }) => {
  await new LoginPage(page).signInAndWait(DEMO.auditor);
  await page.goto('/deployments');
  await page.getByRole('link', { name: 'Oxford Circus — demo' }).first().click();
  await page.getByRole('link', { name: 'Deployment record' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Oxford Circus — demo');
  const record = page.getByTestId('deployment-record');
  await expect(record.getByTestId('live-periods')).toContainText('still live');
  await expect(record.getByTestId('figure-faces')).toContainText('Faces processed');
  await expect(record.getByTestId('camera-coverage').getByRole('row')).toHaveCount(5); // a header and the four demo cameras
  // No image of anyone: the record has figures only.
  await expect(record.locator('img')).toHaveCount(0);

  // Printing is an export: the server records it before the browser's print dialog opens.
  await page.evaluate(() => {
    (window as unknown as { printed: boolean }).printed = false;
    window.print = () => {
      (window as unknown as { printed: boolean }).printed = true;
    };
  });
  await page.getByRole('button', { name: 'Print or save as PDF' }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { printed: boolean }).printed)).toBe(true);
  const audit = (await (await page.request.get('/api/audit?action=record.exported')).json()) as {
    events: { actorEmail: string; details: { format: string } }[];
  };
  expect(audit.events.some((e) => e.actorEmail === DEMO.auditor && e.details.format === 'print')).toBe(true);
  // Opening the page was recorded too: the browser's own print menu needs no button.
  const views = (await (await page.request.get('/api/audit?action=record.viewed')).json()) as { events: { actorEmail: string }[] };
  expect(views.events.some((e) => e.actorEmail === DEMO.auditor)).toBe(true);

  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.topbar')).toBeHidden();
  await expect(page.getByTestId('record-actions')).toBeHidden();
  await expect(page.getByText('Live facial recognition deployment record')).toBeVisible();
  const colours = await page.getByTestId('false-alert-rate').evaluate((el) => {
    const style = getComputedStyle(el);
    return { background: style.backgroundColor, text: style.color };
  });
  expect(colours).toEqual({ background: 'rgb(255, 255, 255)', text: 'rgb(0, 0, 0)' });
  // The record prints on its own named page (A4 portrait), whatever other pages' print rules are loaded.
  expect(await page.getByTestId('deployment-record').evaluate((el) => getComputedStyle(el.closest('.page')!).getPropertyValue('page'))).toBe('record');
  const pageSize = await page.evaluate(() =>
    [...document.styleSheets]
      .flatMap((sheet) => [...sheet.cssRules])
      .flatMap((rule) => (rule instanceof CSSMediaRule ? [...rule.cssRules] : [rule]))
      .find((rule): rule is CSSPageRule => rule instanceof CSSPageRule && rule.selectorText === 'record')
      ?.style.getPropertyValue('size'),
  );
  expect(pageSize?.toUpperCase()).toBe('A4'); // (the CSS object model gives keywords in lower case)
});
