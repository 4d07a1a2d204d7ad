import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page, type WebSocketRoute } from '@playwright/test';
import type { AlertView } from '@/lib/alerts/data';
import { fresh, probeFixtures, type ProbeFixtures } from '../support/probes';
import { AlertQueuePage } from './pages/alert-queue';
import { LoginPage } from './pages/login-page';
import { apiAs, liveDeployment } from './support/api';

/**
 * Alert triage end to end (issue 6): two operators in two browser contexts watch the queue of a
 * deployment this file takes live through the API; a real franck descriptor (computed here with
 * the server's face-api models) raises the alerts. Each test uses its own camera, so sightings
 * never coalesce across tests. The demo may have live deployments of its own: the pages are
 * narrowed to this one with ?deployment=.
 */
test.describe.configure({ mode: 'serial' });

const CAMERAS = ['Regent St north', 'Camera 2', 'Camera 3', 'Camera 4', 'Camera 5', 'Camera 6', 'Camera 7', 'Camera 8', 'Camera 9', 'Camera 10'];
let baseUrl = '';
let deploymentId = '';
let cameraIds: string[] = [];
let probes: ProbeFixtures;
let prober: APIRequestContext;
const contexts: BrowserContext[] = [];
let olivia: AlertQueuePage; // operator@
let omar: AlertQueuePage; // operator2@, behind a socket relay the test can cut
const relay = { blocked: false, sockets: [] as { page: WebSocketRoute; server: WebSocketRoute }[] };

/** Submits the franck probe on camera `n`; returns the alert id and when the answer came back. */
async function raiseAlert(n: number): Promise<{ alertId: string; answeredAt: number; sentAt: number }> {
  const sentAt = Date.now();
  const response = await prober.post(`/api/deployments/${deploymentId}/probes`, { data: fresh(probes.match, { cameraId: cameraIds[n]! }) });
  const answeredAt = Date.now();
  const body = (await response.json()) as { matched: boolean; alertId: string; message?: string };
  expect(response.status(), body.message).toBe(200);
  expect(body.matched).toBe(true);
  return { alertId: body.alertId, answeredAt, sentAt };
}

/**
 * Decides, as Olivia through the API, every alert still awaiting a decision that nobody else
 * holds — in one group decision — so that the next test's alert is not grouped with earlier ones
 * (every alert here is the same person).
 */
async function settleAwaiting() {
  const { alerts } = (await (await prober.get(`/api/alerts?deploymentId=${deploymentId}&state=unhandled`)).json()) as { alerts: AlertView[] };
  const mine: { id: string; version: number }[] = [];
  for (const alert of alerts) {
    if (alert.claimedBy && alert.claimedBy.name !== 'Olivia Operator') continue;
    const held = alert.claimedBy ? alert : ((await (await prober.post(`/api/alerts/${alert.id}/claim`)).json()) as AlertView);
    mine.push({ id: held.id, version: held.version });
  }
  if (mine.length === 0) return;
  const decided = await prober.post('/api/alerts/group/decision', { data: { alerts: mine, decision: 'false_alert', note: 'Cleared by the test' } });
  expect(decided.status(), await decided.text()).toBe(200);
}

async function operatorPage(browser: Browser, email: string, relayed = false): Promise<AlertQueuePage> {
  const context = await browser.newContext({ baseURL: baseUrl });
  contexts.push(context);
  const page = await context.newPage();
  if (relayed) await relaySocket(page);
  await new LoginPage(page).signInAndWait(email);
  const queue = new AlertQueuePage(page);
  await queue.open(deploymentId);
  await expect(page.getByTestId('realtime-status')).toHaveAttribute('data-status', 'connected');
  return queue;
}

/**
 * Routes the page's socket.io traffic through the test: the WebSocket is relayed to the server,
 * and while `relay.blocked` every connection (WebSocket or long-polling) is refused, as in a
 * network outage.
 */
