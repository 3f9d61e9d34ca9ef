// Foundation e2e: login, role-aware shell, role enforcement, invites, a11y.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO,
  axeViolations,
  formatViolations,
  launchBrowser,
  login,
  newPage,
  screenshot,
  startServer,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertClean(problems) {
  assert.deepEqual(problems, [], `page reported problems:\n${problems.join('\n')}`);
}

describe('foundation', () => {
  test('the binary served the built app under a strict CSP', async () => {
    const res = await fetch(`${server.url}/login`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/, `CSP header: ${csp}`);
    assert.match(await res.text(), /<div id="root">/);
  });

  test('the login page is accessible', async () => {
    const { context, page, problems } = await newPage(browser, server.url);
    try {
      await page.goto('/login');
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));
      await screenshot(page, 'login');
      assertClean(problems);
    } finally {
      await context.close();
    }
  });

  test('a wrong password shows an error', async () => {
    const { context, page, problems } = await newPage(browser, server.url);
    try {
      await page.goto('/login');
      await page.getByLabel('Login', { exact: true }).fill(DEMO.labeller.login);
      await page.getByLabel('Password', { exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: 'Log in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent()).trim();
      assert.ok(text.length > 0, 'alert has a message');
      assert.equal(new URL(page.url()).pathname, '/login');
      await screenshot(page, 'login-error');
      assertClean(problems);
    } finally {
      await context.close();
    }
  });

  test('a demo labeller logs in and sees the Work area', async () => {
    const { context, page, problems } = await newPage(browser, server.url);
    try {
      await login(page, DEMO.labeller.login, DEMO.labeller.password);
      assert.equal(new URL(page.url()).pathname, '/work');
      await page.getByRole('heading', { level: 1, name: 'Work' }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Areas' });
      const links = await nav.getByRole('link').allTextContents();
      assert.deepEqual(links, ['Work', 'Equity', 'Votes', 'Account']);
      await page.getByRole('button', { name: 'Log out' }).waitFor();
      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));
      await screenshot(page, 'work');

      // Tablet size: the nav moves to the top and still works.
      await page.setViewportSize({ width: 768, height: 1024 });
      await nav.getByRole('link', { name: 'Equity' }).click();
      await page.getByRole('heading', { level: 1, name: 'Equity' }).waitFor();
      await screenshot(page, 'equity-tablet');
      assertClean(problems);
    } finally {
      await context.close();
    }
  });

  test('a labeller cannot open the coordinator pages', async () => {
    const { context, page, problems } = await newPage(browser, server.url);
    try {
      await login(page, DEMO.labeller.login, DEMO.labeller.password);
      await page.goto('/admin');
      await page.getByRole('heading', { level: 1, name: 'You need the coordinator role' }).waitFor();
      const status = await page.evaluate(async () => (await fetch('/api/members', { credentials: 'same-origin' })).status);
      assert.equal(status, 403);
      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));
      await screenshot(page, 'role-needed');
      assertClean(problems);
    } finally {
      await context.close();
    }
  });

  test('a coordinator invites a member who joins in a fresh browser', async () => {
    const coord = await newPage(browser, server.url);
    const fresh = await newPage(browser, server.url);
    try {
      const page = coord.page;
      await login(page, DEMO.coordinator.login, DEMO.coordinator.password);
      await page.goto('/admin');
      await page.getByRole('heading', { level: 1, name: 'Co-op admin' }).waitFor();
      await page.getByRole('row', { name: /labeller/ }).first().waitFor();
      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));

      const roles = page.getByRole('group', { name: 'Roles for the new member' });
      assert.equal(await roles.getByLabel('Labeller').isChecked(), true);
      await roles.getByLabel('Reviewer').check();
      await page.getByLabel('Note (optional)').fill('for Nova');
      await page.getByRole('button', { name: 'Create invite link' }).click();
      const linkBox = page.getByLabel('One-time invite link');
      await linkBox.waitFor();
      const link = await linkBox.inputValue();
      assert.ok(link.startsWith(server.url + '/invite/'), `invite link ${link} points at this server`);
      assert.match(link, /\/invite\/[^/]+$/);
      await screenshot(page, 'admin-invite');

      // The new member opens the link in a separate browser context.
      const joiner = fresh.page;
      const target = new URL(link);
      await joiner.goto(target.pathname);
      await joiner.getByRole('heading', { name: 'Join the co-op' }).waitFor();
      await joiner.getByText(/Labeller, Reviewer/).waitFor();
      await joiner.getByText('for Nova').waitFor();
      const iv = await axeViolations(joiner);
      assert.equal(iv.length, 0, formatViolations(iv));
      await screenshot(joiner, 'invite');
      await joiner.getByLabel('Login', { exact: true }).fill('newbie');
      await joiner.getByLabel('Display name', { exact: true }).fill('Nova Newbie');
      await joiner.getByLabel('Password', { exact: true }).fill('a-long-enough-password');
      await joiner.getByRole('button', { name: 'Join copyhold' }).click();
      await joiner.waitForURL((u) => u.pathname === '/work', { timeout: 10_000 });
      await joiner.getByRole('heading', { level: 1, name: 'Work' }).waitFor();
      await joiner.getByTestId('display-name').filter({ hasText: 'Nova Newbie' }).waitFor();
      const links = await joiner.getByRole('navigation', { name: 'Areas' }).getByRole('link').allTextContents();
      assert.deepEqual(links, ['Work', 'Review', 'Quality', 'Equity', 'Votes', 'Account']);

      // The link works once.
      const again = await newPage(browser, server.url);
      try {
        await again.page.goto(target.pathname);
        await again.page.getByRole('alert').filter({ hasText: /no longer valid/ }).waitFor();
      } finally {
        await again.context.close();
      }

      // The coordinator sees the new member in the table.
      await page.reload();
      await page.getByRole('row', { name: /Nova Newbie/ }).waitFor();
      assertClean(coord.problems);
      assertClean(fresh.problems);
    } finally {
      await coord.context.close();
      await fresh.context.close();
    }
  });

  test('a member manages API tokens and changes the password on Account', async () => {
    const { context, page, problems } = await newPage(browser, server.url);
    try {
      await login(page, DEMO.reviewer.login, DEMO.reviewer.password);
      assert.equal(new URL(page.url()).pathname, '/review');
      await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Account' }).click();
      await page.getByRole('heading', { level: 1, name: 'Account' }).waitFor();

      await page.getByLabel('Token name').fill('my-script');
      await page.getByRole('button', { name: 'Create token' }).click();
      const tokenBox = page.getByLabel(/New token/);
      await tokenBox.waitFor();
      const token = await tokenBox.inputValue();
      assert.ok(token.length >= 16, `token looks real: ${token}`);
      await page.getByText('It is shown only once').waitFor();
      const row = page.getByRole('row', { name: /my-script/ });
      await row.waitFor();
      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));
      await screenshot(page, 'account');

      // The token authenticates API calls as this member.
      const me = await fetch(`${server.url}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200);

      await page.getByRole('button', { name: 'Revoke token my-script' }).click();
      await row.waitFor({ state: 'detached' });

      // A wrong current password is an error on the form, not a logout.
      await page.getByLabel('Current password').fill('not-my-password');
      await page.getByLabel('New password', { exact: true }).fill('a-brand-new-password');
      await page.getByLabel('Repeat new password').fill('a-brand-new-password');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('alert').filter({ hasText: /current password/i }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/account');

      await page.getByLabel('Current password').fill(DEMO.reviewer.password);
      await page.getByLabel('New password', { exact: true }).fill('a-brand-new-password');
      await page.getByLabel('Repeat new password').fill('a-brand-new-password');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('Your password was changed.').waitFor();

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL((u) => u.pathname === '/login');
      await login(page, DEMO.reviewer.login, 'a-brand-new-password');
      assert.equal(new URL(page.url()).pathname, '/review');
      assertClean(problems);
    } finally {
      await context.close();
    }
  });
});
