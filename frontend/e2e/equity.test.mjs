// Equity e2e: accepted work shows on the labeller's statement (with
// drill-down to the submission) and on the court roll; CSV download; the
// print stylesheet; the members vote a new fee (a coordinator cannot set it
// alone); a transfer shows its fee before it is confirmed; pseudonyms; axe on every equity page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axeViolations, formatViolations, launchBrowser, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient } from './labelling-helpers.mjs';
import { acceptNext, pageAs, passProposal, projectOnDemoModel, submitOne } from './equity-helpers.mjs';

let server;
let browser;
let coord;
let lab;
let rev;
let labId;
let lab2Id;

const LAB2 = { login: 'labeller2', password: DEMO.labeller.password };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  coord = await apiClient(server.url, DEMO.coordinator);
  lab = await apiClient(server.url, DEMO.labeller);
  rev = await apiClient(server.url, DEMO.reviewer);
  labId = (await lab.call('GET', '/api/me')).id;
  lab2Id = (await (await apiClient(server.url, LAB2)).call('GET', '/api/me')).id;
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

describe('equity', () => {
  let model;
  let sub;

  test('accepted work shows on the statement with drill-down, on the court roll, and as CSV', async () => {
    const setup = await projectOnDemoModel(coord, 'Equity statement', ['A fine day', 'A grey day']);
    model = setup.model;
    sub = await submitOne(lab, setup.project.id);
    await acceptNext(rev, setup.project.id);

    const { page, problems } = await pageAs(browser, server.url, DEMO.labeller);
    try {
      await page.goto('/equity');
      await page.getByRole('heading', { level: 1, name: 'Equity' }).waitFor();
      const row = page.getByTestId(`holding-${model.id}`);
      await row.filter({ hasText: 'coop-assistant-v1' }).filter({ hasText: '1.000000' }).waitFor();
      await page.locator('.eq-svg').waitFor();
      await axeClean(page, 'equity home');
      await screenshot(page, 'equity-home');

      await row.getByRole('link', { name: 'Statement for coop-assistant-v1' }).click();
      await page.waitForURL(/\/equity\/statement\?model=/);
      // Two decimals shown, the exact six on hover.
      await page.getByTestId('st-total-annotations').filter({ hasText: '+1.00' }).waitFor();
      assert.equal(await page.getByTestId('st-closing').innerText(), '1.00');
      assert.equal(await page.getByTestId('st-closing').getAttribute('title'), '1.000000 units');
      // One row per item: the accepted submission is one line, not a pending −1 / vested +1 pair.
      await page.getByTestId(`row-sub:${sub.id}`).filter({ hasText: 'accepted' }).filter({ hasText: '+1.00' }).waitFor();
      assert.match(await page.getByTestId('st-check').innerText(), /Opening 0\.000000 \+ movements \+1\.000000 = closing 1\.000000 ✓/);
      assert.match(await page.getByTestId('head-hash').innerText(), /^[0-9a-f]{64}$/);

      // Drill down to the submission that earned the units (keyboard).
      const details = page.getByRole('button', { name: `Details of submission ${sub.id}` }).first();
      await details.focus();
      await page.keyboard.press('Enter');
      const c = page.getByTestId(`contribution-${sub.id}`).first();
      await c.getByTestId('contribution-status').filter({ hasText: 'Accepted' }).waitFor();
      await c.getByText('Equity statement').waitFor();
      await c.getByText('"choice": "pos"').waitFor();
      await axeClean(page, 'statement with drill-down');
      await screenshot(page, 'equity-statement');

      // CSV download.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
      assert.match(download.suggestedFilename(), /^statement-\d+-model-\d+\.csv$/);
      const csv = readFileSync(await download.path(), 'utf8');
      assert.match(csv, /^statement,member,/);
      assert.match(csv, /opening,0\.000000/);
      assert.ok(csv.includes(`,${sub.id},`), 'the CSV names the submission');

      // Print: only the statement remains.
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.side-nav').isVisible(), false);
      assert.equal(await page.getByRole('button', { name: 'Print or save as PDF' }).isVisible(), false);
      assert.equal(await page.getByTestId('st-closing').isVisible(), true);
      await page.emulateMedia({ media: 'screen' });

      // The court roll lists the labeller with their units and share.
      await page.getByRole('navigation', { name: 'Equity sections' }).getByRole('link', { name: 'Court roll' }).click();
      await page.getByRole('heading', { level: 1, name: 'Court roll' }).waitFor();
      const holders = page.getByTestId('holders');
      await holders.getByRole('row').filter({ hasText: 'Lena Labeller' }).filter({ hasText: '1.000000' }).waitFor();
      assert.match(await page.getByTestId('head-hash').innerText(), /^[0-9a-f]{64}$/);
      await axeClean(page, 'court roll');
      await screenshot(page, 'equity-register');

      // My work says what each line earned: the accepted one its unit, the one still waiting its pending unit.
      const waiting = await submitOne(lab, setup.project.id);
      await page.goto('/work/mine');
      await page.getByTestId(`units-${sub.id}`).filter({ hasText: 'earned +1.00 units' }).waitFor();
      await page.getByTestId(`units-${waiting.id}`).filter({ hasText: '+1.00 units awaiting review' }).waitFor();
      assertClean(problems);
    } finally {
      await page.context().close();
    }
  });

  test('the members vote a new fee (the coordinator cannot set it alone); the transfer shows its fee before confirming', async () => {
    const { page, problems } = await pageAs(browser, server.url, DEMO.coordinator);
    try {
      await page.goto('/equity/govern');
      await page.getByRole('heading', { level: 1, name: 'Equity governance' }).waitFor();
      await axeClean(page, 'governance');
      await page.getByRole('link', { name: 'Propose a change to these rules' }).waitFor();
      assertClean(problems);
    } finally {
      await page.context().close();
    }
    // A direct change needs a vote; the members pass it (details in votes.test.mjs).
    const refused = await coord.call('POST', '/api/equity/governance', { transfer_fee_bp: 250, holding_cap_bp: 10000, cap_floor: '0', reserve_share_bp: 0, exit_rule: 'successor_else_reserve', reason: 'Alone' }, { expect: 403 });
    assert.equal(refused.code, 'needs_vote');
    const passed = await passProposal(server, coord, [coord, lab, rev], {
      title: 'Fund the reserve from transfers',
      reason: 'A 2.5 % fee on transfers goes to the reserve.',
      change: { kind: 'governance', transfer_fee_bp: 250, holding_cap_bp: 10000, cap_floor: '0.000000', reserve_share_bp: 0, exit_rule: 'successor_else_reserve' },
    });
    assert.equal(passed.status, 'passed', JSON.stringify(passed));
    {
      const { page, problems } = await pageAs(browser, server.url, DEMO.coordinator);
      try {
        await page.goto(`/equity/register?model=${model.id}`);
        await page.getByText(/Transfer fee 2\.5%/).waitFor();
        await page.getByTestId(`changed-by-${passed.id}`).filter({ hasText: 'Fund the reserve from transfers' }).waitFor();
        assertClean(problems);
      } finally {
        await page.context().close();
      }
    }

    const l = await pageAs(browser, server.url, DEMO.labeller);
    try {
      const p = l.page;
      await p.goto('/equity/transfer');
      await p.getByRole('heading', { level: 1, name: 'Transfer units' }).waitFor();
      await axeClean(p, 'transfer form');
      await p.getByLabel("Recipient's member number").fill(String(lab2Id));
      await p.getByLabel('Units', { exact: true }).fill('0.5');
      await p.getByLabel('Why (recorded on the register)').fill('Thanks for the help');
      await p.getByRole('button', { name: 'Review transfer' }).click();
      await p.getByRole('heading', { name: 'Confirm the transfer' }).waitFor();
      assert.equal(await p.getByTestId('transfer-fee').innerText(), '0.012500');
      await p.getByTestId('transfer-summary').getByText('0.487500').waitFor();
      await axeClean(p, 'transfer confirmation');
      await p.getByRole('button', { name: 'Send 0.500000 units' }).click();
      await p.getByRole('status').filter({ hasText: /Sent 0\.500000 units of coop-assistant-v1/ }).waitFor();

      await p.goto(`/equity/statement?model=${model.id}`);
      await p.getByTestId('st-total-transfers_out').filter({ hasText: '-0.50' }).waitFor();
      assert.equal(await p.getByTestId('st-total-fees').getAttribute('data-exact'), '-0.012500');
      assert.equal(await p.getByTestId('st-total-fees').innerText(), '-0.01');
      assert.equal(await p.getByTestId('st-closing').getAttribute('data-exact'), '0.487500');
      assert.match(await p.getByTestId('st-check').innerText(), /✓/);

      // Hide my name: the court roll shows a pseudonym instead.
      await p.goto('/equity');
      await p.getByRole('button', { name: 'Hide my name' }).click();
      const notice = p.getByRole('status').filter({ hasText: /Other members now see you on the court roll as “holder-/ });
      await notice.waitFor();
      const pseudonym = (await notice.innerText()).match(/“(holder-[0-9a-f]+)”/)[1];
      // Name a successor.
      await p.getByLabel("Successor's member number").fill(String(lab2Id));
      await p.getByRole('button', { name: 'Name successor' }).click();
      await p.getByTestId('successor').filter({ hasText: `member ${lab2Id}` }).waitFor();
      await axeClean(p, 'equity home with settings');
      await p.goto(`/equity/register?model=${model.id}`);
      const holders = p.getByTestId('holders');
      await holders.getByText(pseudonym).waitFor();
      assert.equal(await holders.getByText('Lena Labeller').count(), 0);
      await holders.getByText('Luis Labeller').waitFor();
      assertClean(l.problems);
    } finally {
      await l.page.context().close();
    }
    // The ledger agrees.
    const st = await lab.call('GET', `/api/equity/models/${model.id}/statement`);
    assert.equal(st.closing, '0.487500');
    assert.equal(st.member_id, labId);
  });

  test('the coordinator prepares a distribution, the members approve it; it shows on the court roll', async () => {
    // A coordinator cannot distribute alone.
    const refused = await coord.call('POST', `/api/equity/models/${model.id}/distributions`, { idempotency_key: 'alone', amount: '100.00', currency: 'EUR', source: 'Alone' }, { expect: 403 });
    assert.equal(refused.code, 'needs_vote');
    assert.match(refused.message, /POST \/api\/proposals/);
    const { page, problems } = await pageAs(browser, server.url, DEMO.coordinator);
    try {
      // The coordinator prepares it; the link opens the proposal form with it filled in.
      await page.goto('/equity/govern');
      await page.getByLabel('Revenue', { exact: true }).fill('100');
      await page.getByLabel('Source').fill('API licence, March');
      await page.getByRole('link', { name: 'Propose this distribution' }).click();
      await page.getByRole('form', { name: 'New proposal' }).waitFor();
      assert.equal(await page.getByLabel('Revenue to distribute').inputValue(), '100');
      assert.equal(await page.getByLabel('Source').inputValue(), 'API licence, March');
      await axeClean(page, 'distribution proposal form');
      // The members approve it (the browser's date is a day; the API takes the moment, so today's holders count).
      const passed = await passProposal(server, coord, [coord, lab, rev], {
        title: 'Distribute the March API licence',
        reason: 'Revenue from the API licence, March.',
        change: { kind: 'distribution', model_id: model.id, amount: '100', currency: 'EUR', source: 'API licence, March', record_date: new Date().toISOString() },
      });
      assert.equal(passed.status, 'passed', JSON.stringify(passed));
      assert.equal(passed.executed?.what, 'distribution', JSON.stringify(passed));
      await page.goto(`/equity/register?model=${model.id}`);
      await page.getByRole('row').filter({ hasText: 'API licence, March' }).filter({ hasText: '100.00 EUR' }).waitFor();
      assertClean(problems);
    } finally {
      await page.context().close();
    }
  });

  test('equity pages work at tablet width', async () => {
    const { page, problems } = await pageAs(browser, server.url, DEMO.labeller, { viewport: { width: 820, height: 1180 } });
    try {
      for (const path of ['/equity', `/equity/statement?model=${model.id}`, `/equity/register?model=${model.id}`]) {
        await page.goto(path);
        await page.locator('main h1').waitFor();
        await page.locator('.eq-table, .statement').first().waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 1, `${path} scrolls sideways by ${overflow}px`);
        await axeClean(page, `${path} (tablet)`);
      }
      await screenshot(page, 'equity-tablet');
      assertClean(problems);
    } finally {
      await page.context().close();
    }
  });
});