async function relaySocket(page: Page) {
  await page.route('**/socket.io/**', (route) => (relay.blocked ? route.abort('internetdisconnected') : route.continue()));
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (relay.blocked) return void ws.close();
    relay.sockets.push({ page: ws, server: ws.connectToServer() });
  });
}

async function cutRelay() {
  relay.blocked = true;
  for (const { page, server } of relay.sockets.splice(0)) {
    await server.close().catch(() => undefined);
    await page.close().catch(() => undefined);
  }
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  baseUrl = test.info().project.use.baseURL!;
  const live = await liveDeployment(
    baseUrl,
    `E2E alerts ${new Date().toISOString()}`,
    CAMERAS.map((name) => ({ name, source: { kind: 'file', url: '/fixtures/crowd.mp4' } })),
  );
  deploymentId = live.id;
  cameraIds = CAMERAS.map((name) => live.cameras.find((c) => c.name === name)!.id);
  probes = await probeFixtures(cameraIds[0]!);
  prober = await apiAs(baseUrl, 'operator@sightline.test');
  olivia = await operatorPage(browser, 'operator@sightline.test');
  omar = await operatorPage(browser, 'operator2@sightline.test', true);
});

test.afterAll(async () => {
  await prober?.dispose();
  for (const context of contexts) await context.close();
});

test('the home page shows a new alert arriving without a reload, with its age ticking', async () => {
  // Olivia's home page beside her queue (same session); first in this file, so this alert is the oldest waiting.
  const home = await olivia.page.context().newPage();
  await home.goto('/');
  await expect(home.getByTestId('attention-now')).toHaveAttribute('data-following', 'true');
  const onHome = home.locator(`[data-testid="attention-deployment"][data-deployment-id="${deploymentId}"]`);
  await expect(onHome.getByTestId('attention-awaiting')).toHaveAttribute('data-count', '0');
  await raiseAlert(8);
  await expect(onHome.getByTestId('attention-awaiting')).toHaveAttribute('data-count', '1');
  await expect(onHome.getByRole('link', { name: '1 alert awaiting a decision' })).toHaveAttribute('href', `/alerts?deployment=${deploymentId}`);
  const oldest = onHome.getByTestId('attention-oldest');
  await expect(oldest).toHaveText(/^, oldest waiting [0-4] s$/);
  const shown = /(\d+) s$/.exec((await oldest.textContent())!)![1];
  await expect(oldest).toHaveText(new RegExp(`oldest waiting (?!${shown} s)\\d+ s$`), { timeout: 3000 });
  await expect(onHome.getByTestId('attention-faces')).toHaveText(/^[1-9]\d* faces? processed in the last 5 minutes$/);
  await expect(home.getByTestId('attention-summary')).toHaveText(/alerts? awaiting a decision/);
  await home.close();
});

