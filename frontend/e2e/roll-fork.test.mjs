// Court roll e2e: the fork (issue 13, "show one member a different tree
// than another"). The operator holds the register's signing key: it rewrites
// an old transaction, lets its server rebuild the tree from the rewritten
// rows and sign it with the real key, and serves that tree.
//   - Member A's browser verified (and kept) checkpoint C1 before the fork:
//     A's next visit shows the loud warning with both checkpoints.
//   - Member B's browser never saw C1. A lone fresh browser cannot tell a
//     fork from the real court roll (the fork is validly signed): B is shown
//     the fork's checkpoint as verified. What B can see is that no witness
//     the co-op trusts cosigned it, whereas C1 was cosigned.
//   - The witness, which accepted and cosigned C1, refuses the fork.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BIN, axeViolations, formatViolations, launchBrowser, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient } from './labelling-helpers.mjs';
import { acceptNext, pageAs, projectOnDemoModel, submitOne } from './equity-helpers.mjs';
import { checkpointOf, rewriteHistory, until } from './roll-helpers.mjs';

const exec = promisify(execFile);

let server;
let browser;
let dir;
let witnessKey; // the witness's verifier key, trusted by the server

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'copyhold-witness-'));
  const { stdout } = await exec(BIN, ['witness', 'keygen', '--out', join(dir, 'witness.key'), '--name', 'witness.e2e']);
  witnessKey = stdout.trim();
  server = await startServer({ env: { COPYHOLD_WITNESSES: witnessKey } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One round of the witness; resolves to { ok, out }. */
async function witness(vkey) {
  try {
    const r = await server.cli(['witness', '--log', server.url, '--key', vkey, '--state', join(dir, 'state.json'), '--witness-key', join(dir, 'witness.key'), '--once']);
    return { ok: true, out: r.stdout + r.stderr };
  } catch (e) {
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` };
  }
}

describe('court roll fork', () => {
  test('A, who kept C1, is warned; B, who never saw it, sees the fork lacks the witness’s cosignature; the witness refuses it', async () => {
    const coord = await apiClient(server.url, DEMO.coordinator);
    const lab = await apiClient(server.url, DEMO.labeller);
    const rev = await apiClient(server.url, DEMO.reviewer);
    const { model, project } = await projectOnDemoModel(coord, 'Court roll fork', ['One', 'Two']);
    await submitOne(lab, project.id);
    await acceptNext(rev, project.id);
    const st = await until('a statement line in a checkpoint', async () => {
      const s = await lab.call('GET', `/api/equity/models/${model.id}/statement`);
      const line = (s.lines ?? []).find((l) => l.book === 'holding' && typeof l.register_index === 'number');
      return line ? { s, line } : null;
    });
    const vkey = (await (await fetch(`${server.url}/api/register/key`)).text()).trim();
    // Let the integrator settle (no new entries), then the witness cosigns C1.
    const c1 = await until('a stable checkpoint', async () => {
      const a = await checkpointOf(server);
      await new Promise((r) => setTimeout(r, 4000));
      const b = await checkpointOf(server);
      return a && b && a.text === b.text ? b : null;
    }, 40_000);
    const w1 = await witness(vkey);
    assert.ok(w1.ok && /cosigned checkpoint/.test(w1.out), `the witness did not cosign C1:\n${w1.out}`);
    const listed = await (await fetch(`${server.url}/api/register/witnesses`)).json();
    assert.deepEqual(listed, { witnesses: [{ name: 'witness.e2e', key: witnessKey }] });

    // Member A verifies C1, cosigned by the witness, and keeps it.
    let c2;
    const a = await pageAs(browser, server.url, DEMO.labeller);
    try {
      await a.page.goto(`/equity/register?model=${model.id}`);
      await a.page.getByTestId('roll-status').filter({ hasText: /verified up to entry [\d,]+ ✓ · cosigned by 1 of 1 witness$/ }).waitFor();
      await a.page.getByTestId('witness-list').filter({ hasText: /witness\.e2e: cosigned ✓ at .+ UTC/ }).waitFor();
      const origin = new URL(server.url).origin;
      const kept = JSON.parse(await a.page.evaluate((o) => localStorage.getItem(`copyhold.courtroll.v1:${o}`), origin)).checkpoint;
      assert.ok(kept.startsWith(c1.text.slice(0, c1.text.indexOf('\n\n'))), 'A kept C1');
      assert.match(kept, /— witness\.e2e /);

      // The fork: rewrite an old transaction; the restarted server rebuilds
      // the tree and signs it with the real key.
      await server.restart(() => rewriteHistory(server, st.line.tx_id));
      c2 = await until('the fork’s checkpoint', async () => {
        const c = await checkpointOf(server);
        return c && c.size >= c1.size ? c : null;
      });
      assert.notEqual(c2.text.split('\n')[2], c1.text.split('\n')[2], 'the fork has another root');
      assert.doesNotMatch(c2.text, /witness\.e2e/);

      // A's next visit: the loud warning, both checkpoints, C1 kept.
      await a.page.goto(`/equity/statement?model=${model.id}`);
      const alert = a.page.getByRole('alert').filter({ hasText: 'Warning: the court roll failed its check' });
      await alert.waitFor();
      assert.equal(await alert.getByRole('textbox', { name: 'The checkpoint your browser verified before (kept)' }).inputValue(), kept);
      assert.equal(await alert.getByRole('textbox', { name: 'The checkpoint the server sent now (refused)' }).inputValue(), c2.text);
      assert.deepEqual(a.problems, [], `A's page reported problems:\n${a.problems.join('\n')}`);
    } finally {
      await a.page.context().close();
    }

    // Member B, a fresh browser: the fork verifies (a lone browser cannot
    // know better), but no trusted witness cosigned it.
    const b = await pageAs(browser, server.url, DEMO.reviewer);
    try {
      await b.page.goto(`/equity/register?model=${model.id}`);
      await b.page.getByTestId('roll-status').filter({ hasText: /verified up to entry [\d,]+ ✓ · cosigned by 0 of 1 witness$/ }).waitFor();
      await b.page.getByTestId('witness-summary').filter({ hasText: 'cosigned by 0 of 1 witness.' }).waitFor();
      await b.page.getByTestId('witness-none').filter({ hasText: /cannot rule out that it is shown a different court roll/ }).waitFor();
      assert.equal(await b.page.getByRole('alert').count(), 0);
      const axe = await axeViolations(b.page);
      assert.equal(axe.length, 0, formatViolations(axe));
      await screenshot(b.page, 'roll-fork-fresh-browser');
      assert.deepEqual(b.problems, [], `B's page reported problems:\n${b.problems.join('\n')}`);
    } finally {
      await b.page.context().close();
    }

    // The witness that accepted C1 refuses the fork and prints both.
    const w2 = await witness(vkey);
    assert.ok(!w2.ok, `the witness accepted the fork:\n${w2.out}`);
    assert.match(w2.out, /REFUSED .*fork/);
    assert.ok(w2.out.includes(c2.text), 'the refusal shows the offered checkpoint');
  });
});
