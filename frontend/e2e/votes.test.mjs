// Votes e2e (collective rule): a coordinator can no longer change the fee
// alone; a member proposes a transfer fee through the form (client-side
// validation first, then the preview chart); three members vote from three
// browser contexts (the y key, Tab + Enter, and a vote changed by key and
// click) while a fourth context watches the turnout move live and the
// navigation count open votes; the proposal closes with
// `copyhold proposal close-due --at <after the deadline>`; the voter finds
// their receipt among the published ballots and the recount matches; the new
// fee is shown with its proposal on the court roll, the governance page and
// the transfer form. axe on every Votes page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { axeViolations, formatViolations, launchBrowser, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient } from './labelling-helpers.mjs';
import { acceptNext, pageAs, projectOnDemoModel, submitOne } from './equity-helpers.mjs';

const LAB2 = { login: 'labeller2', password: DEMO.labeller.password };
const LAB3 = { login: 'labeller3', password: DEMO.labeller.password };
const TITLE = 'Charge 1% on transfers';

let server;
let browser;
let coord;
let lab;
let rev;
let labId;
let lab2Id;
let model;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  coord = await apiClient(server.url, DEMO.coordinator);
  lab = await apiClient(server.url, DEMO.labeller);
  rev = await apiClient(server.url, DEMO.reviewer);
  labId = (await lab.call('GET', '/api/me')).id;
  lab2Id = (await (await apiClient(server.url, LAB2)).call('GET', '/api/me')).id;

  // Some history for the preview: Lena earns two units and gives half a unit to Luis.
  const setup = await projectOnDemoModel(coord, 'Votes preview', ['Sunny', 'Rainy', 'Windy']);
  model = setup.model;
  for (let i = 0; i < 2; i++) {
    await submitOne(lab, setup.project.id);
    await acceptNext(rev, setup.project.id);
  }
  await lab.call('POST', '/api/equity/transfers', { idempotency_key: randomUUID(), model_id: model.id, to: lab2Id, amount: '0.5', reason: 'Thanks' }, { expect: 201 });
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