test('a new alert appears in both operators’ queues within a second of the probe, with sound, pulse and tab count', async () => {
  await settleAwaiting();
  // The sound button says what the operator would hear: blocked until a gesture, then on.
  const sound = olivia.queue().getByTestId('sound-toggle');
  await expect(sound).toHaveAttribute('data-sound', /^(on|blocked)$/);
  if ((await sound.getAttribute('data-sound')) === 'blocked') {
    await expect(sound).toHaveText('Sound blocked');
    await olivia.queue().getByTestId('sound-enable').click();
  }
  await expect(sound).toHaveAttribute('data-sound', 'on');
  await expect(sound).toHaveText('Sound on');
  await Promise.all([olivia.recordRowArrivals(), omar.recordRowArrivals()]);
  const announcedBefore = Number(await olivia.queue().getAttribute('data-announced'));
  const { alertId, answeredAt, sentAt } = await raiseAlert(0);

  const [a, b] = await Promise.all([olivia.rowFirstSeenAt(alertId), omar.rowFirstSeenAt(alertId)]);
  const latency = { olivia: a - answeredAt, omar: b - answeredAt };
  console.log(`[alerts] probe took ${answeredAt - sentAt} ms; row shown ${latency.olivia} ms (olivia), ${latency.omar} ms (omar) after the probe's answer`);
  expect(latency.olivia).toBeLessThan(1000);
  expect(latency.omar).toBeLessThan(1000);

  const row = olivia.row(alertId);
  await expect(row).toHaveAttribute('data-state', 'new');
  await expect(row).toHaveAttribute('data-fresh', 'true');
  await expect(row).toContainText('Demo subject');
  await expect(row).toContainText('Wanted by the courts');
  await expect(row).toContainText('Regent St north');
  await expect(row.getByTestId('similarity')).toContainText(/Very close|Close|Near threshold/);
  await expect(row.getByTestId('similarity')).toContainText(/0\.\d{3}/);
  await expect(row.getByTestId('alert-age')).toHaveText(/^\d+ s$/);
  await expect(row).toHaveAttribute('data-escalation', 'none');
  await expect(row.getByTestId('alert-state')).toHaveText('Awaiting decision');
  await expect(olivia.queue()).toHaveAttribute('data-announced', String(announcedBefore + 1));
  await expect(olivia.page).toHaveTitle(/^\(\d+\) Alerts · Sightline$/);
  const unhandled = Number(await olivia.queue().getAttribute('data-unhandled'));
  await expect(olivia.page).toHaveTitle(`(${unhandled}) Alerts · Sightline`);
  // The age ticks without any new event.
  await expect(row.getByTestId('alert-age')).toHaveText(/^([2-9]|\d\d) s$/, { timeout: 5000 });
});

test('a claim in one browser shows as held in the other; the other cannot take it', async () => {
  await settleAwaiting();
  const { alertId } = await raiseAlert(1);
  await expect(omar.row(alertId)).toBeVisible();
  const claimedAt = Date.now();
  await olivia.row(alertId).getByRole('button', { name: 'Claim' }).click();
  await expect(olivia.row(alertId).getByTestId('alert-holder')).toHaveText('Held by you');
  await expect(omar.row(alertId).getByTestId('alert-holder')).toHaveText('Held by Olivia Operator');
  console.log(`[alerts] claim shown as held in the other browser after ${Date.now() - claimedAt} ms (click included)`);
  await expect(omar.row(alertId)).toHaveAttribute('data-state', 'claimed');
  await expect(omar.row(alertId).getByRole('button', { name: 'Claim' })).toHaveCount(0);

  // Omar tries anyway, by key: he is told who holds it.
  await omar.selectWithKeys(alertId);
  await omar.press('c');
  await expect(omar.notice()).toContainText('Olivia Operator is already handling this alert');

  // The holder releases with R (its own key); Omar sees it free again.
  await olivia.selectWithKeys(alertId);
  await olivia.press('r');
  await expect(omar.row(alertId).getByTestId('alert-holder')).toHaveText('Unclaimed');
  await expect(omar.row(alertId)).toHaveAttribute('data-state', 'new');
});

let decidedId = '';
let engagedId = '';

