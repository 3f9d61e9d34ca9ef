// Webhooks e2e against the real binary and a loopback receiver: a
// coordinator registers an endpoint in the browser; the receiver verifies
// every signature (node:crypto, independent of the server's Go code), answers
// 500 three times then 200 and gets the event once; a restart mid-retry
// still delivers; the order of events is kept; the page shows each attempt's
// response code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { DEMO, axeViolations, formatViolations, launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';

let server;
let browser;
let receiver;
const hook = { secret: '', fail: 0, calls: [] };

function verify(secret, headers, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  if (!id || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const want = createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest();
  return (headers['webhook-signature'] ?? '').split(' ').some((s) => {
    const [v, b64] = s.split(',');
    const got = Buffer.from(b64 ?? '', 'base64');
    return v === 'v1' && got.length === want.length && timingSafeEqual(got, want);
  });
}

before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const ok = verify(hook.secret, req.headers, body);
      let status = ok ? 200 : 401;
      if (ok && hook.fail > 0) {
        hook.fail--;
        status = 500;
      }
      hook.calls.push({ id: req.headers['webhook-id'], status, body: JSON.parse(body.toString()) });
      res.writeHead(status).end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  server = await startServer({ env: { COPYHOLD_WEBHOOK_ALLOW_LOOPBACK: 'true', COPYHOLD_WEBHOOK_BACKOFF: '400ms,400ms,400ms,400ms,400ms' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => receiver?.close(r));
});

async function apiSession() {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: DEMO.coordinator.login, password: DEMO.coordinator.password }),
  });
  assert.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  return async (method, path, body) => {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Cookie: cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

async function until(what, fn, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}: ${JSON.stringify(hook.calls.map((c) => [c.id, c.status]))}`);
}

const accepted = () => hook.calls.filter((c) => c.status === 200);

describe('webhooks', () => {
  test('register in the browser; 500 three times then 200 delivers once; a restart mid-retry delivers; order kept', async () => {
    const call = await apiSession();
    const model = await call('POST', '/api/models', { name: 'webhook-e2e' });
    const project = async (name) => {
      const p = await call('POST', '/api/projects', {
        model_id: model.id, name, task_type: 'classification', overlap: 1,
        schema: { choices: [{ value: 'a' }, { value: 'b' }] },
      });
      await call('POST', `/api/projects/${p.id}/status`, { status: 'open' });
      return p;
    };
    const [p1, p2, p3] = [await project('hook-1'), await project('hook-2'), await project('hook-3')];

    const { context, page, problems } = await newPage(browser, server.url);
    try {
      await login(page, DEMO.coordinator.login, DEMO.coordinator.password);
      await page.goto('/admin/webhooks');
      await page.getByRole('heading', { name: 'Register an endpoint' }).waitFor();
      // A refused URL shows the server's error.
      await page.getByLabel('URL').fill(`${server.url}/api/health`);
      await page.getByLabel('project.completed').check();
      await page.getByRole('button', { name: 'Register' }).click();
      await page.getByText('this server itself').waitFor();
      const url = `http://127.0.0.1:${receiver.address().port}/hook`;
      await page.getByLabel('URL').fill(url);
      await page.getByRole('button', { name: 'Register' }).click();
      hook.secret = await page.getByLabel('Signing secret').inputValue();
      assert.match(hook.secret, /^whsec_/);

      // 500 three times, then 200: one delivery, the same webhook-id each time.
      hook.fail = 3;
      await call('POST', `/api/projects/${p1.id}/status`, { status: 'closed' });
      await until('the first delivery', () => accepted().length === 1);
      assert.equal(hook.calls.length, 4);
      assert.equal(new Set(hook.calls.map((c) => c.id)).size, 1);
      assert.equal(accepted()[0].body.type, 'project.completed');
      assert.equal(accepted()[0].body.data.project_id, p1.id);

      // The page lists the attempts with their response codes.
      const card = page.getByRole('region', { name: `Endpoint ${url}` });
      await card.getByRole('button', { name: 'Refresh attempts' }).click();
      await card.getByRole('cell', { name: '200 OK' }).waitFor();
      assert.equal(await card.getByRole('cell', { name: '500' }).count(), 3);
      const v = await axeViolations(page);
      assert.equal(v.length, 0, formatViolations(v));
      await screenshot(page, 'webhooks');

      // A restart mid-retry: the first attempt fails, the server stops and
      // starts again, and the message still arrives, once, before the next.
      hook.fail = 1;
      await call('POST', `/api/projects/${p2.id}/status`, { status: 'closed' });
      await until('the failed attempt', () => hook.calls.length === 5);
      await server.restart();
      const after = await apiSession();
      await after('POST', `/api/projects/${p3.id}/status`, { status: 'closed' });
      await until('both deliveries', () => accepted().length === 3);
      const ids = accepted().map((c) => c.id);
      assert.equal(new Set(ids).size, 3, `delivered twice: ${ids}`);
      assert.deepEqual(accepted().map((c) => c.body.data.project_id), [p1.id, p2.id, p3.id]);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
