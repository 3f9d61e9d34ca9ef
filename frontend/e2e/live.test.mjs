// Live e2e: the labeller's workbench shows "+1.000000 units in
// coop-assistant-v1" the moment a reviewer in a second browser context
// accepts their work; when the socket drops the shell says "Reconnecting…"
// and the events missed meanwhile arrive after the reconnect; the
// coordinator's project page counts answers and who is working, live.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, formatViolations, launchBrowser, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient } from './labelling-helpers.mjs';
import { acceptNext, pageAs, projectOnDemoModel, submitOne } from './equity-helpers.mjs';

let server;
let browser;
let coord;
let lab;
let rev;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  coord = await apiClient(server.url, DEMO.coordinator);
  lab = await apiClient(server.url, DEMO.labeller);
  rev = await apiClient(server.url, DEMO.reviewer);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertClean(problems) {
  assert.deepEqual(problems, [], `page reported problems:\n${problems.join('\n')}`);
}

/** The reviewer's own browser page claims the next review and accepts it with fetch (cookie session). */
async function acceptInPage(page, projectId) {
  return page.evaluate(async (pid) => {
    const json = { 'Content-Type': 'application/json', Accept: 'application/json' };
    const r = await fetch(`/api/projects/${pid}/review/next`, { method: 'POST', headers: json, credentials: 'same-origin' });
    if (!r.ok) throw new Error(`review/next ${r.status} ${await r.text()}`);
    const t = await r.json();
    const d = await fetch('/api/review/decisions', {
      method: 'POST',
      headers: json,
      credentials: 'same-origin',
      body: JSON.stringify({
        lease_token: t.lease_token,
        idempotency_key: crypto.randomUUID(),
        decisions: t.submissions.filter((s) => s.pending).map((s) => ({ submission_id: s.id, decision: 'accept' })),
      }),
    });
    if (!d.ok) throw new Error(`decisions ${d.status} ${await d.text()}`);
    return t.submissions.map((s) => s.id);
  }, projectId);
}

