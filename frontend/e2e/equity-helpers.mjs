// Helpers shared by the equity and live e2e tests: a project on the demo model
// (so units land in "coop-assistant-v1"), submissions and review decisions
// through the real API.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { login, newPage } from './harness.mjs';

export const SCHEMA = { field: 'text', choices: [{ value: 'pos', label: 'Positive', hotkey: '1' }, { value: 'neg', label: 'Negative', hotkey: '2' }] };

/** The demo model's id (coop-assistant-v1). */
export async function demoModel(coord) {
  const { items: models } = await coord.call('GET', '/api/models?limit=100');
  const m = models.find((x) => x.name === 'coop-assistant-v1');
  assert.ok(m, `demo model missing: ${JSON.stringify(models)}`);
  return m;
}

/** A classification project on the demo model: overlap 1, every member, open, auto-accept off. */
export async function projectOnDemoModel(coord, name, texts) {
  const model = await demoModel(coord);
  const p = await coord.call('POST', '/api/projects', {
    model_id: model.id,
    name,
    task_type: 'classification',
    schema: SCHEMA,
    instructions: '',
    overlap: 1,
    lease_seconds: 600,
    ordering: 'priority',
    random_seed: 0,
    gold_rate_bp: 0,
    stint: 0,
    add_all_members: true,
  });
  const body = texts.map((text) => JSON.stringify({ text })).join('\n') + '\n';
  const rep = await coord.call('POST', `/api/projects/${p.id}/imports?format=jsonl&filename=items.jsonl`, body, { raw: true, expect: 201 });
  assert.equal(rep.imported, texts.length);
  const settings = await coord.call('GET', `/api/projects/${p.id}/review-settings`);
  if (settings.auto_accept) await coord.call('PATCH', `/api/projects/${p.id}/review-settings`, { auto_accept: false });
  await coord.call('POST', `/api/projects/${p.id}/status`, { status: 'open' });
  return { project: p, model };
}

/** Claims and submits one task through the API; returns the submission. */
export async function submitOne(client, projectId, choice = 'pos') {
  const t = await client.call('POST', `/api/projects/${projectId}/next`);
  return client.call('POST', '/api/submissions', { lease_token: t.lease_token, idempotency_key: randomUUID(), answer: { choice }, lead_time_ms: 1500 }, { expect: 201 });
}

/** The reviewer claims the next review and accepts every pending submission. */
export async function acceptNext(reviewer, projectId) {
  const r = await reviewer.call('POST', `/api/projects/${projectId}/review/next`);
  const pending = r.submissions.filter((s) => s.pending);
  assert.ok(pending.length > 0, 'a pending submission to review');
  await reviewer.call('POST', '/api/review/decisions', {
    lease_token: r.lease_token,
    idempotency_key: randomUUID(),
    decisions: pending.map((s) => ({ submission_id: s.id, decision: 'accept' })),
  });
  return r;
}

// Logins are rate-limited: log in through the form once per member, reuse the cookies.
const cookies = new Map();
export async function pageAs(browser, baseURL, who, opts) {
  const p = await newPage(browser, baseURL, opts);
  const key = `${baseURL}|${who.login}`;
  if (cookies.has(key)) await p.context.addCookies(cookies.get(key));
  else {
    await login(p.page, who.login, who.password);
    cookies.set(key, await p.context.cookies());
  }
  return p;
}

/**
 * Proposes a change and passes it: every voter votes yes through the API,
 * then `copyhold proposal close-due --at` closes it as if its deadline had
 * passed. Returns the closed proposal.
 */
export async function passProposal(server, proposer, voters, { title, reason, change }) {
  const p = await proposer.call('POST', '/api/proposals', { title, reason, change, idempotency_key: randomUUID() }, { expect: 201 });
  for (const v of voters) await v.call('POST', `/api/proposals/${p.id}/votes`, { choice: 'yes' });
  const at = new Date(Date.parse(p.closes_at) + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await server.cli(['proposal', 'close-due', '--at', at]);
  return proposer.call('GET', `/api/proposals/${p.id}`);
}
