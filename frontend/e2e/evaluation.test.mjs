// Evaluation e2e: a coordinator registers two releases through the API,
// creates a blind pairwise evaluation of them with the "Evaluate releases"
// form (JSONL upload), a labeller answers, a reviewer accepts, and the
// leaderboard shows both releases.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

/** Labeller answers every open task of the project; reviewer accepts them all. */
async function answerAndAccept(projectId, count) {
  for (let i = 0; i < count; i++) {
    const t = await lab.call('POST', `/api/projects/${projectId}/next`);
    await lab.call('POST', '/api/submissions', { lease_token: t.lease_token, idempotency_key: randomUUID(), answer: { choice: 'a' }, lead_time_ms: 1500 }, { expect: 201 });
  }
  for (let i = 0; i < count; i++) {
    const rt = await rev.call('POST', `/api/projects/${projectId}/review/next`);
    await rev.call('POST', '/api/review/decisions', {
      lease_token: rt.lease_token, idempotency_key: randomUUID(),
      decisions: rt.submissions.filter((s) => s.pending).map((s) => ({ submission_id: s.id, decision: 'accept' })),
    });
  }
}

test('evaluate two releases from the datasets page; the leaderboard shows both', async () => {
  // A snapshot to train on, as in datasets.test.mjs, then two releases of it.
  const p = await setupProject(coord, {
    name: `train ${Date.now()}`, task_type: 'pairwise', schema: {},
    items: [{ prompt: 'Capital of France?', response_a: 'Paris.', response_b: 'Lyon.' }],
  });
  await answerAndAccept(p.id, 1);
  const snap = await coord.call('POST', '/api/snapshots', { model_id: p.model_id, project_ids: [p.id], mode: 'consensus' }, { expect: 201 });
  for (const version of ['ev-alpha', 'ev-beta']) {
    await coord.call('POST', '/api/releases', {
      model_id: p.model_id, version, base_model: 'base-7b', training_notes: '', checkpoint: `ckpt-${version}`, snapshot_hashes: [snap.hash],
    }, { expect: 201 });
  }

  const { page, problems } = await newPage(browser, server.url);
  await login(page, DEMO.coordinator.login, DEMO.coordinator.password);
  await page.goto('/datasets');
  const form = page.locator('section[aria-labelledby="ev-h"]');
  await form.getByLabel('Model').selectOption(String(p.model_id));
  await form.getByLabel('Evaluation name').fill('Blind alpha vs beta');
  await form.getByRole('checkbox', { name: 'release ev-alpha' }).check();
  await form.getByRole('checkbox', { name: 'release ev-beta' }).check();

  // A file naming an unknown version is refused with its line number.
  const good = { prompt: 'Write a haiku about rain.', outputs: { 'ev-alpha': 'Soft rain on the roof', 'ev-beta': 'Rain. Wet. The end.' } };
  const bad = { prompt: 'Say hi.', outputs: { 'ev-alpha': 'Hi!', 'ev-gamma': 'Hello.' } };
  const file = (lines) => ({ name: 'eval.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n') });
  await form.getByLabel('Prompts and outputs (JSONL)').setInputFiles(file([good, bad]));
  await form.getByRole('button', { name: 'Create evaluation' }).click();
  await form.getByRole('alert').filter({ hasText: 'Line 2: unknown release version "ev-gamma"' }).waitFor();

  await form.getByLabel('Prompts and outputs (JSONL)').setInputFiles(file([good]));
  await form.getByRole('button', { name: 'Create evaluation' }).click();
  const status = form.getByRole('status');
  await status.filter({ hasText: 'created with 1 item.' }).waitFor();
  const href = await status.getByRole('link', { name: 'Blind alpha vs beta' }).getAttribute('href');
  const m = href.match(/^\/admin\/projects\/(\d+)$/);
  assert.ok(m, `project link ${href}`);
  assert.equal(await status.getByRole('link', { name: 'leaderboard' }).getAttribute('href'), '/datasets/leaderboard');
  const v = await axeViolations(page);
  assert.equal(v.length, 0, formatViolations(v));
  await screenshot(page, 'datasets-evaluate-releases');

  const evalId = Number(m[1]);
  const proj = await coord.call('GET', `/api/projects/${evalId}`);
  assert.equal((proj.project ?? proj).task_type, 'pairwise');
  await coord.call('POST', `/api/projects/${evalId}/status`, { status: 'open' });
  await answerAndAccept(evalId, 1);

  await status.getByRole('link', { name: 'leaderboard' }).click();
  await page.getByRole('heading', { name: 'Leaderboard' }).waitFor();
  await page.locator('#lb-model').selectOption(String(p.model_id));
  const table = page.getByRole('table');
  await table.getByRole('cell', { name: 'ev-alpha', exact: true }).waitFor();
  await table.getByRole('cell', { name: 'ev-beta', exact: true }).waitFor();
  await page.getByText(/1 accepted comparison\b/).waitFor();
  await screenshot(page, 'datasets-leaderboard-evaluated');
  assert.deepEqual(problems, []);
});