test('keyboard triage: J/K, C claim, Enter compare, F false alert, E engage, 2 outcome (confirmed)', async ({}, testInfo) => {
  await settleAwaiting();
  await omar.showState('all');
  const first = await raiseAlert(2);
  decidedId = first.alertId;
  await expect(olivia.row(decidedId)).toBeVisible();

  // F, E and 1–5 act only in the comparison, where both faces are visible.
  await olivia.selectWithKeys(decidedId);
  await olivia.press('f');
  await expect(olivia.notice()).toContainText('Open the comparison first');
  await olivia.press('c');
  await expect(olivia.row(decidedId).getByTestId('alert-holder')).toHaveText('Held by you');
  await olivia.press('f');
  await expect(olivia.notice()).toContainText('Open the comparison first');
  await expect(olivia.row(decidedId)).toHaveAttribute('data-state', 'claimed');
  await olivia.press('Enter');
  const compare = olivia.compare();
  await expect(compare).toBeVisible();
  await expect(compare).toHaveAttribute('data-alert-id', decidedId);
  await olivia.expectFacesShown();
  await expect(compare).toContainText('Wanted by the courts');
  // Both stages' scores: the verifier's (judged from the probe's own crop) and face-api's candidate distance.
  await expect(compare.getByTestId('similarity')).toContainText('/ 0.46');
  await expect(compare.getByTestId('compare-scores')).toContainText(/Verified by\s*faceapi-128: distance 0\.\d{3} \(at most 0\.46\)/);
  await expect(compare.getByTestId('compare-scores')).toContainText(/First stage\s*face-api distance 0\.\d{3} \(within 0\.50\)/);
  await expect(compare.getByTestId('camera-map')).toBeVisible();
  await expect(compare).toContainText('Camera 3');
  if (process.env.ALERTS_SCREENSHOTS) await olivia.page.screenshot({ path: testInfo.outputPath('compare.png') });
  await olivia.press('f');
  await expect(compare.getByTestId('compare-state')).toHaveText('False alert');
  await expect(compare.getByTestId('alert-history')).toContainText('No match (false alert) by Olivia Operator');
  await expect(omar.row(decidedId)).toHaveAttribute('data-state', 'false_alert');

  // The decided alert stays in the comparison; the next one waiting is above it: K, still in the compare view; claim, engage, outcome 2.
  const second = await raiseAlert(3);
  engagedId = second.alertId;
  await expect(olivia.row(engagedId)).toBeVisible();
  await olivia.press('k');
  await expect(compare).toHaveAttribute('data-alert-id', engagedId);
  await olivia.press('c');
  await expect(compare.getByTestId('compare-holder')).toContainText('Held by you');
  await olivia.press('e');
  await expect(compare.getByTestId('compare-state')).toHaveText('Engaging');
  await expect(compare.getByTestId('outcome-menu')).toBeVisible();
  await expect(omar.row(engagedId).getByTestId('alert-state')).toHaveText('Engaging');
  // Safeguarding leads to action: the app's own dialog asks first; Cancel records nothing.
  await olivia.press('2');
  const confirm = olivia.page.getByTestId('confirm-outcome');
  await expect(confirm).toContainText('Record “Confirmed — safeguarding”?');
  await olivia.press('Enter'); // the focus is on Cancel
  await expect(confirm).toHaveCount(0);
  await expect(compare.getByTestId('compare-state')).toHaveText('Engaging');
  await olivia.press('2');
  await confirm.getByRole('button', { name: 'Record Confirmed — safeguarding' }).click();
  await expect(compare.getByTestId('compare-state')).toHaveText('Confirmed — safeguarding');
  await expect(compare.getByTestId('alert-history')).toContainText('Confirmed — safeguarding by Olivia Operator');
  await expect(omar.row(engagedId).getByTestId('alert-state')).toHaveText('Confirmed — safeguarding');
  await olivia.press('Escape');
  await expect(compare).toHaveCount(0);
  if (process.env.ALERTS_SCREENSHOTS) await olivia.page.screenshot({ path: testInfo.outputPath('queue.png') });
});

test('the decisions survive a reload; the image can be retained with a reason', async () => {
  await olivia.page.reload();
  await expect(olivia.queue()).toHaveAttribute('data-phase', 'ready');
  // Decided alerts are not in the default (open) view: they have their own filter.
  await expect(olivia.row(decidedId)).toHaveCount(0);
  await olivia.showState('decided');
  await expect(olivia.row(decidedId).getByTestId('alert-state')).toHaveText('False alert');
  await expect(olivia.row(engagedId).getByTestId('alert-state')).toHaveText('Confirmed — safeguarding');
  await olivia
    .row(decidedId)
    .getByRole('button', { name: /^Compare/ })
    .click();
  await expect(olivia.compare().getByTestId('alert-history')).toContainText('No match (false alert) by Olivia Operator');
  // Keeping the image past the retention period needs a reason of at least 10 characters.
  const retain = olivia.compare().getByTestId('retain-section');
  await retain.getByRole('button', { name: 'Retain image…' }).click();
  await retain.getByLabel(/Reason for keeping the image/).fill('too short');
  await expect(retain.getByRole('button', { name: 'Retain image' })).toBeDisabled();
  await retain.getByLabel(/Reason for keeping the image/).fill('Complaint received about this stop; keep for review.');
  await retain.getByRole('button', { name: 'Retain image' }).click();
  await expect(retain).toContainText('Image kept past the retention period: Complaint received about this stop; keep for review.');
  await olivia.compare().getByRole('button', { name: 'Close the comparison' }).click();
  await expect(olivia.compare()).toHaveCount(0);
});

