// Workbench bugs of issue 18, one browser test each: spans without trailing
// spaces, unchanged rewrites and untouched rankings confirmed, the rubric
// error that clears, disputes with one reviewer, /work for new members, wide
// data pages, review settings without a zero date, /equity on a phone, the
// project editor switching task types, My work after a dispute, the live
// chart's history, and the snapshot picker by task type.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { axeViolations, formatViolations, launchBrowser, login, newPage, startServer } from './harness.mjs';
import { DEMO, apiClient, mySubmissions, openWorkbench, setupProject, waitAllDone } from './labelling-helpers.mjs';

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

function assertClean(problems) {
  assert.deepEqual(problems, [], `page reported problems:\n${problems.join('\n')}`);
}

async function axeClean(page, what) {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `${what}:\n${formatViolations(v)}`);
}

// Log in through the form once per member and reuse the cookies (logins are rate-limited).
const cookies = {};
async function pageAs(who, opts) {
  const p = await newPage(browser, server.url, opts);
  if (cookies[who.login]) await p.context.addCookies(cookies[who.login]);
  else {
    await login(p.page, who.login, who.password);
    cookies[who.login] = await p.context.cookies();
  }
  return p;
}

/** Claims the next task and submits an answer through the API; returns the submission. */
async function submitVia(client, projectId, answer) {
  const t = await client.call('POST', `/api/projects/${projectId}/next`);
  return client.call('POST', '/api/submissions', { lease_token: t.lease_token, idempotency_key: randomUUID(), answer, lead_time_ms: 1200 }, { expect: 201 });
}

/** The reviewer claims the project's next review and rejects every pending submission. */
async function rejectVia(client, projectId) {
  const t = await client.call('POST', `/api/projects/${projectId}/review/next`);
  const decisions = t.submissions.filter((s) => s.pending).map((s) => ({ submission_id: s.id, decision: 'reject', reason: t.reject_reasons[0], comment: 'Not what the item says.' }));
  return client.call('POST', '/api/review/decisions', { lease_token: t.lease_token, idempotency_key: randomUUID(), decisions });
}

async function acceptVia(client, projectId) {
  const t = await client.call('POST', `/api/projects/${projectId}/review/next`);
  const decisions = t.submissions.filter((s) => s.pending).map((s) => ({ submission_id: s.id, decision: 'accept' }));
  return client.call('POST', '/api/review/decisions', { lease_token: t.lease_token, idempotency_key: randomUUID(), decisions });
}

const CLASSES = { field: 'text', choices: [{ value: 'pos', label: 'Positive' }, { value: 'neg', label: 'Negative' }] };

/** Selects `len` UTF-16 units of the span box's text from `from` and lets go of the mouse. */
async function dragSelect(page, from, len) {
  await page.evaluate(
    ({ from, len }) => {
      const box = document.querySelector('[data-testid="span-text"]');
      const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
      const nodes = [];
      let at = 0;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        nodes.push({ n, start: at });
        at += n.textContent.length;
      }
      const find = (off) => nodes.find(({ n, start }) => off >= start && off <= start + n.textContent.length);
      const a = find(from);
      const b = find(from + len);
      const r = document.createRange();
      r.setStart(a.n, from - a.start);
      r.setEnd(b.n, from + len - b.start);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(r);
      box.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
    },
    { from, len },
  );
}

