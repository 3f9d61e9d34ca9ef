// Helpers for the labelling e2e tests: API clients with bearer tokens and
// project setup through the real API.
import assert from 'node:assert/strict';
import { DEMO } from './harness.mjs';

/** Logs in with Node fetch, mints a personal token, returns a tiny client. */
export async function apiClient(baseUrl, who) {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: who.login, password: who.password }),
  });
  assert.equal(res.status, 200, `login ${who.login}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const t = await fetch(`${baseUrl}/api/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: JSON.stringify({ name: `e2e-${Date.now()}` }),
  });
  assert.equal(t.status, 201, `token: ${await t.clone().text()}`);
  const { token } = await t.json();
  async function call(method, path, body, { raw = false, expect } = {}) {
    const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    let payload;
    if (body !== undefined) {
      if (raw) {
        headers['Content-Type'] = 'application/octet-stream';
        payload = body;
      } else {
        headers['Content-Type'] = 'application/json';
        payload = JSON.stringify(body);
      }
    }
    const r = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
    const text = await r.text();
    const json = text ? JSON.parse(text) : undefined;
    if (expect !== undefined) assert.equal(r.status, expect, `${method} ${path}: ${r.status} ${text}`);
    else assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
    return json;
  }
  return { token, call };
}

let modelId;
/** Creates (once) a model, then a project with every labeller, imports items and opens it. */
export async function setupProject(coord, { name, task_type, schema, instructions = '', items, settings = {} }) {
  if (!modelId) modelId = (await coord.call('POST', '/api/models', { name: `e2e model ${Date.now()}`, base_model: 'none', description: '' })).id;
  const p = await coord.call('POST', '/api/projects', {
    model_id: modelId,
    name,
    task_type,
    schema,
    instructions,
    overlap: 1,
    lease_seconds: 600,
    ordering: 'priority',
    random_seed: 0,
    gold_rate_bp: 0,
    stint: 0,
    add_all_members: true,
    ...settings,
  });
  const body = items.map((it) => JSON.stringify(it)).join('\n') + '\n';
  const rep = await coord.call('POST', `/api/projects/${p.id}/imports?format=jsonl&filename=items.jsonl`, body, { raw: true, expect: 201 });
  assert.equal(rep.imported, items.length, `imported: ${JSON.stringify(rep)}`);
  await coord.call('POST', `/api/projects/${p.id}/status`, { status: 'open' });
  return p;
}

export async function mySubmissions(lab, projectId) {
  return (await lab.call('GET', `/api/me/submissions?project_id=${projectId}&limit=50`)).items ?? [];
}

/** Opens the workbench and waits until a task is on screen; returns its assignment id. */
export async function openWorkbench(page, projectId) {
  await page.goto(`/work/p/${projectId}`);
  const task = page.locator('.task[data-assignment]');
  await task.waitFor({ timeout: 15_000 });
  return task.getAttribute('data-assignment');
}

export async function waitAllDone(page) {
  await page.getByRole('heading', { name: 'All done here' }).waitFor({ timeout: 15_000 });
}

/** Presses Tab (or key, e.g. Shift+Tab) until the focused element's name (aria-label, label or text) matches. */
export async function tabTo(page, re, max = 150, key = 'Tab') {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const name = await page.evaluate(() => {
      const a = document.activeElement;
      if (!a) return '';
      return (a.getAttribute('aria-label') || a.labels?.[0]?.textContent || a.textContent || '').trim();
    });
    if (re.test(name)) return;
  }
  throw new Error(`could not Tab to ${re}`);
}

export { DEMO };