test('a decided alert is never claimed by a key press: “Correct this decision” asks for the reason first', async () => {
  await olivia.selectWithKeys(decidedId);
  await olivia.press('c');
  const compare = olivia.compare();
  await expect(compare).toHaveAttribute('data-alert-id', decidedId);
  await expect(olivia.compareNotice()).toContainText('This alert has been decided');
  await expect(compare.getByTestId('compare-holder')).toHaveText('Unclaimed');
  await expect(omar.row(decidedId).getByTestId('alert-holder')).not.toContainText('Held');
  // No plain claim is offered, nor the decision keys.
  await expect(compare.getByRole('button', { name: /Claim/ })).toHaveCount(0);
  await olivia.press('e');
  await expect(compare.getByTestId('compare-state')).toHaveText('False alert');

  const correction = compare.getByTestId('correction-section');
  await correction.getByRole('button', { name: 'Correct this decision…' }).click();
  const reason = correction.getByLabel(/Why is the decision being corrected/);
  await reason.fill('too short');
  await expect(correction.getByRole('button', { name: 'Claim to correct' })).toBeDisabled();
  await reason.fill('Second look at the footage: it is the subject after all.');
  await correction.getByRole('button', { name: 'Claim to correct' }).click();
  await expect(compare.getByTestId('compare-holder')).toContainText('Held by you');
  await expect(compare.getByTestId('compare-correcting')).toContainText('Second look at the footage');
  await expect(omar.row(decidedId).getByTestId('alert-holder')).toHaveText('Held by Olivia Operator');
  await compare.focus();
  await olivia.press('e');
  await expect(compare.getByTestId('compare-state')).toHaveText('Engaging');
  await expect(compare.getByTestId('alert-history')).toContainText('No match (false alert) by Olivia Operator');
  await expect(compare.getByTestId('alert-history')).toContainText('Possible match → engage by Olivia Operator');
  await olivia.press('5');
  await expect(compare.getByTestId('compare-state')).toHaveText('Not engaged');
  await compare.getByRole('button', { name: 'Close the comparison' }).click();
  await expect(compare).toHaveCount(0);
  // Closed now: C still does not claim it.
  await olivia.selectWithKeys(decidedId);
  await olivia.press('c');
  await expect(olivia.compareNotice()).toContainText('This alert has been decided');
  await expect(compare.getByTestId('compare-holder')).toHaveText('Unclaimed');
  await olivia.press('Escape');
  await expect(compare).toHaveCount(0);
  await olivia.showState('open');
});

