// Court roll e2e (issue 13, "A browser test"): a labeller's statement line
// shows "in the register ✓" once its inclusion proof checks against the
// checkpoint the browser verified; then the operator rewrites an old
// transaction in the database and lets the server rebuild the tree from the
// rewritten rows (the probe's "recompute every hash with the project's own
// code"), and restarts. The labeller's next visit, in the same browser (its
// localStorage holds the checkpoint it verified), shows the warning, offers
// both checkpoints, and keeps the stored one.
//
// Assumptions about the backend (PLAN-issue13.md): the tree is derived from
// equity_log and rebuilt ("migrated deterministically") when its tables are
// empty; its tables (and any checkpoint table) have names matching TREE_TABLES.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, formatViolations, launchBrowser, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient } from './labelling-helpers.mjs';
import { acceptNext, pageAs, projectOnDemoModel, submitOne } from './equity-helpers.mjs';
import { checkpointOf, rewriteHistory, until } from './roll-helpers.mjs';


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

describe('court roll', () => {
  test('a statement line is in the register ✓; after the history is rewritten the next visit warns', async () => {
    const setup = await projectOnDemoModel(coord, 'Court roll', ['One', 'Two']);
    const model = setup.model;
    await submitOne(lab, setup.project.id);
    await acceptNext(rev, setup.project.id);

    // Wait until the labeller's credit is in a signed checkpoint.
    const st = await until('a statement line in a checkpoint', async () => {
      const s = await lab.call('GET', `/api/equity/models/${model.id}/statement`);
      const line = (s.lines ?? []).find((l) => l.book === 'holding' && typeof l.register_index === 'number');
      return line ? { s, line } : null;
    });
    const txId = st.line.tx_id;

    const { page, problems } = await pageAs(browser, server.url, DEMO.labeller);
    try {
      await page.goto(`/equity/statement?model=${model.id}`);
      await page.getByRole('heading', { level: 1, name: 'Statement' }).waitFor();
      await page.getByTestId('roll-status').filter({ hasText: /Court roll verified up to entry [\d,]+ ✓/ }).waitFor();
      await page.getByRole('radio', { name: 'Every movement' }).check();
      await page.waitForURL(/view=entry/);
      const line = page.getByTestId(`line-${txId}`).first();
      await line.getByText('in the register ✓').waitFor();
      assert.equal(await page.getByRole('alert').count(), 0);
      const axe1 = await axeViolations(page);
      assert.equal(axe1.length, 0, formatViolations(axe1));
      await screenshot(page, 'roll-verified');

      // The register page shows the key the browser pinned: the published one.
      await page.goto(`/equity/register?model=${model.id}`);
      const published = (await (await fetch(`${server.url}/api/register/key`)).text()).trim();
      await page.getByTestId('verifier-key').filter({ hasText: published }).waitFor();

      const origin = new URL(server.url).origin;
      const stored = await page.evaluate((o) => localStorage.getItem(`copyhold.courtroll.v1:${o}`), origin);
      assert.ok(stored, 'the browser stored the checkpoint it verified');
      const kept = JSON.parse(stored).checkpoint;
      const prev = await checkpointOf(server);

      // The operator rewrites history and restarts.
      let emptied = [];
      await server.restart(async () => {
        emptied = await rewriteHistory(server, txId);
      });
      const now = await until('a checkpoint after the restart', async () => {
        const c = await checkpointOf(server);
        return c && c.size >= prev.size ? c : null;
      });
      assert.notEqual(now.text, prev.text, `the tree rebuilt after emptying ${emptied.join(', ')} has another root`);

      // The labeller's next visit.
      await page.goto(`/equity/statement?model=${model.id}`);
      const alert = page.getByRole('alert').filter({ hasText: 'Warning: the court roll failed its check' });
      await alert.waitFor();
      await page.getByTestId('roll-status').filter({ hasText: /failed/ }).waitFor();
      assert.equal(await alert.getByRole('textbox', { name: 'The checkpoint your browser verified before (kept)' }).inputValue(), kept);
      assert.equal(await alert.getByRole('textbox', { name: 'The checkpoint the server sent now (refused)' }).inputValue(), now.text);
      assert.match(await alert.innerText(), /What to do/);
      const axe2 = await axeViolations(page);
      assert.equal(axe2.length, 0, formatViolations(axe2));
      await screenshot(page, 'roll-warning');

      // The stored checkpoint was not replaced, so the warning stays.
      await page.reload();
      await page.getByRole('alert').filter({ hasText: 'Warning: the court roll failed its check' }).waitFor();
      assert.equal(JSON.parse(await page.evaluate((o) => localStorage.getItem(`copyhold.courtroll.v1:${o}`), origin)).checkpoint, kept);
      assert.deepEqual(problems, [], `page reported problems:\n${problems.join('\n')}`);
    } finally {
      await page.context().close();
    }
  });
});
