// Enter → next task interactive, measured in the page (performance.now from
// the Enter keypress to the commit of the next task), median over 20 tasks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, login, newPage, startServer } from './harness.mjs';
import { DEMO, apiClient, mySubmissions, openWorkbench, setupProject, waitAllDone } from './labelling-helpers.mjs';

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

test('Enter → next task interactive (median of 20)', async () => {
  const coord = await apiClient(server.url, DEMO.coordinator);
  const lab = await apiClient(server.url, DEMO.labeller);
  const N = 20;
  const items = Array.from({ length: N }, (_, i) => ({ text: `item number ${i + 1}` }));
  const p = await setupProject(coord, {
    name: 'speed',
    task_type: 'classification',
    schema: { field: 'text', choices: [{ value: 'pos' }, { value: 'neg' }] },
    items,
  });
  const { context, page, problems } = await newPage(browser, server.url);
  try {
    await login(page, DEMO.labeller.login, DEMO.labeller.password);
    let assignment = await openWorkbench(page, p.id);
    for (let i = 0; i < N; i++) {
      await page.keyboard.press(i % 2 ? '1' : '2');
      await page.keyboard.press('Enter');
      if (i < N - 1) {
        await page.locator(`.task[data-assignment]:not([data-assignment="${assignment}"])`).waitFor();
        assignment = await page.locator('.task[data-assignment]').getAttribute('data-assignment');
      }
    }
    await waitAllDone(page);
    const times = await page.evaluate(() => window.__copyholdAdvance ?? []);
    assert.equal(times.length, N - 1);
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const p90 = sorted[Math.floor(sorted.length * 0.9)];
    console.log(`Enter→next task interactive (${server.db.kind}): median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, n=${times.length}`);
    assert.equal((await mySubmissions(lab, p.id)).length, N);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

// Time to first task for a new member: from "Join copyhold" on the invite
// page to the Work page, and from "Start labelling" to the first task on
// screen and interactive. The coordinator adds the member to the project in
// between (a person's step, not timed). Measured from Node around the
// clicks, so each figure includes Playwright's own round trips (a few ms).
test('time to first task for a new member after accepting an invite', async () => {
  const coord = await apiClient(server.url, DEMO.coordinator);
  const p = await setupProject(coord, {
    name: 'first task',
    task_type: 'classification',
    schema: { field: 'text', choices: [{ value: 'pos' }, { value: 'neg' }] },
    items: [{ text: 'A first sentence to label.' }, { text: 'A second one.' }],
  });
  const invite = await coord.call('POST', '/api/invites', { roles: ['labeller'], note: 'speed' }, { expect: 201 });
  const { context, page, problems } = await newPage(browser, server.url);
  try {
    await page.goto(new URL(invite.url).pathname);
    await page.getByRole('heading', { name: 'Join the co-op' }).waitFor();
    await page.getByLabel('Login', { exact: true }).fill('firsttask');
    await page.getByLabel('Display name', { exact: true }).fill('Fay First');
    await page.getByLabel('Password', { exact: true }).fill('a-long-enough-password');
    const t0 = performance.now();
    await page.getByRole('button', { name: 'Join copyhold' }).click();
    await page.getByRole('heading', { level: 1, name: 'Work' }).waitFor();
    const joined = performance.now() - t0;

    const members = await coord.call('GET', '/api/members?limit=100');
    const fay = members.items.find((m) => m.login === 'firsttask');
    assert.ok(fay, 'the new member is listed');
    await coord.call('POST', `/api/projects/${p.id}/members`, { member_id: fay.id }, { expect: 204 });
    await page.reload();
    const start = page.getByRole('link', { name: 'Start labelling first task' });
    await start.waitFor();
    const t2 = performance.now();
    await start.click();
    await page.locator('.task[data-assignment]').waitFor();
    await page.getByRole('radio').first().waitFor();
    const first = performance.now() - t2;
    console.log(
      `time to first task (${server.db.kind}): join → Work ${joined.toFixed(0)} ms, Start labelling → first task interactive ${first.toFixed(0)} ms, total ${(joined + first).toFixed(0)} ms`,
    );
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