describe('labelling', () => {
  test('1. spans snap to words and drop the trailing space; a character-precise project keeps it', async () => {
    const text = 'Anna Schmidt met Tim Cook in Berlin.';
    const schema = { field: 'text', labels: [{ value: 'PER', label: 'Person' }, { value: 'LOC', label: 'Place' }] };
    const p = await setupProject(coord, { name: 'bug1 spans', task_type: 'spans', schema, items: [{ text }] });
    const { context, page, problems } = await pageAs(DEMO.labeller);
    try {
      await openWorkbench(page, p.id);
      // Ctrl+Shift+→ twice selects "Anna Schmidt " (to the next word's start).
      await page.keyboard.press('Control+Shift+ArrowRight');
      await page.keyboard.press('Control+Shift+ArrowRight');
      await page.keyboard.press('1');
      // A drag slightly past "Tim Cook", and one that starts and ends inside "Berlin".
      await dragSelect(page, text.indexOf('Tim'), 'Tim Cook '.length);
      await page.keyboard.press('1');
      await dragSelect(page, text.indexOf('erli'), 4);
      await page.keyboard.press('2');
      await axeClean(page, 'spans with chips');
      await page.keyboard.press('Enter');
      await waitAllDone(page);
      const [sub] = await mySubmissions(lab, p.id);
      assert.deepEqual(sub.answer.spans, [
        { start: 0, end: 12, label: 'PER', text: 'Anna Schmidt' },
        { start: 17, end: 25, label: 'PER', text: 'Tim Cook' },
        { start: 29, end: 35, label: 'LOC', text: 'Berlin' },
      ]);

      const precise = await setupProject(coord, { name: 'bug1 precise', task_type: 'spans', schema: { ...schema, character_precise: true }, items: [{ text }] });
      await openWorkbench(page, precise.id);
      await page.keyboard.press('Control+Shift+ArrowRight');
      await page.keyboard.press('1');
      await page.keyboard.press('Enter');
      await waitAllDone(page);
      const [exact] = await mySubmissions(lab, precise.id);
      assert.deepEqual(exact.answer.spans, [{ start: 0, end: 5, label: 'PER', text: 'Anna ' }]);
      assertClean(problems);
    } finally {
      await context.close();
    }
  });

  test('2. rewrite: Tab then Enter does not submit unchanged text; unchanged text needs an explicit confirmation', async () => {
    const p = await setupProject(coord, {
      name: 'bug2 rewrite',
      task_type: 'rewrite',
      schema: { field: 'response', prompt_field: 'prompt' },
      items: [{ prompt: 'Greet', response: 'hey you' }],
    });
    const { context, page, problems } = await pageAs(DEMO.labeller);
    try {
      await openWorkbench(page, p.id);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'rewrite-text', 'the text box has focus');
      await page.getByRole('button', { name: /^Shortcuts/ }).click();
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.waitFor();
      assert.doesNotMatch(await help.innerText(), /Go to the text box/);
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'detached' });
      await page.locator('#rewrite-text').focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      const ask = page.getByRole('alert').filter({ hasText: 'unchanged' });
      await ask.waitFor();
      assert.equal((await mySubmissions(lab, p.id)).length, 0, 'nothing was submitted');
      await ask.getByRole('button', { name: 'Submit it unchanged' }).click();
      await waitAllDone(page);
      const [sub] = await mySubmissions(lab, p.id);
      assert.equal(sub.answer.text, 'hey you');
      assertClean(problems);
    } finally {
      await context.close();
    }
  });

  test('3. ranking: shuffled per labeller and recorded, no internal ids, an untouched list needs confirmation', async () => {
    const resp = (i) => [
      { id: `r1`, text: `alpha ${i}` },
      { id: `r2`, text: `beta ${i}` },
      { id: `r3`, text: `gamma ${i}` },
      { id: `r4`, text: `delta ${i}` },
    ];
    const items = [1, 2, 3, 4].map((i) => ({ prompt: `Rank set ${i}`, responses: resp(i) }));
    const p = await setupProject(coord, { name: 'bug3 ranking', task_type: 'ranking', schema: { allow_ties: true }, items });
    const { context, page, problems } = await pageAs(DEMO.labeller);
    try {
      const orders = [];
      for (let n = 0; n < items.length; n++) {
        const before = (await mySubmissions(lab, p.id)).length;
        await openWorkbench(page, p.id);
        const shown = await page.locator('.rank-text').allInnerTexts();
        assert.doesNotMatch(await page.locator('.task').innerText(), /\br[1-4]\b/, 'internal ids are hidden');
        orders.push(shown.map((t) => t.split(' ')[0]).join(','));
        await page.keyboard.press('Enter');
        const ask = page.getByRole('alert').filter({ hasText: 'not moved' });
        await ask.waitFor();
        assert.equal((await mySubmissions(lab, p.id)).length, before, 'an untouched ranking is not sent on Enter');
        await ask.getByRole('button', { name: 'Submit the order as shown' }).click();
        await page.waitForFunction((n) => document.querySelector('.wb-progress strong')?.textContent === String(n), before + 1);
      }
      await waitAllDone(page);
      assert.ok(orders.some((o) => o !== 'alpha,beta,gamma,delta'), `some list is shuffled: ${orders.join(' | ')}`);
      for (const s of await mySubmissions(lab, p.id)) {
        assert.equal(s.answer.shown_order.length, 4);
        assert.deepEqual(s.answer.ranking.flat(), s.answer.shown_order, 'submitted as shown');
      }
      assertClean(problems);
    } finally {
      await context.close();
    }
  });

  test('4. rubric: the "Score …" error goes once every criterion is scored', async () => {
    const p = await setupProject(coord, {
      name: 'bug4 rubric',
      task_type: 'rubric',
      schema: { criteria: [{ id: 'helpful', label: 'Helpfulness' }, { id: 'honest', label: 'Honesty' }, { id: 'harmless', label: 'Harmlessness' }], rationale: 'off' },
      items: [{ prompt: 'Boil an egg?', response: 'Seven minutes.' }],
    });
    const { context, page, problems } = await pageAs(DEMO.labeller);
    try {
      await openWorkbench(page, p.id);
      await page.keyboard.press('Enter');
      const err = page.getByRole('alert').filter({ hasText: 'Score Helpfulness, Honesty, Harmlessness.' });
      await err.waitFor();
      await page.keyboard.press('4');
      await page.getByRole('alert').filter({ hasText: 'Score Honesty, Harmlessness.' }).waitFor();
      await page.keyboard.press('4');
      await page.keyboard.press('5');
      await page.getByRole('alert').filter({ hasText: /^Score / }).waitFor({ state: 'detached' });
      await page.keyboard.press('Enter');
      await waitAllDone(page);
      assertClean(problems);
    } finally {
      await context.close();
    }
  });
});