test('a decision about an alert that changed is refused; the operator is told and sees the new state', async () => {
  await settleAwaiting();
  const { alertId } = await raiseAlert(4);
  await olivia.selectWithKeys(alertId);
  await olivia.press('c', 'Enter');
  await expect(olivia.compare().getByTestId('compare-holder')).toContainText('Held by you');
  // The person is seen again between the operator's look and the decision: the decision carries
  // the version the operator saw, which the server now refuses.
  const seen = (await (await prober.get(`/api/alerts/${alertId}`)).json()) as AlertView;
  await olivia.page.route(`**/api/alerts/${alertId}/decision`, async (route) => {
    await raiseAlert(4); // same camera, within the coalescing window: the same alert, new version
    await route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), version: seen.version }) });
  });
  await olivia.press('e');
  await expect(olivia.compareNotice()).toContainText('The alert changed while you looked at it: the person was seen again (2 sightings)');
  await expect(olivia.compareNotice()).toContainText('nothing was recorded');
  await expect(olivia.compare().getByTestId('compare-state')).toHaveText('Claimed');
  await olivia.page.unroute(`**/api/alerts/${alertId}/decision`);
  // Esc closes the comparison and keeps the claim; R releases it.
  await olivia.press('Escape');
  await expect(olivia.compare()).toHaveCount(0);
  await expect(olivia.row(alertId).getByTestId('alert-holder')).toHaveText('Held by you');
  await olivia.press('r');
  await expect(olivia.row(alertId).getByTestId('alert-holder')).toHaveText('Unclaimed');
});

test('after a network outage the queue catches up: the alert raised meanwhile appears once', async () => {
  await cutRelay();
  await expect(omar.page.getByTestId('queue-offline')).toBeVisible();
  const { alertId } = await raiseAlert(5);
  await expect(olivia.row(alertId)).toBeVisible();
  await omar.page.waitForTimeout(500);
  await expect(omar.row(alertId)).toHaveCount(0);
  relay.blocked = false;
  await expect(omar.page.getByTestId('queue-offline')).toHaveCount(0, { timeout: 15_000 });
  await expect(omar.row(alertId)).toHaveCount(1);
  const ids = await omar.rows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id')));
  expect(new Set(ids).size).toBe(ids.length);
  // And live events flow again.
  const next = await raiseAlert(6);
  await expect(omar.row(next.alertId)).toBeVisible({ timeout: 2000 });
});