describe('live', () => {
  test('vesting shows live on the workbench; a dropped socket says "Reconnecting…" and catches up', async () => {
    const { project } = await projectOnDemoModel(coord, 'Live vesting', ['Bright and warm', 'Dull and slow', 'Quite nice', 'Rather poor']);
    const l = await pageAs(browser, server.url, DEMO.labeller);
    const r = await pageAs(browser, server.url, DEMO.reviewer);
    const page = l.page;
    try {
      await page.goto(`/work/p/${project.id}`);
      await page.locator('.task[data-assignment]').waitFor({ timeout: 15_000 });
      const update = page.getByTestId('live-units-update');
      // Label with the keyboard and submit.
      await page.keyboard.press('1');
      await page.keyboard.press('Enter');
      await page.getByTestId(`units-${project.model_id}`).filter({ hasText: '1.000000 awaiting review' }).waitFor();
      await page.waitForFunction(() => window.__copyholdLive?.state() === 'open');

      // A reviewer in a second browser context accepts it.
      await r.page.goto('/review');
      await r.page.getByRole('heading', { level: 1, name: 'Review' }).waitFor();
      await acceptInPage(r.page, project.id);
      await update.filter({ hasText: '+1.000000 units in coop-assistant-v1 — a reviewer accepted your work' }).waitFor({ timeout: 10_000 });
      await page.getByTestId(`units-${project.model_id}`).filter({ hasText: '1.000000 units vested' }).waitFor();
      assert.equal(await page.locator('[aria-live="polite"][data-testid="live-units-update"]').count(), 1);
      await screenshot(page, 'live-workbench-vested');

      // The socket drops; the shell says so, calmly, after a moment.
      const status = page.getByTestId('live-status');
      assert.equal((await status.innerText()).trim(), '');
      const labId = (await lab.call('GET', '/api/me')).id;
      const before = await page.evaluate((ch) => window.__copyholdLive.lastSeq(ch), `member:${labId}`);
      assert.ok(before > 0, 'the page has a last seq for member:<id>');
      await page.evaluate(() => window.__copyholdLive.drop(5000));
      await status.filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 5_000 });
      assert.equal(await status.getAttribute('role'), 'status');
      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));
      await screenshot(page, 'live-reconnecting');

      // Meanwhile two more submissions are made and accepted: the page misses the events…
      await submitOne(lab, project.id);
      await acceptNext(rev, project.id);
      await submitOne(lab, project.id);
      await acceptNext(rev, project.id);
      assert.equal(await page.evaluate(() => window.__copyholdLive.state()), 'reconnecting');
      // …and gets them after the reconnect (resume from the last seq), each once.
      await status.filter({ hasText: 'Reconnecting…' }).waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
      await page.waitForFunction(() => window.__copyholdLive.state() === 'open', null, { timeout: 15_000 });
      await update.filter({ hasText: 'Accepted since you opened this page: 3.' }).waitFor({ timeout: 10_000 });
      await page.getByTestId(`units-${project.model_id}`).filter({ hasText: '3.000000 units vested' }).waitFor();
      assert.equal((await status.innerText()).trim(), '');
      const resumed = await page.evaluate((ch) => window.__copyholdLive.lastSeq(ch), `member:${labId}`);
      assert.ok(resumed > before, `resumed past ${before}: ${resumed}`);
      // sessionStorage keeps it across reloads
      assert.ok((await page.evaluate(() => sessionStorage.getItem('copyhold.live.seq'))).includes(`"member:${labId}":${resumed}`));
      assertClean(l.problems);
      assertClean(r.problems);
    } finally {
      await page.context().close();
      await r.page.context().close();
    }
  });

  test('the statement and court roll refresh themselves when work is accepted', async () => {
    const { project, model } = await projectOnDemoModel(coord, 'Live statement', ['One', 'Two']);
    const l = await pageAs(browser, server.url, DEMO.labeller);
    try {
      const page = l.page;
      await page.goto(`/equity/statement?model=${model.id}`);
      await page.getByTestId('st-closing').waitFor();
      const closing = await page.getByTestId('st-closing').innerText();
      await page.waitForFunction(() => window.__copyholdLive?.state() === 'open');
      await submitOne(lab, project.id);
      await acceptNext(rev, project.id);
      await page.waitForFunction((c) => document.querySelector('[data-testid="st-closing"]')?.textContent !== c, closing, { timeout: 10_000 });
      assert.match(await page.getByTestId('st-check').innerText(), /✓/);
      assertClean(l.problems);
    } finally {
      await l.page.context().close();
    }
  });

  test('the coordinator sees answers per minute and who is working, live', async () => {
    const { project } = await projectOnDemoModel(coord, 'Live dashboard', ['Alpha', 'Beta', 'Gamma']);
    const c = await pageAs(browser, server.url, DEMO.coordinator);
    try {
      const page = c.page;
      await page.goto(`/admin/projects/${project.id}`);
      await page.getByRole('heading', { level: 2, name: 'Live' }).waitFor();
      await page.getByTestId('live-presence').filter({ hasText: /labeller/ }).waitFor({ timeout: 10_000 });
      await page.getByTestId('live-rate').filter({ hasText: '0 answers submitted' }).waitFor();
      // A labeller claims (present now) and submits.
      const t = await lab.call('POST', `/api/projects/${project.id}/next`);
      await page.getByTestId('live-presence').filter({ hasText: /1 labeller.*Lena Labeller/ }).waitFor({ timeout: 10_000 });
      await lab.call('POST', '/api/submissions', { lease_token: t.lease_token, idempotency_key: crypto.randomUUID(), answer: { choice: 'pos' }, lead_time_ms: 900 }, { expect: 201 });
      await page.getByTestId('live-rate').filter({ hasText: '1 answer submitted · 1 item completed' }).waitFor({ timeout: 10_000 });
      await page.getByText('1 of 3 items complete').waitFor();
      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));
      await screenshot(page, 'live-dashboard');
      assertClean(c.problems);
    } finally {
      await c.page.context().close();
    }
  });
  test("the reviewer's project picker counts the review queue live", async () => {
    const { project } = await projectOnDemoModel(coord, 'Live queue', ['First', 'Second']);
    const r = await pageAs(browser, server.url, DEMO.reviewer);
    try {
      const page = r.page;
      await page.goto('/review');
      const count = page.getByTestId(`queue-${project.id}`);
      await count.filter({ hasText: '0 waiting for review' }).waitFor();
      await page.waitForFunction(() => window.__copyholdLive?.state() === 'open');
      await submitOne(lab, project.id);
      await count.filter({ hasText: '1 waiting for review' }).waitFor({ timeout: 10_000 });
      await acceptNext(rev, project.id);
      await count.filter({ hasText: '0 waiting for review' }).waitFor({ timeout: 10_000 });
      assertClean(r.problems);
    } finally {
      await r.page.context().close();
    }
  });
});