/** RFC 3339 without fractional seconds. */
function rfc3339(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe('votes', () => {
  test('a coordinator’s direct fee change is refused and the governance page offers a proposal instead', async () => {
    const body = await coord.call(
      'POST',
      '/api/equity/governance',
      { transfer_fee_bp: 250, holding_cap_bp: 10000, cap_floor: '0', reserve_share_bp: 0, exit_rule: 'successor_else_reserve', reason: 'Alone' },
      { expect: 403 },
    );
    assert.equal(body.code, 'needs_vote');
    assert.match(body.message, /POST \/api\/proposals/);

    const { page, problems } = await pageAs(browser, server.url, DEMO.coordinator);
    try {
      await page.goto('/equity/govern');
      await page.getByRole('heading', { level: 1, name: 'Equity governance' }).waitFor();
      await page.getByRole('link', { name: 'Propose a change to these rules' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Record new rules' }).count(), 0);
      await axeClean(page, 'governance page');
      assertClean(problems);
    } finally {
      await page.context().close();
    }
  });

  test('propose, preview, three members vote while a fourth watches live, close, and the new fee is shown with its proposal', async () => {
    const lena = await pageAs(browser, server.url, DEMO.labeller);
    const rui = await pageAs(browser, server.url, DEMO.reviewer); // watches, does not vote
    const luis = await pageAs(browser, server.url, LAB2);
    const lin = await pageAs(browser, server.url, LAB3);
    const all = [lena, rui, luis, lin];
    try {
      // ---- Lena proposes through the form ----
      const p = lena.page;
      await p.goto('/votes');
      await p.getByRole('heading', { level: 1, name: 'Votes' }).waitFor();
      await p.getByText('No proposal is open for voting.').waitFor();
      await p.getByRole('navigation', { name: 'Votes sections' }).getByRole('link', { name: 'Propose a change' }).click();
      await p.getByRole('heading', { level: 1, name: 'Propose a change' }).waitFor();
      assert.equal(await p.getByLabel('What the proposal changes').inputValue(), 'governance');
      const fee = p.getByLabel('Transfer fee (basis points)');
      await fee.fill('-5');
      await p.getByRole('button', { name: 'Propose' }).click();
      await p.getByText('The transfer fee must not be negative.').waitFor();
      assert.equal(await fee.getAttribute('aria-invalid'), 'true');
      await axeClean(p, 'proposal form with errors');
      await screenshot(p, 'votes-form-errors');
      await fee.fill('100');
      await p.getByLabel('Title').fill(TITLE);
      await p.getByLabel('Reason').fill('Fund the **reserve** from transfers, not from work.');
      await p.getByRole('button', { name: 'Propose' }).click();
      await p.waitForURL(/\/votes\/\d+$/);
      const id = Number(new URL(p.url()).pathname.split('/').pop());
      await p.getByRole('heading', { level: 1, name: TITLE }).waitFor();
      const rule = p.getByTestId(`rule-${id}`);
      const feeRow = rule.getByRole('row').filter({ hasText: 'Transfer fee' });
      await feeRow.filter({ hasText: '0%' }).filter({ hasText: '1%' }).waitFor();

      // The preview chart: both windows, drawn.
      await p.getByTestId('preview-chart').waitFor({ timeout: 15_000 });
      await p.getByRole('img', { name: /Members’ earnings over the last 30 days/ }).waitFor();
      await p.getByRole('img', { name: /Members’ earnings over the last 90 days/ }).waitFor();
      assert.ok((await p.locator('[data-testid="preview-30"] svg circle').count()) >= 2, 'the 30-day chart has a dot per member');
      await p.getByTestId('preview-30').getByText(/^Reserve:/).waitFor();
      await axeClean(p, 'proposal page');
      await screenshot(p, 'votes-proposal');

      const api0 = await rev.call('GET', `/api/proposals/${id}`);
      assert.equal(api0.status, 'open');
      assert.equal(api0.voted, 0);
      const eligible = api0.eligible;
      assert.ok(eligible >= 3, `eligible members: ${eligible}`);
      const turnoutText = (n) => new RegExp(`^${n} of ${eligible} eligible members? ha(s|ve) voted`);

      // ---- Rui watches the list in another context ----
      const w = rui.page;
      await w.goto('/votes');
      const wCard = w.getByTestId(`proposal-${id}`);
      await wCard.waitFor();
      const wTurnout = w.getByTestId(`turnout-${id}`);
      await wTurnout.filter({ hasText: turnoutText(0) }).waitFor();
      await w.getByRole('navigation', { name: 'Areas' }).getByTestId('open-votes').filter({ hasText: '1 open vote' }).waitFor();
      await w.waitForFunction(() => window.__copyholdLive?.state() === 'open');
      await axeClean(w, 'votes list with an open proposal');
      await screenshot(w, 'votes-list');

      // ---- Vote 1: Lena presses y on the proposal's page ----
      await p.waitForFunction(() => window.__copyholdLive?.state() === 'open');
      await p.keyboard.press('y');
      await p.getByText('Vote recorded: Yes.').waitFor();
      await p.getByTestId(`my-vote-${id}`).filter({ hasText: 'You voted Yes' }).waitFor();
      const stored = await p.evaluate((k) => JSON.parse(localStorage.getItem(k)), `copyhold.ballot.${labId}.${id}`);
      assert.equal(stored.choice, 'yes');
      assert.ok(stored.receipt.length >= 16, `a receipt: ${stored.receipt}`);
      await wTurnout.filter({ hasText: turnoutText(1) }).waitFor({ timeout: 10_000 });

      // ---- Vote 2: Luis tabs to Yes on the list and presses Enter ----
      const l2 = luis.page;
      await l2.goto('/votes');
      await l2.getByTestId('open-votes').filter({ hasText: '1 open vote' }).waitFor();
      const l2Card = l2.getByTestId(`proposal-${id}`);
      await l2Card.getByTestId('preview-chart').waitFor({ timeout: 15_000 });
      await l2Card.getByRole('link', { name: TITLE }).focus();
      let reached = false;
      for (let i = 0; i < 15 && !reached; i++) {
        await l2.keyboard.press('Tab');
        reached = await l2.evaluate(() => document.activeElement?.getAttribute('aria-keyshortcuts') === 'y');
      }
      assert.ok(reached, 'Tab reaches the Yes button');
      await l2.keyboard.press('Enter');
      await l2Card.getByText('Vote recorded: Yes.').waitFor();
      assert.equal(await l2Card.getByRole('button', { name: 'Yes' }).getAttribute('aria-pressed'), 'true');
      await l2.getByTestId('open-votes').waitFor({ state: 'detached' });
      await wTurnout.filter({ hasText: turnoutText(2) }).waitFor({ timeout: 10_000 });

      // ---- Vote 3: Lin presses n, then changes to Abstain; counted once ----
      const l3 = lin.page;
      await l3.goto(`/votes/${id}`);
      await l3.getByRole('heading', { level: 1, name: TITLE }).waitFor();
      await l3.waitForFunction(() => window.__copyholdLive?.state() === 'open');
      await l3.keyboard.press('n');
      await l3.getByTestId(`my-vote-${id}`).filter({ hasText: 'You voted No' }).waitFor();
      await wTurnout.filter({ hasText: turnoutText(3) }).waitFor({ timeout: 10_000 });
      await l3.getByRole('button', { name: 'Abstain' }).click();
      await l3.getByText('Vote changed: Abstain.').waitFor();
      await l3.getByTestId(`my-vote-${id}`).filter({ hasText: 'You voted Abstain' }).waitFor();
      await axeClean(l3, 'proposal page after voting');

      // Secret ballot: nobody else can see a choice while the vote runs.
      const api1 = await rev.call('GET', `/api/proposals/${id}`);
      assert.equal(api1.voted, 3);
      assert.equal(api1.tally, null);
      assert.equal(api1.my_vote.voted, false);
      await rev.call('GET', `/api/proposals/${id}/ballots`, undefined, { expect: 409 });
      await new Promise((r) => setTimeout(r, 500));
      await wTurnout.filter({ hasText: turnoutText(3) }).waitFor();

      // ---- Close it as the server's ticker would, after the deadline ----
      const at = rfc3339(Date.parse(api1.closes_at) + 60_000);
      const out = await server.cli(['proposal', 'close-due', '--at', at]);
      assert.ok(out, 'close-due ran');
      const closed = await rev.call('GET', `/api/proposals/${id}`);
      assert.equal(closed.status, 'passed', JSON.stringify(closed));
      assert.deepEqual([closed.tally.yes, closed.tally.no, closed.tally.abstain], [2, 0, 1]);

      // The watcher sees it close live: out of the open list, into the closed one with its tally.
      const outcome = w.getByTestId(`outcome-${id}`);
      await outcome.filter({ hasText: /Passed — 2 yes \/ 0 no \/ 1 abstain/ }).waitFor({ timeout: 15_000 });
      await w.getByTestId('open-votes').waitFor({ state: 'detached' });
      assert.equal(await w.locator('#vt-open-h ~ [data-testid^="proposal-"]').count(), 0);
      await screenshot(w, 'votes-closed-live');

      // ---- Lena finds her receipt among the published ballots; the recount matches ----
      await p.getByTestId('ballots').waitFor({ timeout: 15_000 });
      await p.getByTestId('my-receipt-check').filter({ hasText: `Your receipt ${stored.receipt} is in the published ballots, counted as Yes. ✓` }).waitFor();
      const own = p.getByTestId('ballots').locator('tr[data-own]');
      assert.equal(await own.count(), 1);
      assert.match(await own.innerText(), new RegExp(createHash('sha256').update(stored.receipt).digest('hex')));
      await p.getByRole('button', { name: 'Recount from the published ballots' }).click();
      await p.getByTestId('recount').filter({ hasText: /Recount: 2 yes \/ 0 no \/ 1 abstain from 3 ballots — matches the recorded tally/ }).waitFor();
      await p.getByTestId(`executed-${id}`).waitFor();
      await axeClean(p, 'closed proposal with ballots');
      await screenshot(p, 'votes-ballots');

      // ---- The new rule, with its proposal, wherever it is shown ----
      await p.goto(`/equity/register?model=${model.id}`);
      const changedBy = p.getByTestId(`changed-by-${id}`).first();
      await changedBy.filter({ hasText: `Changed by proposal #${id}` }).filter({ hasText: '(2 yes / 0 no / 1 abstain)' }).waitFor({ timeout: 10_000 });
      await p.getByText(/Transfer fee 1%/).waitFor();
      await changedBy.getByRole('link', { name: `proposal #${id}` }).click();
      await p.waitForURL(new RegExp(`/votes/${id}$`));

      // The next transfer pays the new fee, shown before it is sent.
      await p.goto('/equity/transfer');
      await p.getByRole('heading', { level: 1, name: 'Transfer units' }).waitFor();
      await p.getByTestId(`changed-by-${id}`).waitFor();
      await p.getByLabel("Recipient's member number").fill(String(lab2Id));
      await p.getByLabel('Units', { exact: true }).fill('0.5');
      await p.getByLabel('Why (recorded on the register)').fill('With the new fee');
      await p.getByRole('button', { name: 'Review transfer' }).click();
      await p.getByRole('heading', { name: 'Confirm the transfer' }).waitFor();
      assert.equal(await p.getByTestId('transfer-fee').innerText(), '0.005000');

      for (const x of all) assertClean(x.problems);
    } finally {
      for (const x of all) await x.page.context().close();
    }

    // The coordinator's governance page says which proposal set the fee.
    const { page, problems } = await pageAs(browser, server.url, DEMO.coordinator);
    try {
      await page.goto('/equity/govern');
      const inForce = page.getByTestId('governance-in-force');
      await inForce.getByText('1%', { exact: true }).waitFor();
      await page.getByText(/Changed by proposal #\d+ “Charge 1% on transfers” \(2 yes \/ 0 no \/ 1 abstain\)/).waitFor({ timeout: 10_000 });
      assertClean(problems);
    } finally {
      await page.context().close();
    }
  });

  test('the constitution page lists the rules and their versions', async () => {
    const { page, problems } = await pageAs(browser, server.url, DEMO.labeller);
    try {
      await page.goto('/votes/constitution');
      await page.getByRole('heading', { level: 1, name: 'Constitution' }).waitFor();
      const facts = page.getByTestId('constitution');
      await facts.getByText(/25% of eligible members/).waitFor();
      await facts.getByText(/at least 66\.67% of the yes and no votes/).waitFor();
      await page.getByTestId('constitution-history').getByText('Version 1').waitFor();
      await axeClean(page, 'constitution');
      await screenshot(page, 'votes-constitution');
      assertClean(problems);
    } finally {
      await page.context().close();
    }
  });
});
