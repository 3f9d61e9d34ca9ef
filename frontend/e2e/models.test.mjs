// Model endpoints e2e against the real binary and cmd/modeltest: a
// coordinator registers an endpoint in the browser (llama.cpp profile, with a
// key), sees its probed capabilities as a table with the probe's notes,
// probes it again and deletes it; the key never comes back; a labeller is
// refused the page's API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, axeViolations, formatViolations, launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';
import { modelDataKeyFile, startModelServer } from './model-helpers.mjs';

let server;
let browser;
let llama;

before(async () => {
  llama = await startModelServer('llama.cpp', { key: 'sk-e2e-secret' });
  // PostgreSQL installations configure the data key that seals API keys.
  server = await startServer({ demo: 'bare', env: { COPYHOLD_MODEL_KEY: modelDataKeyFile() } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await llama?.stop();
});

async function session(who) {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: who.login, password: who.password }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  return async (method, path) => {
    const r = await fetch(`${server.url}${path}`, { method, headers: { Cookie: cookie } });
    return { status: r.status, text: await r.text() };
  };
}

describe('model endpoints', () => {
  test('a coordinator registers an endpoint and sees its capabilities', async () => {
    const { context, page, problems } = await newPage(browser, server.url);
    try {
      await login(page, DEMO.coordinator.login, DEMO.coordinator.password);
      await page.goto('/admin/models');
      await page.getByRole('heading', { name: 'Register an endpoint' }).waitFor();

      // copyhold itself is refused, with the server's words.
      await page.getByLabel('Name').fill('llama box');
      await page.getByLabel('Base URL').fill(`${server.url}/v1`);
      await page.getByLabel('Model', { exact: true }).fill('qwen2.5-7b');
      await page.getByRole('button', { name: 'Register and probe' }).click();
      await page.getByText('cannot be this server itself').waitFor();

      await page.getByLabel('Base URL').fill(llama.url);
      await page.getByLabel(/API key/).fill('sk-e2e-secret');
      await page.getByRole('button', { name: 'Register and probe' }).click();
      const card = page.getByRole('region', { name: 'Model endpoint llama box' });
      await card.waitFor({ timeout: 30_000 });
      assert.equal(await page.getByLabel(/API key/).inputValue(), '', 'the key field keeps the key');

      const row = (label) => card.getByRole('row', { name: new RegExp(`^${label.replace(/[()]/g, '\\$&')}`) });
      assert.match(await row('Chat completions').textContent(), /✓ yes/);
      assert.match(await row('Several choices (n)').textContent(), /✗ no/);
      assert.match(await row('Seed').textContent(), /✓ yes/);
      assert.match(await row('Logprobs').textContent(), /before sampling/);
      assert.match(await row('JSON schema').textContent(), /✓ yes/);
      assert.match(await row('Tool calls').textContent(), /✗ no/);
      assert.match(await row('Streaming').textContent(), /✓ yes/);
      const notes = card.getByRole('list', { name: 'Probe notes for llama box' });
      assert.match(await notes.textContent(), /Only one completion choice is allowed/);
      assert.match(await card.textContent(), /key: stored/);

      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));
      await screenshot(page, 'models');

      await card.getByRole('button', { name: 'Probe again' }).click();
      await card.getByRole('button', { name: 'Probe again' }).waitFor();

      // The key never comes back; a labeller cannot even list endpoints.
      const coord = await session(DEMO.coordinator);
      const list = await coord('GET', '/api/model-endpoints');
      assert.equal(list.status, 200);
      assert.ok(!list.text.includes('sk-e2e-secret'));
      assert.ok(list.text.includes('"has_key":true'));
      const lab = await session(DEMO.labeller);
      assert.equal((await lab('GET', '/api/model-endpoints')).status, 403);

      await card.getByRole('button', { name: 'Delete' }).click();
      await page.getByText('No model endpoints yet.').waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
