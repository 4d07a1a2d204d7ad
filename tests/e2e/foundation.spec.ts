import { expect, test } from '@playwright/test';
import { DEMO, LoginPage } from './pages/login-page';
import { Shell } from './pages/shell';

const SECTIONS: Record<keyof typeof DEMO, string[]> = {
  operator: ['Overview', 'Live', 'Deployments', 'Alerts'],
  senior_officer: ['Overview', 'Live', 'Deployments', 'Alerts', 'Records', 'Watchlists', 'Recognition'],
  admin: ['Overview', 'Watchlists', 'Recognition', 'Audit trail', 'Users', 'Service accounts'],
  auditor: ['Overview', 'Deployments', 'Records', 'Recognition', 'Audit trail'],
};

test.describe('sign-in and role-shaped shell', () => {
  for (const role of Object.keys(DEMO) as (keyof typeof DEMO)[]) {
    test(`${role} signs in and sees only their sections`, async ({ page }) => {
      await new LoginPage(page).signInAndWait(DEMO[role]);
      const shell = new Shell(page);
      expect(await shell.sectionNames()).toEqual(SECTIONS[role]);
      await expect(shell.realtimeStatus()).toHaveAttribute('data-status', 'connected');
      await expect(page.locator('.user-menu summary')).toContainText(/Operator|Senior officer|Admin|Auditor/);
    });
  }

  test('a signed-out visitor is sent to /login and back to the page after signing in', async ({ page }) => {
    await page.goto('/audit');
    await expect(page).toHaveURL(/\/login\?next=%2Faudit/);
    await new LoginPage(page).signIn(DEMO.auditor);
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByRole('heading', { name: 'Audit trail' })).toBeVisible();
  });

  test('a wrong password is refused with a clear message', async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(DEMO.operator, 'wrong-password');
    await expect(login.error()).toContainText('not recognised');
    await expect(page).toHaveURL(/\/login/);
  });

  test('a role without permission gets the 403 page, not the content', async ({ page }) => {
    await new LoginPage(page).signInAndWait(DEMO.operator);
    const response = await page.goto('/admin/users');
    expect(response?.status()).toBe(403);
    await expect(page.getByRole('heading', { name: /does not give access/ })).toBeVisible();
    await expect(page.getByTestId('users-table')).toHaveCount(0);
  });

  test('sign-out returns to /login and the pages close again', async ({ page }) => {
    await new LoginPage(page).signInAndWait(DEMO.senior_officer);
    await new Shell(page).signOut();
    await page.goto('/');
    await expect(page).toHaveURL(/\/login/);
  });
});

test.describe('admin and auditor work', () => {
  test('an admin adds a user and changes their role; the audit page shows it all and verifies', async ({ page }) => {
    await new LoginPage(page).signInAndWait(DEMO.admin);
    await new Shell(page).nav().getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Name').fill('Erin Example');
    await page.getByLabel('Email').fill('erin@sightline.test');
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByLabel('Temporary password').fill('erin-long-password');
    await page.getByRole('button', { name: 'Add user' }).click();
    const row = page.locator('tr[data-email="erin@sightline.test"]');
    await expect(row).toContainText('Operator');

    // The app's own confirmation, not the browser's.
    const confirm = page.getByRole('dialog');
    await row.getByLabel('Role of erin@sightline.test').selectOption('auditor');
    await expect(confirm).toContainText('From Operator to Auditor');
    await confirm.getByRole('button', { name: 'Make Auditor' }).click();
    await expect(row.locator('.role-chip')).toHaveText('Auditor');

    await page.locator('tr[data-email="admin@sightline.test"]').getByLabel('Role of admin@sightline.test').selectOption('operator');
    await confirm.getByRole('button', { name: 'Make Operator' }).click();
    await expect(page.locator('tr[data-email="admin@sightline.test"]').getByRole('alert')).toContainText('last active admin');

    await new Shell(page).nav().getByRole('link', { name: 'Audit trail' }).click();
    const table = page.getByTestId('audit-table');
    // Actions read as words, with the stored code on hover.
    await expect(table).toContainText('User role changed');
    await expect(table).toContainText('User created');
    await expect(table).toContainText('Signed in');
    await expect(table.locator('tr[data-action="user.role_changed"]').first().getByTitle('Recorded as user.role_changed')).toBeVisible();
    await expect(page.getByTestId('chain-status')).toContainText('Chain intact');
    // The head an auditor records elsewhere, checked later against the chain.
    const head = (await page.getByTestId('chain-head').textContent())!;
    expect(head).toMatch(/^\d+:[0-9a-f]{64}$/);
    await page.getByLabel('Check a head recorded earlier').fill(head);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(page.getByTestId('anchor-result')).toContainText(`event #${head.split(':')[0]}, is still in the chain, unchanged`);
  });

  test('the auditor filters the trail by action', async ({ page }) => {
    const login = new LoginPage(page);
    await login.goto();
    await login.signIn(DEMO.operator, 'a-wrong-guess');
    await expect(login.error()).toBeVisible();
    await login.signInAndWait(DEMO.auditor);
    await page.goto('/audit');
    await page.getByLabel('Action').selectOption('auth.sign_in_failed');
    await page.getByLabel('From').fill('2020-01-01');
    await expect(page.getByTestId('day-in-words').first()).toHaveText('1 January 2020');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/action=auth.sign_in_failed/);
    const rows = page.getByTestId('audit-table').locator('tbody tr');
    await expect(rows.first()).toContainText('Sign-in failed');
    for (const action of await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')))) expect(action).toBe('auth.sign_in_failed');

    // "Clear" resets every filter, the action included.
    await page.getByRole('link', { name: 'Clear' }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByLabel('Action')).toHaveValue('');
    await expect(page.getByLabel('From')).toHaveValue('');

    // A mistyped head is explained beside its field; the chain's status stays on screen.
    await expect(page.getByTestId('chain-status')).toContainText('Chain intact');
    await page.getByLabel('Check a head recorded earlier').fill('12:not-a-hash');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect(page.getByTestId('anchor-problem')).toContainText('event number, a colon and 64');
    await expect(page.getByTestId('chain-status')).toContainText('Chain intact');

    // The app has an icon.
    const icon = await page.request.get('/favicon.ico');
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toMatch(/image\//);
  });
});
