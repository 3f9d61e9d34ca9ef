// Suggestions under the "after first answer" policy (issue 15): the
// workbench hides the model's suggestion until the labeller has answered,
// then reveals it with the difference; the labeller may change before
// submitting; the quality page shows the anchoring figures. The suggestions
// are seeded as an import's predictions, so no model server is needed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, formatViolations, launchBrowser, login, newPage, startServer } from './harness.mjs';
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

test('after_answer hides the suggestion until the labeller answers', async () => {
  const coord = await apiClient(server.url, DEMO.coordinator);
  const lab = await apiClient(server.url, DEMO.labeller);
  const p = await setupProject(coord, {
    name: 'suggest after answer',
    task_type: 'classification',
    schema: { field: 'text', choices: [{ value: 'pos', label: 'Positive' }, { value: 'neg', label: 'Negative' }] },
    items: [
      { data: { text: 'The soup was <b>lovely</b>' }, prediction: { choice: 'neg' } },
      { data: { text: 'Cold and late' }, prediction: { choice: 'neg' } },
    ],
    settings: { suggestion_policy: 'after_answer', suggestion_control_bp: 0 },
  });
  assert.equal(p.suggestion_policy, 'after_answer');

  const { context, page, problems } = await newPage(browser, server.url);
  try {
    await login(page, DEMO.labeller.login, DEMO.labeller.password);
    const claims = [];
    page.on('response', async (r) => {
      if (r.url().endsWith(`/api/projects/${p.id}/next`)) claims.push(await r.json().catch(() => ({})));
    });
    const first = await openWorkbench(page, p.id);
    // Nothing of the suggestion reached the browser or the screen.
    await page.getByText('The soup was <b>lovely</b>').waitFor(); // item text rendered as text
    assert.equal(await page.locator('[data-suggestion]').count(), 0);
    assert.ok(claims.length >= 1 && claims.every((c) => c.prediction === undefined && c.suggestion_policy === 'after_answer'), JSON.stringify(claims));
    assert.equal(await page.getByRole('button', { name: /Start again from the suggestion/ }).count(), 0);

    // The first answer reveals it, with the difference; the task stays.
    await page.keyboard.press('1');
    await page.keyboard.press('Enter');
    const reveal = page.locator('[data-suggestion="after_answer"]');
    await reveal.waitFor();
    const text = await reveal.innerText();
    assert.match(text, /Suggested by an imported prediction/);
    assert.match(text, /differs from your first answer/);
    assert.match(text, /Suggested: neg/);
    assert.match(text, /Only yours: pos/);
    assert.equal(await page.locator('.task[data-assignment]').getAttribute('data-assignment'), first);
    assert.equal((await mySubmissions(lab, p.id)).length, 0, 'nothing submitted before the labeller confirms');
    const v = await axeViolations(page);
    assert.deepEqual(v, [], formatViolations(v));

    // The labeller changes to the suggestion (P) and submits.
    await page.keyboard.press('p');
    await page.keyboard.press('Enter');
    await page.locator(`.task[data-assignment]:not([data-assignment="${first}"])`).waitFor();
    assert.equal(await page.locator('[data-suggestion]').count(), 0, 'the next task hides its suggestion again');

    // A first answer that equals the suggestion is submitted at once.
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await waitAllDone(page);
    const subs = await mySubmissions(lab, p.id);
    assert.equal(subs.length, 2);
    assert.ok(subs.every((s) => s.answer.choice === 'neg'), JSON.stringify(subs.map((s) => s.answer)));
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }

  // The quality page shows the anchoring figures.
  const q = await newPage(browser, server.url);
  try {
    await login(q.page, DEMO.coordinator.login, DEMO.coordinator.password);
    await q.page.goto(`/quality/${p.id}`);
    const sec = q.page.getByTestId('q-anchoring');
    await sec.waitFor({ timeout: 15_000 });
    assert.match(await q.page.getByTestId('q-anchor-shown').innerText(), /100\.0 %.*2 of 2/s);
    assert.match(await q.page.getByTestId('q-anchor-changed').innerText(), /100\.0 %.*1 of 1 that differed/s);
    assert.match(await sec.innerText(), /Shown after the labeller’s first answer/);
    assert.deepEqual(q.problems, []);
  } finally {
    await q.context.close();
  }
});

test('up_front pre-fills the suggestion and marks whose it is', async () => {
  const coord = await apiClient(server.url, DEMO.coordinator);
  const lab = await apiClient(server.url, DEMO.labeller);
  const p = await setupProject(coord, {
    name: 'suggest up front',
    task_type: 'classification',
    schema: { field: 'text', choices: [{ value: 'pos', label: 'Positive' }, { value: 'neg', label: 'Negative' }] },
    items: [{ data: { text: 'Warm welcome' }, prediction: { choice: 'pos' } }],
    settings: { suggestion_policy: 'up_front', suggestion_control_bp: 0 },
  });
  const { context, page, problems } = await newPage(browser, server.url);
  try {
    await login(page, DEMO.labeller.login, DEMO.labeller.password);
    await openWorkbench(page, p.id);
    const note = page.locator('[data-suggestion="up_front"]');
    await note.waitFor();
    assert.match(await note.innerText(), /Suggested by an imported prediction/);
    // Accepting it unchanged is one key: the answer is already there.
    await page.keyboard.press('Enter');
    await waitAllDone(page);
    const subs = await mySubmissions(lab, p.id);
    assert.equal(subs.length, 1);
    assert.equal(subs[0].answer.choice, 'pos');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