test('repeated sightings of one person are one queue item with every camera and face, claimed, extended and decided once', async () => {
  await settleAwaiting();
  const one = await raiseAlert(0);
  const two = await raiseAlert(1);
  const row = olivia.row(one.alertId);
  await expect(row).toHaveAttribute('data-group-size', '2');
  await expect(row).toHaveAttribute('data-alert-ids', `${one.alertId} ${two.alertId}`);
  // The narrow row names the clock once, above its track.
  await expect(row).toContainText(/2 sightings \((GMT|BST)\)/);
  await expect(row.getByTestId('alert-track')).toContainText(/Regent St north \d\d:\d\d:\d\d.*Camera 2 \d\d:\d\d:\d\d/);
  await olivia.selectWithKeys(two.alertId);
  await olivia.press('Enter');
  // Every member's face, beside its camera and time, before the one decision.
  const compare = olivia.compare();
  await expect(compare.getByTestId('compare-group')).toContainText('2 sightings of this person');
  const faces = compare.getByTestId('compare-group-faces').locator('li');
  await expect(faces).toHaveCount(2);
  await expect(faces.nth(1)).toHaveAttribute('data-alert-id', two.alertId);
  await expect(faces.nth(1).getByTestId('crop-image')).toBeVisible();
  await expect(faces.nth(1)).toContainText(/Camera 2\s*\d\d:\d\d:\d\d (GMT|BST)/);
  // Claimed by mouse: the button goes, and the focus comes back to the comparison (its keys keep working).
  await compare.getByRole('button', { name: /Claim$/ }).click();
  await expect(compare.getByTestId('compare-holder')).toContainText('Held by you');
  await expect.poll(() => olivia.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('compare-view');
  await expect(omar.row(two.alertId).getByTestId('alert-holder')).toHaveText('Held by Olivia Operator');
  // Another operator's claim shows no countdown on his rows.
  await expect(omar.row(two.alertId).getByTestId('claim-countdown')).toHaveCount(0);
  // Extending covers every sighting held, not only the first.
  const extended = [one, two].map(({ alertId }) => olivia.page.waitForResponse((r) => r.url().endsWith(`/api/alerts/${alertId}/extend`)));
  await compare.getByTestId('extend-claim').click();
  await Promise.all(extended);
  await expect(olivia.compareNotice()).toContainText('Your claims on all 2 sightings');
  await olivia.press('f');
  await expect(olivia.compareNotice()).toContainText('Recorded for all 2 sightings');
  await expect(omar.row(one.alertId)).toHaveAttribute('data-state', 'false_alert');
  await expect(omar.row(two.alertId)).toHaveAttribute('data-state', 'false_alert');
  await olivia.press('Escape');
  await expect(olivia.row(one.alertId)).toHaveCount(0);
  await expect(olivia.row(two.alertId)).toHaveCount(0);
});

test('the compare view counts the claim down and extends it, maps every camera, lists the sightings, and fits 1366 × 768 and 1920 × 1080', async ({}, testInfo) => {
  await settleAwaiting();
  const { alertId } = await raiseAlert(9);
  const page = olivia.page;
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1366, height: 768 });
  await olivia.selectWithKeys(alertId);
  await olivia.press('c');
  await expect(olivia.row(alertId).getByTestId('alert-holder')).toHaveText('Held by you');
  await expect(olivia.row(alertId).getByTestId('claim-countdown')).toContainText(/lapses in [45]:\d\d/);
  await olivia.press('Enter');
  const compare = olivia.compare();
  await expect(compare).toHaveAttribute('data-alert-id', alertId);
  await expect(compare.getByTestId('claim-countdown')).toContainText(/Your claim lapses in [45]:\d\d/);

  const before = (await (await prober.get(`/api/alerts/${alertId}`)).json()) as AlertView;
  const answer = page.waitForResponse((r) => r.url().endsWith(`/api/alerts/${alertId}/extend`));
  await compare.getByTestId('extend-claim').click();
  const extended = (await (await answer).json()) as AlertView;
  expect(Date.parse(extended.claimExpiresAt!)).toBeGreaterThan(Date.parse(before.claimExpiresAt!));
  await expect(olivia.compareNotice()).toContainText('was extended');

  // Where: the zone and all ten cameras, this one named; and a way to its live tile.
  const map = compare.getByTestId('camera-map');
  await expect(map).toHaveAttribute('data-cameras', String(CAMERAS.length));
  await expect(map.locator('path.sl-inset-camera')).toHaveCount(CAMERAS.length);
  await expect(map.locator('path.sl-zone')).toHaveCount(1);
  await expect(map).toContainText('Camera 10');
  await expect(compare.getByTestId('show-tile')).toHaveAttribute('href', `/live/${deploymentId}?camera=${cameraIds[9]}`);
  // Every alert of this file is the same person: the earlier ones are listed too, this one marked.
  const sightings = compare.getByTestId('sighting-history').locator('li');
  await expect.poll(() => sightings.count()).toBeGreaterThan(5);
  await expect(sightings.first()).toHaveAttribute('aria-current', 'true');
  await expect(sightings.first()).toContainText(/\d\d:\d\d:\d\d (GMT|BST)\s*Camera 10\s*Awaiting decision/);
  await expect(compare.getByTestId('sighting-history')).toContainText('Camera 4Confirmed — safeguarding');

  for (const size of [
    { width: 1366, height: 768 },
    { width: 1920, height: 1080 },
  ]) {
    await page.setViewportSize(size);
    // Nothing sticks out on the right: the dialog does not scroll sideways, and the score line ends inside it.
    await expect.poll(() => compare.evaluate((el) => el.scrollWidth - el.clientWidth), { message: `${size.width} px` }).toBe(0);
    const [dialogRight, scoreRight] = await Promise.all([
      compare.evaluate((el) => el.getBoundingClientRect().right),
      compare.getByTestId('similarity').evaluate((el) => el.getBoundingClientRect().right),
    ]);
    expect(scoreRight, `${size.width} px`).toBeLessThanOrEqual(dialogRight);
    if (process.env.ALERTS_SCREENSHOTS) await page.screenshot({ path: testInfo.outputPath(`compare-${size.width}.png`) });
  }
  if (viewport) await page.setViewportSize(viewport);
  await compare.getByRole('button', { name: 'Close the comparison' }).click();
  await expect(compare).toHaveCount(0);
  expect((await prober.post(`/api/alerts/${alertId}/release`)).status()).toBe(200);
  await expect(olivia.row(alertId).getByTestId('alert-holder')).toHaveText('Unclaimed');
});

