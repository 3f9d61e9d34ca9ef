// Review e2e: labellers submit; a reviewer, keyboard only, accepts one,
// rejects one (with a reason and comment) and corrects one; the labeller sees
// each outcome in My work and disputes the rejection; another reviewer
// decides the dispute. Also: two submissions side by side with their
// disagreement, a lost lease said plainly, the quality pages, and axe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { axeViolations, formatViolations, launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient, mySubmissions, setupProject } from './labelling-helpers.mjs';

let server;
let browser;
let coord;
let lab;
let lab2;
let rev;

const LAB2 = { login: 'labeller2', password: DEMO.labeller.password };
const SCHEMA = { field: 'text', choices: [{ value: 'pos', label: 'Positive' }, { value: 'neg', label: 'Negative' }] };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  coord = await apiClient(server.url, DEMO.coordinator);
  lab = await apiClient(server.url, DEMO.labeller);
  lab2 = await apiClient(server.url, LAB2);
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

/** Claims the next task and submits an answer through the API; returns the submission. */
async function submitVia(client, projectId, answerFor) {
  const t = await client.call('POST', `/api/projects/${projectId}/next`);
  return client.call('POST', '/api/submissions', { lease_token: t.lease_token, idempotency_key: randomUUID(), answer: answerFor(t.data), lead_time_ms: 1200 }, { expect: 201 });
}

// Log in through the form once per member and reuse the cookies (logins are rate-limited).
const cookies = {};
async function pageAs(who) {
  const p = await newPage(browser, server.url);
  if (cookies[who.login]) await p.context.addCookies(cookies[who.login]);
  else {
    await login(p.page, who.login, who.password);
    cookies[who.login] = await p.context.cookies();
  }
  return p;
}

/** Waits until the review screen shows an item and returns its text. */
async function currentItem(page) {
  const item = page.locator('.rv-item[data-review-id]');
  await item.waitFor({ timeout: 15_000 });
  return { id: await item.getAttribute('data-review-id'), text: await item.locator('.item-block .item-text').first().innerText() };
}

