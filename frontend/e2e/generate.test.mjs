// Generation e2e against the real binary and cmd/modeltest (Ollama profile): a coordinator
// registers an endpoint in the browser and sees its capabilities, generates two candidate next
// turns for each conversation of a pairwise project and watches the progress bar fill; a
// labeller compares them; the DPO export's manifest names the generating model; the rows do not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { axeViolations, formatViolations, launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient, openWorkbench, waitAllDone } from './labelling-helpers.mjs';
import { modelDataKeyFile, startModelServer } from './model-helpers.mjs';

let server;
let browser;
let ollama;
let coord;
let rev;

before(async () => {
  ollama = await startModelServer('ollama');
  server = await startServer({ demo: 'bare', env: { COPYHOLD_MODEL_KEY: modelDataKeyFile() } });
  browser = await launchBrowser();
  coord = await apiClient(server.url, DEMO.coordinator);
  rev = await apiClient(server.url, DEMO.reviewer);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await ollama?.stop();
});

const PROMPTS = [
  { messages: [{ role: 'system', content: 'You help a seed co-op.' }, { role: 'user', content: 'Wann säen wir Tomaten? 🍅' }] },
  { messages: [{ role: 'user', content: 'Name one cover crop.' }, { role: 'assistant', content: 'Clover.' }, { role: 'user', content: 'And another?' }] },
];

describe('generation', () => {
  test('register an endpoint, generate candidates with live progress, compare them, export with provenance', async () => {
    const modelId = (await coord.call('POST', '/api/models', { name: `gen model ${Date.now()}`, base_model: 'none', description: '' })).id;
    const p = await coord.call('POST', '/api/projects', {
      model_id: modelId, name: 'Chat candidates', task_type: 'pairwise', schema: { conversation_field: 'messages' },
      instructions: '', overlap: 1, lease_seconds: 600, ordering: 'priority', random_seed: 0, gold_rate_bp: 0, stint: 0, add_all_members: true,
    });
    const { context, page, problems } = await newPage(browser, server.url);
    try {
      await login(page, DEMO.coordinator.login, DEMO.coordinator.password);
      // 1. Register the endpoint and see what the probe found.
      await page.goto('/admin/models');
      await page.getByRole('heading', { name: 'Register an endpoint' }).waitFor();
      await page.getByLabel('Name').fill('ollama box');
      await page.getByLabel('Base URL').fill(ollama.url);
      await page.getByLabel('Model', { exact: true }).fill('llama3.1:8b');
      await page.getByRole('button', { name: 'Register and probe' }).click();
      const card = page.getByRole('region', { name: 'Model endpoint ollama box' });
      await card.waitFor({ timeout: 30_000 });
      assert.match(await card.textContent(), /Seed/);

      // 2. Generate two candidates per conversation and watch the job finish.
      await page.goto(`/admin/projects/${p.id}`);
      const panel = page.getByRole('region', { name: 'Generate candidates' });
      await panel.waitFor();
      for (const i of [0, 1]) {
        await panel.locator(`#gen-ep-${i}`).selectOption({ label: 'ollama box (llama3.1:8b)' });
      }
      await panel.locator('#gen-temp-1').fill('0.9');
      await panel.getByLabel(/Prompts/).fill(PROMPTS.map((x) => JSON.stringify(x)).join('\n'));
      await panel.getByRole('button', { name: 'Generate' }).click();
      const job = panel.getByRole('listitem', { name: /^Job \d+$/ });
      await job.waitFor();
      await job.getByText(/Done — 2 of 2 items written, 4 of 4 candidates settled/).waitFor({ timeout: 30_000 });
      assert.equal(await job.locator('progress').getAttribute('value'), '4');
      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));
      await screenshot(page, 'generate');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
    await coord.call('POST', `/api/projects/${p.id}/status`, { status: 'open' });

    // 3. A labeller compares the candidates, keyboard only.
    const lab = await newPage(browser, server.url);
    try {
      await login(lab.page, DEMO.labeller.login, DEMO.labeller.password);
      for (let i = 0; i < 2; i++) {
        await openWorkbench(lab.page, p.id);
        await lab.page.getByRole('region', { name: 'Conversation so far' }).waitFor();
        const a = await lab.page.getByRole('region', { name: 'Next turn A' }).innerText();
        assert.ok(a.trim().length > 0, 'a generated candidate is on screen');
        await lab.page.keyboard.press('a');
        await lab.page.keyboard.press('Enter');
        if (i === 0) await lab.page.waitForTimeout(300);
      }
      await waitAllDone(lab.page);
      assert.deepEqual(lab.problems, []);
    } finally {
      await lab.context.close();
    }

    // 4. Accept, snapshot, export: the manifest names the generating model; the rows do not.
    for (let i = 0; i < 2; i++) {
      const r = await rev.call('POST', `/api/projects/${p.id}/review/next`);
      const decisions = r.submissions.filter((s) => s.pending).map((s) => ({ submission_id: s.id, decision: 'accept' }));
      await rev.call('POST', '/api/review/decisions', { lease_token: r.lease_token, idempotency_key: randomUUID(), decisions }, { expect: 201 });
    }
    const snap = await coord.call('POST', '/api/snapshots', { model_id: modelId, project_ids: [p.id], mode: 'all' }, { expect: 201 });
    const snapshotId = snap.id ?? snap.snapshot?.id;
    const rows = await fetch(`${server.url}/api/snapshots/${snapshotId}/export?format=trl-dpo-conversational`, { headers: { Authorization: `Bearer ${coord.token}` } });
    const text = await rows.text();
    assert.equal(rows.status, 200, text);
    assert.equal(text.trim().split('\n').length, 2);
    assert.ok(!text.includes('llama3.1'), 'the rows stay blind');
    const manifest = await coord.call('GET', `/api/snapshots/${snapshotId}/manifest?format=trl-dpo-conversational`);
    assert.equal(manifest.generators.length, 1, JSON.stringify(manifest.generators));
    const [g] = manifest.generators;
    assert.equal(g.endpoint, 'ollama box');
    assert.match(g.model, /llama3\.1/);
    assert.equal(g.candidates, 4);
    assert.equal(g.chosen + g.rejected, 4);
  });
});