test('a senior officer sees the queue without triage buttons and can release a claim', async ({ browser }) => {
  await settleAwaiting();
  const { alertId } = await raiseAlert(7);
  await olivia.selectWithKeys(alertId);
  await olivia.press('c');
  await expect(olivia.row(alertId).getByTestId('alert-holder')).toHaveText('Held by you');

  const context = await browser.newContext({ baseURL: baseUrl });
  contexts.push(context);
  const page = await context.newPage();
  await new LoginPage(page).signInAndWait('officer@sightline.test');
  const sam = new AlertQueuePage(page);
  await sam.open(deploymentId);
  await expect(sam.row(alertId).getByTestId('alert-holder')).toHaveText('Held by Olivia Operator');
  await expect(sam.queue().getByRole('button', { name: 'Claim' })).toHaveCount(0);
  await expect(sam.queue().getByTestId('queue-shortcuts')).not.toContainText('claim');
  await sam.row(alertId).getByRole('button', { name: 'Release' }).click();
  await expect(olivia.row(alertId).getByTestId('alert-holder')).toHaveText('Unclaimed');
  // The holder is told in words, not only by the row changing, and the notice stays until dismissed.
  const notice = olivia.page.getByTestId('claim-notices').getByTestId('toast');
  await expect(notice).toContainText('Your claim was taken away');
  await expect(notice).toContainText(/Sam Senior released your claim on the alert for .+ \(Camera 8\) at \d\d:\d\d:\d\d (GMT|BST)/);
  await notice.getByRole('button', { name: /^Dismiss/ }).click();
  await expect(notice).toHaveCount(0);
});

test('an auditor’s dashboard (/records) lists the deployment and draws its charts; printed, the nav is hidden', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: baseUrl });
  contexts.push(context);
  const page = await context.newPage();
  await new LoginPage(page).signInAndWait('auditor@sightline.test');
  await page.goto('/records');
  await expect(page.getByRole('heading', { name: 'Records', level: 1 })).toBeVisible();
  const row = page.locator(`tr[data-deployment-id="${deploymentId}"]`);
  await expect(row.getByRole('link', { name: /^E2E alerts/ })).toHaveAttribute('href', `/deployments/${deploymentId}/record`);
  await expect(page.getByTestId('records-totals')).toContainText('Total');
  // The alerts raised above are bars; the decisions above are on the time chart.
  await expect(page.getByTestId('chart-volume').locator('svg .recharts-bar-rectangle path').first()).toBeVisible();
  // The rate chart's points and target line need faces counted, which are written a minute at a time:
  // whether this deployment's minute is written yet depends on timing, so only its chart is required.
  await expect(page.getByTestId('chart-false-alerts').locator('svg.recharts-surface')).toHaveCount(1);
  // One deployment with decisions is one point (a dot; a curve needs two).
  await expect(page.getByTestId('chart-decision-time').locator('svg .recharts-line-dots .recharts-dot').first()).toBeVisible();
  for (const id of ['chart-volume', 'chart-false-alerts', 'chart-decision-time']) {
    await expect(page.getByTestId(id).locator('div[role="img"]')).toHaveAttribute('aria-label', /.{20,}/);
  }
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.topbar')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Apply' })).toBeHidden();
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
  // Landscape on its own named page, so that the record (portrait) never inherits it.
  expect(await page.getByTestId('records-totals').evaluate((el) => getComputedStyle(el.closest('.page')!).getPropertyValue('page'))).toBe('dashboard');
  await expect(row).toBeVisible();
});
