// The API reference at /api/docs, in a real browser against the real binary:
// swagger-ui renders the served OpenAPI document under the server's strict
// CSP, from files the binary carries, and the page asks nothing of any other
// origin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, newPage, screenshot, startServer } from './harness.mjs';

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

describe('API reference', () => {
  test('/api/docs renders the document under the CSP and fetches nothing from elsewhere', async () => {
    const { context, page, problems } = await newPage(browser, server.url);
    const origin = new URL(server.url).origin;
    const requests = [];
    const failed = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => r.status() >= 400 && failed.push(`${r.url()}: ${r.status()}`));
    try {
      // A deep link: the reader renders what is on screen, and opens the operation the link names.
      const res = await page.goto('/api/docs#/webhooks/getWebhooksByidAttempts');
      assert.equal(res.status(), 200);
      assert.match(res.headers()['content-security-policy'] ?? '', /script-src 'self'/);
      await page.locator('.swagger-ui .info .title', { hasText: 'copyhold API' }).waitFor({ state: 'attached', timeout: 60_000 });
      const op = page.locator('#operations-webhooks-getWebhooksByidAttempts');
      await op.waitFor({ state: 'attached', timeout: 60_000 });
      // Open, with its paging parameters and its error codes.
      for (const text of ['cursor', 'invalid_cursor', 'rate_limited', 'webhook_not_found']) {
        await op.getByText(text).first().waitFor({ state: 'attached', timeout: 30_000 });
      }
      await screenshot(page, 'api-docs');

      const elsewhere = requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:'));
      assert.deepEqual(elsewhere, [], 'requests to other origins');
      assert.ok(requests.includes(`${origin}/api/openapi.json`), `the document was not fetched: ${requests.join(', ')}`);
      assert.deepEqual(failed, []);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
