import { expect, test } from '@playwright/test';
import { DEMO, LoginPage } from './pages/login-page';
import { PasswordPage } from './pages/password-page';
import { Shell } from './pages/shell';
import { apiAs } from './support/api';

test.describe('accounts an admin creates', () => {
  test('must choose their own password before anything else; the users page says who created them', async ({ page }) => {
    const login = new LoginPage(page);
    const shell = new Shell(page);
    await login.signInAndWait(DEMO.admin);
    await shell.nav().getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Name').fill('Fiona First');
    await page.getByLabel('Email').fill('fiona@sightline.test');
    await page.getByLabel('Role', { exact: true }).selectOption('senior_officer');
    await page.getByLabel('Temporary password').fill('fiona-temporary-1');
    await page.getByRole('button', { name: 'Add user' }).click();
    const row = page.locator('tr[data-email="fiona@sightline.test"]');
    await expect(row.getByTestId('user-status')).toContainText('Must set own password');
    await expect(row.getByTestId('user-created-by')).toHaveText('Ada Admin');
    await expect(page.locator('tr[data-email="officer@sightline.test"]').getByTestId('user-created-by')).toHaveText('Set-up script');
    await shell.signOut();

    // First sign-in with the admin's password: straight to "Set your password", and nowhere else.
    await login.signIn('fiona@sightline.test', 'fiona-temporary-1');
    const password = new PasswordPage(page);
    await password.expectShown('Set your password');
    await page.goto('/deployments');
    await password.expectShown('Set your password');
    await expect(shell.nav()).toHaveCount(0);

    await password.choose('not-the-temporary-one', 'fiona-own-password');
    await expect(password.error()).toContainText('current password is not right');
    await password.choose('fiona-temporary-1', 'fiona-own-password', 'fiona-own-passw0rd');
    await expect(password.error()).toContainText('not the same');
    await password.choose('fiona-temporary-1', 'fiona-own-password');

    // Now the control room opens, live link included.
    await expect(shell.nav()).toBeVisible();
    await expect(page).toHaveURL(/\/$/);
    expect(await shell.sectionNames()).toContain('Deployments');
    await expect(shell.realtimeStatus()).toHaveAttribute('data-status', 'connected');
    await page.goto('/deployments');
    await expect(page.getByRole('heading', { name: 'Deployments', level: 1 })).toBeVisible();
    await shell.signOut();

    // The temporary password is gone; the admin no longer sees the flag.
    await login.signIn('fiona@sightline.test', 'fiona-temporary-1');
    await expect(login.error()).toContainText('not recognised');
    await login.signIn(DEMO.admin);
    await expect(shell.nav()).toBeVisible();
    await page.goto('/admin/users');
    await expect(page.locator('tr[data-email="fiona@sightline.test"]').getByTestId('user-status')).not.toContainText('Must set own password');
  });

  test('anyone may change their own password from the account menu and stays signed in', async ({ page, baseURL }) => {
    // An account of its own (created and first signed in over the API), so no demo password changes.
    const admin = await apiAs(baseURL!, DEMO.admin);
    const created = await admin.post('/api/users', { data: { email: 'gil@sightline.test', name: 'Gil Guard', role: 'operator', password: 'gil-temporary-1' } });
    expect(created.status()).toBe(201);
    const gil = await apiAs(baseURL!, 'gil@sightline.test', 'gil-temporary-1');
    expect((await gil.post('/api/me/password', { data: { currentPassword: 'gil-temporary-1', newPassword: 'gil-own-password' } })).status()).toBe(200);
    await Promise.all([admin.dispose(), gil.dispose()]);

    const login = new LoginPage(page);
    await login.goto();
    await login.signIn('gil@sightline.test', 'gil-own-password');
    const shell = new Shell(page);
    await expect(shell.nav()).toBeVisible();
    await page.locator('.user-menu summary').click();
    await page.getByRole('link', { name: 'Change password' }).click();
    const password = new PasswordPage(page);
    await password.expectShown('Change your password');
    await password.choose('gil-own-password', 'gil-newer-password');
    await expect(page.getByRole('status')).toContainText('Password changed');
    await page.getByRole('link', { name: 'Back to the control room' }).click();
    await expect(shell.nav()).toBeVisible();
    await shell.signOut();
    await login.signIn('gil@sightline.test', 'gil-newer-password');
    await expect(shell.nav()).toBeVisible();
  });

  test('camera agents: a key shown once, rotated and revoked from the service accounts page', async ({ page }) => {
    await new LoginPage(page).signInAndWait(DEMO.admin);
    await new Shell(page).nav().getByRole('link', { name: 'Service accounts' }).click();
    await expect(page.getByRole('heading', { name: 'Service accounts', level: 1 })).toBeVisible();
    await expect(page.getByTestId('service-accounts-empty')).toBeVisible();

    await page.getByLabel('Name').fill('Oxford agent');
    await page.getByRole('checkbox', { name: /Oxford Circus — demo/ }).check();
    await page.getByRole('button', { name: 'Add camera agent' }).click();
    const issued = page.getByTestId('issued-key');
    await expect(issued).toContainText('It will not be shown again');
    const key = await page.getByTestId('issued-key-text').inputValue();
    expect(key).toMatch(/^slk_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    await issued.getByRole('button', { name: 'I have copied it' }).click();
    await expect(issued).toHaveCount(0);
    const row = page.locator('tr[data-name="Oxford agent"]');
    await expect(row.getByTestId('service-account-state')).toHaveText('Active');
    await expect(row).toContainText('Oxford Circus — demo');
    await page.reload();
    expect(await page.content()).not.toContain(key.slice(-43));

    await row.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Give a new key' }).click();
    const rotated = await page.getByTestId('issued-key-text').inputValue();
    expect(rotated).toMatch(/^slk_/);
    expect(rotated).not.toBe(key);
    await page.getByRole('button', { name: 'I have copied it' }).click();

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect(row.getByTestId('service-account-state')).toHaveText('Revoked');
    await expect(row.getByRole('button', { name: 'Rotate key' })).toHaveCount(0);
  });
});
