// Datasets e2e: a coordinator snapshots a pairwise project, downloads its
// DPO export from the format picker and registers a release; the labeller
// sees the release on their page and can download their data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { axeViolations, formatViolations, launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient, setupProject } from './labelling-helpers.mjs';

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

test('snapshot, DPO download, release, and the labeller sees it', async () => {
  const items = [
    { prompt: 'Capital of France?', response_a: 'Paris.', response_b: 'Lyon, probably.' },
    { prompt: 'Name a prime.', response_a: '7', response_b: '4' },
  ];
  const p = await setupProject(coord, { name: `prefs ${Date.now()}`, task_type: 'pairwise', schema: {}, items });
  for (let i = 0; i < items.length; i++) {
    const t = await lab.call('POST', `/api/projects/${p.id}/next`);
    await lab.call('POST', '/api/submissions', { lease_token: t.lease_token, idempotency_key: randomUUID(), answer: { choice: 'a' }, lead_time_ms: 1500 }, { expect: 201 });
  }
  for (let i = 0; i < items.length; i++) {
    const rt = await rev.call('POST', `/api/projects/${p.id}/review/next`);
    await rev.call('POST', '/api/review/decisions', {
      lease_token: rt.lease_token, idempotency_key: randomUUID(),
      decisions: rt.submissions.filter((s) => s.pending).map((s) => ({ submission_id: s.id, decision: 'accept' })),
    });
  }

  const { page } = await newPage(browser, server.url);
  await login(page, DEMO.coordinator.login, DEMO.coordinator.password);
  await page.goto('/datasets');
  await page.locator('#ds-model').selectOption(String(p.model_id));
  // The picker groups projects by task type.
  await page.getByRole('group', { name: /Pairwise/ }).getByRole('checkbox', { name: p.name, exact: true }).check();
  await page.getByRole('button', { name: 'Create snapshot' }).click();
  await page.getByRole('status').filter({ hasText: 'Snapshot' }).waitFor();
  const snaps = await coord.call('GET', `/api/snapshots?model_id=${p.model_id}`);
  const snap = snaps.items[0];
  assert.equal(snap.items, 2);

  await page.locator(`#fmt-${snap.id}`).selectOption('trl-dpo');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`download-${snap.id}`).click()]);
  assert.equal(download.suggestedFilename(), `snapshot-${snap.id}-trl-dpo.jsonl`);
  const text = await readFile(await download.path(), 'utf8');
  assert.equal(text, '{"prompt":"Capital of France?","chosen":" Paris.","rejected":" Lyon, probably."}\n{"prompt":"Name a prime.","chosen":" 7","rejected":" 4"}\n');

  await page.locator('#rel-version').fill('e2e-1');
  await page.locator('#rel-base_model').fill('base-7b');
  await page.getByRole('checkbox', { name: new RegExp(`^snapshot ${snap.id} \\(`) }).check();
  await page.getByRole('button', { name: 'Register release' }).click();
  await page.getByRole('status').filter({ hasText: 'Release e2e-1 registered' }).waitFor();
  const v = await axeViolations(page);
  assert.equal(v.length, 0, formatViolations(v));
  await screenshot(page, 'datasets-coordinator');
  await page.close();

  const l = await newPage(browser, server.url);
  await login(l.page, DEMO.labeller.login, DEMO.labeller.password);
  await l.page.goto('/datasets/mine');
  await l.page.getByRole('list', { name: 'Releases with my work' }).getByText('e2e-1').waitFor();
  await l.page.getByText(/trained on 2 of your accepted annotations/).waitFor();
  const mine = await lab.call('GET', '/api/me/export?format=json');
  assert.ok(mine.submissions.length >= 2);
  await screenshot(l.page, 'datasets-my-releases');
  await l.page.goto('/datasets/leaderboard');
  await l.page.getByRole('heading', { name: 'Leaderboard' }).waitFor();
});