describe('review and my work', () => {
  test('5 and 11. a dispute with one reviewer says who can take it and tells the coordinator; My work updates live and keeps the history', async () => {
    const p = await setupProject(coord, { name: 'bug5 dispute', task_type: 'classification', schema: CLASSES, items: [{ text: 'Cold food, kind staff' }] });
    const sub = await submitVia(lab, p.id, { choice: 'pos' });
    await rejectVia(rev, p.id);
    await lab.call('POST', `/api/submissions/${sub.id}/dispute`, { comment: 'The staff part is positive.' });

    // The reviewer who rejected it cannot take it, and is told why and who can.
    const r = await pageAs(DEMO.reviewer);
    try {
      await r.page.goto(`/review/p/${p.id}`);
      await r.page.getByRole('heading', { name: 'Nothing to review here right now' }).waitFor();
      const why = r.page.getByTestId('queue-not-for-you');
      await why.filter({ hasText: '1 dispute waits for another reviewer' }).waitFor();
      await why.filter({ hasText: 'No other reviewer can take it' }).waitFor();
      assert.doesNotMatch(await r.page.locator('.wb-progress').innerText(), /1 more waiting/);
      await axeClean(r.page, 'review empty with a blocked dispute');
      assertClean(r.problems);
    } finally {
      await r.context.close();
    }

    // The coordinator is told that no eligible reviewer exists.
    const c = await pageAs(DEMO.coordinator);
    try {
      await c.page.goto(`/quality/${p.id}`);
      await c.page.getByTestId('no-eligible-reviewer').filter({ hasText: '1 item waits with no reviewer who may take it' }).waitFor();
      assertClean(c.problems);
    } finally {
      await c.context.close();
    }

    // My work is open while a second reviewer decides the dispute: it updates live.
    const l = await pageAs(DEMO.labeller);
    try {
      await l.page.goto('/work/mine');
      const card = l.page.locator('tbody.sub').filter({ hasText: `item ${sub.item_id}` }).filter({ hasText: 'bug5 dispute' });
      await card.getByText('Disputed — waiting for a final decision').waitFor();
      const meC = await coord.call('GET', '/api/me');
      await coord.call('POST', `/api/members/${meC.id}/roles`, { role: 'reviewer' });
      await acceptVia(coord, p.id);
      await card.getByText('Accepted', { exact: true }).waitFor({ timeout: 10_000 });
      // After a reload the whole history is still there.
      await l.page.reload();
      await card.getByRole('button', { name: /^Show details of / }).click();
      const hist = card.getByRole('list', { name: 'Review history' });
      await hist.getByText(/Rejected/).waitFor();
      await hist.getByText('Not what the item says.').waitFor();
      await hist.getByText(/You disputed it/).waitFor();
      await hist.getByText('The staff part is positive.').waitFor();
      await hist.getByText(/Accepted on dispute \(final\)/).waitFor();
      await axeClean(l.page, 'my work with history');
      assertClean(l.problems);
    } finally {
      await l.context.close();
      const meC = await coord.call('GET', '/api/me');
      await coord.call('DELETE', `/api/members/${meC.id}/roles/reviewer`, undefined, { expect: 204 }).catch(() => {});
    }
  });

  test('6. a new member is offered only the projects they are in', async () => {
    const mine = await setupProject(coord, { name: 'bug6 member project', task_type: 'classification', schema: CLASSES, items: [{ text: 'x' }], settings: { add_all_members: false } });
    const inv = await coord.call('POST', '/api/invites', { roles: ['labeller', 'reviewer'], note: 'bug6' }, { expect: 201 });
    const fresh = await newPage(browser, server.url);
    try {
      const page = fresh.page;
      await page.goto(new URL(inv.url).pathname);
      await page.getByLabel('Login', { exact: true }).fill('bugsix');
      await page.getByLabel('Display name', { exact: true }).fill('Bug Six');
      await page.getByLabel('Password', { exact: true }).fill('a-long-enough-password');
      await page.getByRole('button', { name: 'Join copyhold' }).click();
      await page.waitForURL((u) => u.pathname === '/work', { timeout: 10_000 });
      await page.getByRole('heading', { name: 'Nothing to label yet' }).waitFor();
      assert.equal(await page.getByRole('link', { name: /^Start labelling/ }).count(), 0, 'no project is offered');
      // Added to one project, the member sees that one.
      const members = await coord.call('GET', '/api/members?limit=100');
      const me = members.items.find((m) => m.login === 'bugsix');
      await coord.call('POST', `/api/projects/${mine.id}/members`, { member_id: me.id });
      await page.reload();
      // The card says what the work pays and how much is left before it starts.
      const pay = page.getByTestId(`pay-${mine.id}`);
      await pay.getByText(/units per accepted task/).waitFor();
      await pay.getByText('1 task for you').waitFor();
      await axeClean(page, 'project cards with pay');
      await page.getByRole('link', { name: 'Start labelling bug6 member project' }).click();
      await page.locator('.task[data-assignment]').waitFor();
      assertClean(fresh.problems);
    } finally {
      await fresh.context.close();
    }
  });
});

