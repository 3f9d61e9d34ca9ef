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
