// Reviewer home and the login page of the demo co-op, against the full demo
// (all eight task types and four weeks of history): the login page lists the
// demo logins while the demo is loaded, and only then; the reviewer's home
// sorts projects by waiting count, lists the dispute they may not take and
// the failed gold checks apart, and "Review next" opens the oldest review
// they may take. A labeller sees none of it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, axeViolations, formatViolations, launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ demo: 'full' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const api = (page, method, path, body) =>
  page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p, { method: m, headers: { 'Content-Type': 'application/json' }, body: b === undefined ? undefined : JSON.stringify(b) });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    [method, path, body],
  );

test('the login page lists the demo logins, and one click fills the form', async () => {
  const { context, page, problems } = await newPage(browser, server.url);
  try {
    await page.goto('/login');
    const demo = page.getByRole('region', { name: 'Demo co-op' });
    await demo.waitFor();
    await demo.getByText('copyhold-demo').waitFor();
    for (const who of ['coordinator', 'reviewer', 'labeller', 'labeller2', 'labeller3', 'reviewer2']) {
      await demo.getByRole('button', { name: who, exact: true }).waitFor();
    }
    const v = await axeViolations(page);
    assert.equal(v.length, 0, formatViolations(v));
    await screenshot(page, 'login-demo');
    await demo.getByRole('button', { name: 'reviewer', exact: true }).click();
    assert.equal(await page.getByLabel('Login', { exact: true }).inputValue(), 'reviewer');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/review');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('the reviewer home: most waiting first, the dispute and the gold failures apart, Review next', async () => {
  const { context, page, problems } = await newPage(browser, server.url, { viewport: { width: 1440, height: 900 } });
  try {
    await login(page, DEMO.reviewer.login, DEMO.reviewer.password);
    await page.getByRole('heading', { level: 1, name: 'Review' }).waitFor();
    await page.getByTestId('for-you').filter({ hasText: /\d+ reviews? waits? for you/ }).waitFor();

    // The dispute of the reviewer's own rejection: listed, not theirs to take.
    const disputes = page.getByTestId('rv-disputes');
    await disputes.getByText('You rejected it: another reviewer decides').waitFor();
    assert.equal(await disputes.locator('tbody tr').count(), 1);
    // A labeller failed a gold check on the last day.
    const gold = page.getByTestId('rv-gold');
    await gold.locator('tbody tr').first().waitFor();

    // Cards in order of waiting count (live counts, once loaded).
    const cards = page.getByRole('list', { name: 'Projects to review' }).getByRole('listitem');
    await page.locator('[data-testid^="queue-"] [data-live-count]').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^="queue-"] [data-live-count]').length === document.querySelectorAll('[data-testid^="queue-"]').length);
    const counts = await page.locator('[data-testid^="queue-"] [data-live-count]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-live-count'))));
    assert.ok(counts.length >= 7 && (await cards.count()) === counts.length, `cards: ${counts}`);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), `sorted by waiting count: ${counts}`);
    assert.ok(counts[0] > 0, `something waits: ${counts}`);

    const v = await axeViolations(page);
    assert.equal(v.length, 0, formatViolations(v));
    await screenshot(page, 'reviewer-home');

    const home = await api(page, 'GET', '/api/review/home');
    assert.equal(home.status, 200);
    assert.ok(home.body.next_project_id, `a review waits for the reviewer: ${JSON.stringify(home.body)}`);
    await page.getByRole('button', { name: 'Review next' }).click();
    await page.waitForURL((u) => u.pathname === `/review/p/${home.body.next_project_id}`);
    await page.getByRole('list', { name: 'Submissions' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("the other reviewer may take the dispute; a labeller sees no reviewer home, and a unit's recent value on the cards", async () => {
  const rev2 = await newPage(browser, server.url);
  const lab = await newPage(browser, server.url);
  try {
    await login(rev2.page, 'reviewer2', DEMO.reviewer.password);
    await rev2.page.getByTestId('rv-disputes').getByRole('link', { name: /^You can take it: disputes,/ }).waitFor();

    await login(lab.page, DEMO.labeller.login, DEMO.labeller.password);
    const r = await api(lab.page, 'GET', '/api/review/home');
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 'forbidden');
    assert.ok(!JSON.stringify(r.body).includes('Review sentiment'), 'no project names leak to a labeller');
    // The labeller's project cards show what a unit received in the demo's distribution.
    await lab.page.goto('/work');
    await lab.page.getByTestId(/^unit-value-/).first().filter({ hasText: /a unit received \d+\.\d+ EUR in the distribution of/ }).waitFor();
    await lab.page.goto('/review');
    await lab.page.getByRole('heading', { name: 'You need the reviewer role' }).waitFor();
  } finally {
    await rev2.context.close();
    await lab.context.close();
  }
});

test('the demo logins are gone once the demo password has changed', async () => {
  const lab = await newPage(browser, server.url);
  const anon = await newPage(browser, server.url);
  try {
    await login(lab.page, DEMO.labeller.login, DEMO.labeller.password);
    const r = await api(lab.page, 'POST', '/api/me/password', { current_password: DEMO.labeller.password, new_password: 'a-private-password-now' });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    const answered = anon.page.waitForResponse((res) => new URL(res.url()).pathname === '/api/demo');
    await anon.page.goto('/login');
    const res = await answered;
    assert.deepEqual(await res.json(), { loaded: false, logins: [] });
    await anon.page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal(await anon.page.getByRole('region', { name: 'Demo co-op' }).count(), 0);
    assert.equal(await anon.page.getByText('copyhold-demo').count(), 0);
  } finally {
    await lab.context.close();
    await anon.context.close();
  }
});