describe('review', () => {
  let projectId;

  test('a reviewer accepts, rejects and corrects with the keyboard; the labeller sees every outcome and disputes the rejection', async () => {
    const p = await setupProject(coord, {
      name: 'Review flow',
      task_type: 'classification',
      schema: SCHEMA,
      items: [{ text: 'I love this place' }, { text: 'Terrible, cold food' }, { text: 'Not good at all' }],
    });
    projectId = p.id;
    // Everything is reviewed (auto-accept is off by default); check it is.
    const settings = await coord.call('GET', `/api/projects/${projectId}/review-settings`);
    assert.equal(settings.auto_accept, false);
    for (let i = 0; i < 3; i++) await submitVia(lab, projectId, () => ({ choice: 'pos' }));

    const r = await pageAs(DEMO.reviewer);
    const page = r.page;
    try {
      await page.goto('/review');
      await page.getByRole('heading', { level: 1, name: 'Review' }).waitFor();
      await page.getByTestId(`queue-${projectId}`).filter({ hasText: '3 waiting for review' }).waitFor();
      await axeClean(page, 'review home');
      await page.getByRole('link', { name: 'Start reviewing Review flow' }).click();

      const seen = new Set();
      for (let n = 0; n < 3; n++) {
        const { id, text } = await currentItem(page);
        assert.ok(!seen.has(id), 'a new review each time');
        seen.add(id);
        if (n === 0) {
          await axeClean(page, 'review screen');
          await screenshot(page, 'review-screen');
          // The shortcut help opens with ? and closes with Esc.
          await page.keyboard.press('?');
          await page.getByRole('dialog', { name: 'Review shortcuts' }).waitFor();
          await axeClean(page, 'review shortcuts');
          await page.keyboard.press('Escape');
          await page.getByRole('dialog').waitFor({ state: 'detached' });
        }
        // Enter does nothing useful before every pending submission is decided.
        await page.keyboard.press('Enter');
        await page.getByRole('alert').filter({ hasText: 'Decide every pending submission first' }).waitFor();
        if (text.includes('love')) {
          await page.keyboard.press('a');
          await page.locator('.rv-decision').filter({ hasText: 'Accept' }).waitFor();
        } else if (text.includes('Terrible')) {
          await page.keyboard.press('r');
          const dlg = page.getByRole('dialog', { name: /Reject submission 1/ });
          await dlg.waitFor();
          await axeClean(page, 'reject dialog');
          await page.keyboard.press('1'); // wrong_label
          await page.keyboard.type('It complains about the food.');
          await page.keyboard.press('Enter');
          await dlg.waitFor({ state: 'detached' });
          await page.locator('.rv-decision').filter({ hasText: 'Reject: Wrong label' }).waitFor();
        } else {
          await page.keyboard.press('c');
          const dlg = page.getByRole('dialog', { name: /Correct submission 1/ });
          await dlg.waitFor();
          await dlg.getByRole('radio', { name: /Negative/ }).waitFor();
          await axeClean(page, 'correct dialog');
          await page.keyboard.press('2'); // the editor's own key: Negative
          assert.equal(await dlg.getByRole('radio', { name: /Negative/ }).isChecked(), true);
          await page.keyboard.press('Enter');
          await dlg.waitFor({ state: 'detached' });
          await page.locator('.rv-decision').filter({ hasText: 'Correct' }).waitFor();
        }
        await page.keyboard.press('Enter');
        await page.getByRole('status').filter({ hasText: /^Sent for item/ }).waitFor();
        if (n < 2) await page.waitForFunction((prev) => document.querySelector('.rv-item')?.getAttribute('data-review-id') !== prev, id);
      }
      await page.getByRole('heading', { name: 'Nothing to review here right now' }).waitFor();
      assertClean(r.problems);
    } finally {
      await r.context.close();
    }

    const subs = await mySubmissions(lab, projectId);
    const byText = Object.fromEntries(subs.map((s) => [s.data.text, s]));
    assert.equal(byText['I love this place'].status, 'accepted');
    assert.equal(byText['Terrible, cold food'].status, 'rejected');
    assert.equal(byText['Terrible, cold food'].reason, 'wrong_label');
    assert.equal(byText['Terrible, cold food'].review_comment, 'It complains about the food.');
    assert.equal(byText['Not good at all'].status, 'corrected');
    assert.deepEqual(byText['Not good at all'].corrected_answer, { choice: 'neg' });

    // The labeller sees each outcome and disputes the rejection, once.
    const l = await pageAs(DEMO.labeller);
    try {
      const lp = l.page;
      await lp.goto('/work/mine');
      await lp.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
      // My work names items by project and id.
      const card = (t) => lp.locator('tbody.sub').filter({ has: lp.getByRole('rowheader', { name: `Review flow · item ${byText[t].item_id}`, exact: true }) });
      await card('I love this place').getByText('Accepted', { exact: true }).waitFor();
      const rejected = card('Terrible, cold food');
      // The line names the reason; its detail opens with Space on the disclosure button.
      await rejected.locator('.mw-reason').filter({ hasText: 'Wrong label' }).waitFor();
      await rejected.getByRole('button', { name: /^Show details of / }).focus();
      await lp.keyboard.press(' ');
      await rejected.getByText('Reason: Wrong label').waitFor();
      await rejected.getByText('Reviewer’s comment: It complains about the food.').waitFor();
      const corrected = card('Not good at all');
      await corrected.getByText('Corrected by a reviewer').waitFor();
      await corrected.getByRole('button', { name: /^Show details of / }).click();
      const diff = corrected.getByRole('region', { name: /Reviewer’s correction/ });
      await diff.locator('del.diff-del').filter({ hasText: 'pos' }).waitFor();
      await diff.locator('ins.diff-add').filter({ hasText: 'neg' }).waitFor();
      await axeClean(lp, 'my work with outcomes');
      await screenshot(lp, 'my-work-outcomes');

      await rejected.getByRole('button', { name: 'Dispute this rejection' }).click();
      // An empty comment is refused before anything is sent.
      await rejected.getByRole('button', { name: 'Send dispute' }).click();
      await rejected.getByRole('alert').filter({ hasText: 'Say why' }).waitFor();
      await rejected.getByLabel('Why is the rejection wrong?').fill('“Cold food” is the only complaint; the rest is praise.');
      await axeClean(lp, 'dispute form');
      await rejected.getByRole('button', { name: 'Send dispute' }).click();
      await lp.getByText('Your dispute was sent.').waitFor();
      await rejected.getByText('Disputed — waiting for a final decision').waitFor();
      assert.equal(await rejected.getByRole('button', { name: 'Dispute this rejection' }).count(), 0, 'a dispute is offered once');

      await lp.goto(`/work/quality?project=${projectId}`);
      await lp.getByRole('heading', { level: 1, name: 'My quality' }).waitFor();
      await lp.getByTestId('gold-standing').waitFor();
      await lp.getByTestId('mq-acceptance').waitFor();
      await axeClean(lp, 'my quality');
      await screenshot(lp, 'my-quality');
      assertClean(l.problems);
    } finally {
      await l.context.close();
    }
    assert.equal((await mySubmissions(lab, projectId)).find((s) => s.data.text === 'Terrible, cold food').status, 'disputed');

    // The reviewer who rejected it is never offered the dispute.
    await rev.call('POST', `/api/projects/${projectId}/review/next`, undefined, { expect: 404 });

    // A second reviewer (the coordinator, given the role) decides the dispute: final.
    const meC = await coord.call('GET', '/api/me');
    await coord.call('POST', `/api/members/${meC.id}/roles`, { role: 'reviewer' });
    const c = await pageAs(DEMO.coordinator);
    try {
      const cp = c.page;
      await cp.goto(`/review/p/${projectId}`);
      await currentItem(cp);
      await cp.getByRole('note', { name: 'Dispute' }).getByText('“Cold food” is the only complaint; the rest is praise.').waitFor();
      await axeClean(cp, 'dispute review');
      // C is refused on a dispute; A accepts; Enter sends.
      await cp.keyboard.press('c');
      await cp.getByRole('alert').filter({ hasText: 'cannot be corrected' }).waitFor();
      await cp.keyboard.press('a');
      await cp.keyboard.press('Enter');
      await cp.getByRole('status').filter({ hasText: /^Sent for item/ }).waitFor();
      assertClean(c.problems);
    } finally {
      await c.context.close();
    }
    const after = (await mySubmissions(lab, projectId)).find((s) => s.data.text === 'Terrible, cold food');
    assert.equal(after.status, 'accepted');
    assert.equal(after.decision_final, true);
  });

  test('two submissions side by side with their disagreement; a lost lease is said plainly; the same item comes back', async () => {
    const p = await setupProject(coord, {
      name: 'Two voices',
      task_type: 'classification',
      schema: SCHEMA,
      items: [{ text: 'Fine, I guess' }],
      settings: { overlap: 2 },
    });
    await submitVia(lab, p.id, () => ({ choice: 'pos' }));
    await submitVia(lab2, p.id, () => ({ choice: 'neg' }));

    const r = await pageAs(DEMO.reviewer);
    const page = r.page;
    try {
      await page.goto(`/review/p/${p.id}`);
      const { id } = await currentItem(page);
      const cards = page.locator('.rv-sub[data-submission]');
      assert.equal(await cards.count(), 2);
      await page.getByText('The answers differ.').waitFor();
      assert.equal(await page.locator('.rv-sub .rv-differs').count(), 2, 'each differing choice is marked');
      await cards.nth(0).getByText('Positive').waitFor();
      await cards.nth(1).getByText('Negative').waitFor();
      await axeClean(page, 'review with two submissions');
      await screenshot(page, 'review-two');

      // j/k move between submissions; a decides the selected one.
      await page.keyboard.press('j');
      await page.locator('.rv-sub-sel').nth(0).getByText('Submission 2').waitFor();
      await page.keyboard.press('a');
      await page.keyboard.press('k');
      await page.locator('.rv-sub-sel').getByText('Submission 1').waitFor();
      await page.keyboard.press('a');
      await page.getByText('Every pending submission is decided.').waitFor();

      // Someone hands the lease back behind the page's back: sending says so plainly.
      const held = await rev.call('POST', `/api/projects/${p.id}/review/next`);
      assert.equal(String(held.review_id), id);
      await rev.call('POST', '/api/review/release', { lease_token: held.lease_token }, { expect: 204 });
      await page.keyboard.press('Enter');
      await page.getByRole('alert').filter({ hasText: 'Your hold on this item has run out.' }).waitFor();
      await page.getByRole('button', { name: 'Get the next item' }).click();
      await currentItem(page);
      // Each decision moves the selection to the next undecided submission;
      // wait for it, so that a fast second key does not decide the same one.
      await page.locator('.rv-sub-sel').getByText('Submission 1').waitFor();
      await page.keyboard.press('a');
      await page.locator('.rv-sub-sel').getByText('Submission 2').waitFor();
      await page.keyboard.press('a');
      await page.getByText('Every pending submission is decided.').waitFor();
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: /^Sent for item .*2 accepted/ }).waitFor();
      assertClean(r.problems);
    } finally {
      await r.context.close();
    }
    const s1 = await mySubmissions(lab, p.id);
    const s2 = await mySubmissions(lab2, p.id);
    assert.equal(s1[0].status, 'accepted');
    assert.equal(s2[0].status, 'accepted');
  });

  test('quality pages: stats, agreement chart, heatmap; coordinators edit settings and recompute consensus; axe clean', async () => {
    assert.ok(projectId, 'the first test made a project');
    const r = await pageAs(DEMO.reviewer);
    try {
      const page = r.page;
      await page.goto(`/quality/${projectId}`);
      await page.getByRole('heading', { level: 1, name: 'Quality: Review flow' }).waitFor();
      await page.getByRole('heading', { name: 'Labellers' }).waitFor();
      await page.getByRole('row', { name: /Lena Labeller/ }).waitFor();
      await page.getByRole('heading', { name: 'Agreement metrics' }).waitFor();
      await page.locator('p, table').filter({ hasText: /items with at least two answers|n\/a/ }).first().waitFor();
      // Reviewers see the settings but cannot change them.
      assert.equal(await page.getByRole('button', { name: 'Save review settings' }).count(), 0);
      await axeClean(page, 'quality page (reviewer)');
      await screenshot(page, 'quality-reviewer');
      assertClean(r.problems);
    } finally {
      await r.context.close();
    }

    const c = await pageAs(DEMO.coordinator);
    try {
      const page = c.page;
      await page.goto('/quality');
      await page.getByRole('link', { name: 'Quality of Two voices' }).click();
      await page.getByRole('heading', { level: 1, name: 'Quality: Two voices' }).waitFor();
      // Two labellers answered the same item: the heatmap has a cell for the pair.
      await page.locator('table.q-heat').waitFor();
      const cell = page.locator('table.q-heat td[aria-label*="Lena Labeller and Luis Labeller"]');
      await cell.waitFor();
      await axeClean(page, 'quality page (coordinator)');
      await screenshot(page, 'quality-coordinator');

      await page.getByLabel('Accept automatically when labellers agree enough').check();
      await page.getByLabel('Auto-accept threshold (%)').fill('80');
      await page.getByLabel('Sample rate (%)').fill('12.5');
      await page.getByLabel('Reject reasons (one per line)').fill('wrong_label\nincomplete\nOff topic');
      await page.getByRole('button', { name: 'Save review settings' }).click();
      await page.getByText('Saved. New settings apply').waitFor();
      const set = await coord.call('GET', `/api/projects/${(await coord.call('GET', '/api/projects?limit=100')).items.find((x) => x.name === 'Two voices').id}/review-settings`);
      assert.equal(set.auto_accept, true);
      assert.equal(set.auto_accept_bp, 8000);
      assert.equal(set.sample_rate_bp, 1250);
      assert.deepEqual(set.reject_reasons, ['wrong_label', 'incomplete', 'off_topic']);

      await page.getByLabel('Method').selectOption('dawid_skene');
      await page.getByRole('button', { name: 'Recompute consensus' }).click();
      await page.getByRole('status').filter({ hasText: /Dawid skene: \d+ items/ }).waitFor();
      await axeClean(page, 'quality page after recompute');
      assertClean(c.problems);
    } finally {
      await c.context.close();
    }
  });

  test('the review pages work at tablet size', async () => {
    const p = await newPage(browser, server.url, { viewport: { width: 820, height: 1180 } });
    try {
      await p.context.addCookies(cookies[DEMO.reviewer.login]);
      await p.page.goto(`/quality/${projectId}`);
      await p.page.getByRole('heading', { level: 1, name: 'Quality: Review flow' }).waitFor();
      const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `no horizontal page scroll at tablet width (overflow ${overflow}px)`);
      await p.page.goto('/review');
      await p.page.getByRole('heading', { level: 1, name: 'Review' }).waitFor();
      await axeClean(p.page, 'review home (tablet)');
      assertClean(p.problems);
    } finally {
      await p.context.close();
    }
  });
});