describe('coordinator pages', () => {
  test('7. data pages use the full width at 1440 px', async () => {
    const p = await setupProject(coord, { name: 'bug7 wide', task_type: 'classification', schema: CLASSES, items: [{ text: 'a' }] });
    const c = await pageAs(DEMO.coordinator, { viewport: { width: 1440, height: 900 } });
    try {
      for (const path of [`/quality/${p.id}`, '/datasets', '/datasets/leaderboard', '/equity/statement', '/equity/register']) {
        await c.page.goto(path);
        await c.page.locator('main h1').waitFor();
        const { main, body } = await c.page.evaluate(() => ({ main: document.querySelector('main').getBoundingClientRect().width, body: document.querySelector('.body').getBoundingClientRect().width }));
        const nav = await c.page.evaluate(() => document.querySelector('.side-nav')?.getBoundingClientRect().width ?? 0);
        assert.ok(main >= body - nav - 2, `${path}: main is ${main}px of ${body - nav}px`);
      }
      assertClean(c.problems);
    } finally {
      await c.context.close();
    }
  });

  test('8. review settings of a new project show no zero date', async () => {
    const p = await setupProject(coord, { name: 'bug8 settings', task_type: 'classification', schema: CLASSES, items: [{ text: 'a' }] });
    const s = await coord.call('GET', `/api/projects/${p.id}/review-settings`);
    assert.equal(s.updated_at, undefined, 'no updated_at before anyone changes them');
    // Reviewers read the settings (coordinators get the form).
    const c = await pageAs(DEMO.reviewer);
    try {
      await c.page.goto(`/quality/${p.id}`);
      await c.page.getByText('Review settings').first().waitFor();
      await c.page.getByText('Never changed: the defaults').waitFor();
      assert.doesNotMatch(await c.page.locator('main').innerText(), /Jan 1, 1\b|0001/);
      assertClean(c.problems);
    } finally {
      await c.context.close();
    }
  });

  test('9. /equity fits a 390 px phone', async () => {
    const l = await pageAs(DEMO.labeller, { viewport: { width: 390, height: 844 } });
    try {
      await l.page.goto('/equity');
      await l.page.locator('main h1').waitFor();
      await l.page.waitForLoadState('networkidle');
      const r = await l.page.evaluate(() => {
        const de = document.documentElement;
        const cut = [...document.querySelectorAll('main button, main a, main [role="tab"]')]
          .filter((e) => e.getClientRects().length > 0)
          .map((e) => ({ t: e.textContent.trim().slice(0, 30), r: e.getBoundingClientRect().right }))
          .filter((x) => x.r > de.clientWidth + 1);
        return { sw: de.scrollWidth, cw: de.clientWidth, cut };
      });
      assert.ok(r.sw <= r.cw, `page scrolls sideways: ${r.sw} > ${r.cw}`);
      assert.deepEqual(r.cut, [], 'nothing is cut off');
      assertClean(l.problems);
    } finally {
      await l.context.close();
    }
  });

  test('390 px: no page of any role scrolls sideways, and axe finds nothing serious', async () => {
    const p = await setupProject(coord, { name: 'phone sweep', task_type: 'classification', schema: CLASSES, items: [{ text: 'a' }, { text: 'b' }] });
    await submitVia(lab, p.id, { choice: 'pos' });
    const pages = {
      labeller: ['/work', '/work/mine', '/work/quality', `/work/p/${p.id}`, '/equity', '/equity/statement', '/equity/transfer', '/equity/register', '/votes', '/votes/constitution', '/datasets/mine', '/account'],
      reviewer: ['/review', `/review/p/${p.id}`, '/quality', `/quality/${p.id}`],
      coordinator: ['/admin', '/admin/projects', `/admin/projects/${p.id}`, `/admin/projects/${p.id}/edit`, '/admin/projects/new', '/datasets', '/datasets/leaderboard', '/equity/govern', '/votes/new'],
    };
    for (const [role, paths] of Object.entries(pages)) {
      const x = await pageAs(DEMO[role], { viewport: { width: 390, height: 844 } });
      try {
        for (const path of paths) {
          await x.page.goto(path);
          await x.page.locator('main h1').waitFor();
          await x.page.waitForLoadState('networkidle');
          const r = await x.page.evaluate(() => {
            const cw = document.documentElement.clientWidth;
            // What sticks out, outside the scrollers meant to scroll (for the message).
            const wide = [...document.querySelectorAll('main *')]
              .filter((e) => e.getBoundingClientRect().right > cw + 1 && !e.closest('.table-wrap, .side-nav'))
              .slice(0, 5)
              .map((e) => `${e.tagName.toLowerCase()}.${e.className} "${(e.textContent ?? '').trim().slice(0, 40)}"`);
            return { sw: document.documentElement.scrollWidth, cw, wide };
          });
          assert.ok(r.sw <= r.cw, `${role} ${path} scrolls sideways: ${r.sw} > ${r.cw}: ${r.wide.join(' | ')}`);
          await axeClean(x.page, `${role} ${path} at 390 px`);
        }
        assertClean(x.problems);
      } finally {
        await x.context.close();
      }
    }
  });

  test('10. the project editor switches through every task type without an error', async () => {
    const c = await pageAs(DEMO.coordinator);
    try {
      const page = c.page;
      await page.goto('/admin/projects/new');
      await page.getByRole('heading', { level: 1, name: 'New project' }).waitFor();
      const preview = page.getByRole('region', { name: "Live preview of the labeller's view" });
      for (const t of ['rubric', 'multilabel', 'ranking', 'spans', 'classification', 'multilabel', 'pairwise', 'rewrite', 'moderation', 'multilabel']) {
        await page.getByLabel('Task type').selectOption(t);
        await page.getByText('The schema is valid.').waitFor();
        await page.waitForTimeout(150);
        assert.equal(await preview.getByText('The preview cannot render this schema.').count(), 0, `preview of ${t}`);
      }
      await preview.getByRole('checkbox', { name: /Billing/ }).waitFor();
      assertClean(c.problems);
    } finally {
      await c.context.close();
    }
  });

  test('12. the live chart counts answers submitted before the page was opened', async () => {
    const p = await setupProject(coord, { name: 'bug12 live', task_type: 'classification', schema: CLASSES, items: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] });
    for (let i = 0; i < 3; i++) await submitVia(lab, p.id, { choice: 'pos' });
    const c = await pageAs(DEMO.coordinator);
    try {
      await c.page.goto(`/admin/projects/${p.id}`);
      await c.page.getByTestId('live-rate').filter({ hasText: /^3 answers submitted/ }).waitFor();
      assertClean(c.problems);
    } finally {
      await c.context.close();
    }
  });

  test('13. the snapshot picker groups projects by task type and never mixes them', async () => {
    const model = await coord.call('POST', '/api/models', { name: `bug13 model`, base_model: 'none', description: '' });
    const mk = (name, task_type, schema) => coord.call('POST', '/api/projects', { model_id: model.id, name, task_type, schema, overlap: 1, add_all_members: false });
    await mk('bug13 sentiment', 'classification', CLASSES);
    await mk('bug13 entities', 'spans', { labels: [{ value: 'PER' }] });
    const c = await pageAs(DEMO.coordinator);
    try {
      const page = c.page;
      await page.goto('/datasets');
      await page.locator('#ds-model').selectOption({ label: 'bug13 model' });
      const cls = page.getByRole('group', { name: /Classification/ });
      const spans = page.getByRole('group', { name: /Text spans/ });
      await cls.getByRole('checkbox', { name: /bug13 sentiment/ }).check();
      assert.equal(await spans.getByRole('checkbox', { name: /bug13 entities/ }).isDisabled(), true, 'another task type cannot be ticked');
      await page.getByText('A snapshot holds one task type').waitFor();
      await axeClean(page, 'snapshot picker');
      assertClean(c.problems);
    } finally {
      await c.context.close();
    }
  });
});
