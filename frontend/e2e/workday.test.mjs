// Issue 18, "Tests that prove it": one labeller's working session, keyboard
// only. They remap shortcuts on the Account page and opt into a sensitive
// category, work 20 tasks across all eight task types with the remapped
// keys (a per-turn conversation rating among them), hit the forced break
// after a run of sensitive items, filter My work and read their statement.
// Then the same session again, by another labeller, on a 390 px phone, with
// no page wider than the screen. Pages are reached by their address (typed,
// as a keyboard user would); everything on a page is done with keys.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, formatViolations, launchBrowser, screenshot, startServer } from './harness.mjs';
import { acceptNext, demoModel, pageAs } from './equity-helpers.mjs';
import { DEMO, apiClient, mySubmissions, setupProject, tabTo } from './labelling-helpers.mjs';

let server;
let browser;
let coord;
let rev;
let model;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  coord = await apiClient(server.url, DEMO.coordinator);
  rev = await apiClient(server.url, DEMO.reviewer);
  model = await demoModel(coord);
  // A short forced break, so the session shows it without waiting long.
  const ws = await coord.call('GET', '/api/wellbeing/settings');
  await coord.call('PUT', '/api/wellbeing/settings', { ...ws, break_minutes: 1 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// The keys this session remaps (action → key), and what the editors then take.
const REMAP = { pair_left: 'h', rank_tie: 'y', rubric_up: 'u', turn_next: 'm' };
const LABELS = {
  pair_left: 'Pairwise: the left response is better',
  rank_tie: 'Ranking: tie with the response above',
  rubric_up: 'Rubric: the criterion above',
  turn_next: 'Conversation: the next turn',
};

const chat = (q1, q2) => ({
  messages: [
    { role: 'user', content: q1 },
    { role: 'assistant', content: `About ${q1}: yes.` },
    { role: 'user', content: q2 },
    { role: 'assistant', content: `About ${q2}: no.` },
  ],
});

/** The session's projects: 20 tasks over the eight task types, the sensitive run last. */
function plan(tag) {
  return [
    {
      name: 'classification',
      task_type: 'classification',
      schema: { field: 'text', choices: [{ value: 'pos', label: 'Positive' }, { value: 'neg', label: 'Negative' }] },
      items: ['Fine.', 'Not fine.', 'Quite fine.'].map((text) => ({ text: `${tag} ${text}` })),
      keys: ['2', 'Enter'],
      expect: () => ({ choice: 'neg' }),
    },
    {
      name: 'multilabel',
      task_type: 'multilabel',
      schema: { field: 'text', choices: [{ value: 'a', label: 'Alpha' }, { value: 'b', label: 'Beta' }, { value: 'c', label: 'Gamma' }] },
      items: ['Alpha and gamma.', 'Gamma and alpha.'].map((text) => ({ text: `${tag} ${text}` })),
      keys: ['3', '1', 'Enter'],
      expect: () => ({ choices: ['a', 'c'] }),
    },
    {
      name: 'spans',
      task_type: 'spans',
      schema: { field: 'text', labels: [{ value: 'EMO', label: 'Emoji' }, { value: 'PLACE', label: 'Place' }], allow_overlap: true },
      items: [{ text: 'Hi 🙂 in 東京' }, { text: 'Yo 🙂 in 大阪' }],
      keys: ['ArrowRight', 'ArrowRight', 'ArrowRight', 'Shift+ArrowRight', '1', 'End', 'Shift+ArrowLeft', 'Shift+ArrowLeft', '2', 'Enter'],
      expect: (got, data) => ({
        spans: [
          { start: 3, end: 4, label: 'EMO', text: '🙂' },
          { start: 8, end: 10, label: 'PLACE', text: [...data.text].slice(8).join('') },
        ],
      }),
    },
    {
      name: 'pairwise',
      task_type: 'pairwise',
      schema: { prompt_field: 'prompt', a_field: 'response_a', b_field: 'response_b', strength: true, rationale: 'optional' },
      items: ['Say hi', 'Say bye'].map((prompt) => ({ prompt: `${tag} ${prompt}`, response_a: 'Gladly!', response_b: 'go away' })),
      // h is the member's key for "the left response is better"; a no longer is.
      keys: ['a', 'h', '2', 'Enter'],
      expect: (got) => ({ choice: got.shown_order === 'ba' ? 'b' : 'a', strength: 2, shown_order: got.shown_order }),
    },
    {
      name: 'ranking',
      task_type: 'ranking',
      schema: { prompt_field: 'prompt', responses_field: 'responses', allow_ties: true },
      items: ['colour', 'fruit'].map((w) => ({ prompt: `${tag} Name a ${w}`, responses: [{ id: 'r1', text: `${w} one` }, { id: 'r2', text: `${w} two` }, { id: 'r3', text: `${w} three` }] })),
      // Select the second and move it up; select the third and tie it (y, the member's key) with the one above.
      keys: ['ArrowDown', 'Shift+ArrowUp', 'ArrowDown', 'ArrowDown', 'y', 'Enter'],
      expect: (got) => {
        const [a, b, c] = got.shown_order;
        return { ranking: [[b], [a, c].sort()], shown_order: [a, b, c] };
      },
    },
    {
      name: 'rubric',
      task_type: 'rubric',
      schema: { response_field: 'response', criteria: [{ id: 'helpful', label: 'Helpful' }, { id: 'correct', label: 'Correct' }], rationale: 'off' },
      items: ['Boil an egg?', 'Fry an egg?'].map((prompt) => ({ prompt: `${tag} ${prompt}`, response: 'Seven minutes.' })),
      // u is the member's key for the criterion above.
      keys: ['4', '5', 'u', '3', 'Enter'],
      expect: () => ({ scores: { helpful: 3, correct: 5 } }),
    },
    {
      name: 'turns',
      task_type: 'rubric',
      schema: { conversation_field: 'messages', turn: 'each_assistant', criteria: [{ id: 'helpful', label: 'Helpful' }], rationale: 'off' },
      items: [chat(`${tag} Rain today?`, 'And tomorrow?')],
      // j (the default) no longer moves; m (the member's key) goes to the next turn, k back.
      keys: ['j', 'm', '3', 'k', '4', 'Enter'],
      expect: () => ({ turns: { t1: { scores: { helpful: 4 } }, t3: { scores: { helpful: 3 } } } }),
    },
    {
      name: 'rewrite',
      task_type: 'rewrite',
      schema: { field: 'response', prompt_field: 'prompt' },
      items: ['Greet', 'Welcome'].map((prompt) => ({ prompt: `${tag} ${prompt}`, response: 'hey you' })),
      keys: ['End', 'type: there, please', 'Control+Enter'],
      expect: () => ({ text: 'hey you there, please' }),
    },
    {
      name: 'moderation',
      task_type: 'moderation',
      schema: { field: 'text', categories: [{ value: 'none', label: 'No violation', exclusive: true }, { value: 'hate', label: 'Hate' }] },
      items: ['A rude remark', 'Another rude remark'].map((text) => ({ text: `${tag} ${text}` })),
      // w = Hate (letters skip the global keys), 2 = Medium severity.
      keys: ['w', '2', 'Enter'],
      expect: () => ({ categories: ['hate'], severity: 2 }),
    },
    {
      name: 'sensitive',
      task_type: 'classification',
      schema: { field: 'text', choices: [{ value: 'ok', label: 'Acceptable' }, { value: 'bad', label: 'Harmful' }] },
      // Three, so one is left when the break holds the claim; two are worked.
      items: ['violent one', 'violent two', 'violent three'].map((text) => ({ data: { text: `${tag} ${text}` }, categories: ['violence'] })),
      work: 2,
      settings: { sensitive_break_after: 2 },
      // r reveals the veiled item.
      keys: ['r', '2', 'Enter'],
      expect: () => ({ choice: 'bad' }),
    },
  ];
}

/** Fails when the page is wider than the window (the 390 px rule). */
async function noOverflow(page, what) {
  const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(sw <= cw, `${what}: the page is ${sw} px wide in a ${cw} px window`);
}

async function axeClean(page, what) {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `${what}:\n${formatViolations(v)}`);
}

/**
 * Presses the keys of one task; resolves when the next task, "All done" or
 * the break is on screen. beforeSubmit runs before the last key.
 */
async function work(page, keys, beforeSubmit = async () => {}) {
  const task = page.locator('.task[data-assignment]');
  await task.waitFor({ timeout: 15_000 });
  const shown = await task.getAttribute('data-assignment');
  for (const [i, k] of keys.entries()) {
    if (i === keys.length - 1) await beforeSubmit();
    if (k.startsWith('type:')) await page.keyboard.type(' ' + k.slice(5).trim());
    else await page.keyboard.press(k);
    if (k === 'r') await page.locator('.task-editor:not([inert])').waitFor();
  }
  await page.waitForFunction((a) => document.querySelector('.task[data-assignment]')?.getAttribute('data-assignment') !== a, shown, { timeout: 15_000 });
}

/** A UTC day typed into a date field the way Chromium's en-US field takes it: MMDDYYYY. */
const typedDay = (iso) => iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(0, 4);

async function session(who, { tag, viewport }) {
  const me = await apiClient(server.url, who);
  const projects = [];
  for (const t of plan(tag)) {
    const p = await setupProject(coord, { name: `${tag}-${t.name}`, task_type: t.task_type, schema: t.schema, items: t.items, settings: { model_id: model.id, ...(t.settings ?? {}) } });
    // Review by hand: the work waits for a reviewer, who accepts one line for the statement.
    await coord.call('PATCH', `/api/projects/${p.id}/review-settings`, { auto_accept: false });
    projects.push({ ...t, id: p.id, work: t.work ?? t.items.length });
  }
  const first = projects[0];

  const { page, problems } = await pageAs(browser, server.url, who, { viewport });
  const phone = viewport.width <= 400;
  const check = async (what) => {
    if (phone) await noOverflow(page, what);
  };
  try {
    // 1. Shortcuts remapped on the Account page, and a sensitive category opted into.
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor();
    await check('account');
    for (const [action, key] of Object.entries(REMAP)) {
      await tabTo(page, new RegExp(`^Change the key for ${LABELS[action].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      await page.keyboard.press('Enter');
      await page.keyboard.press(key);
      await page.getByText(`“${LABELS[action]}” is now ${key.toUpperCase()}.`).waitFor();
    }
    const bound = Object.fromEntries((await me.call('GET', '/api/me/shortcuts')).shortcuts.map((b) => [b.action, b.key]));
    for (const [action, key] of Object.entries(REMAP)) assert.equal(bound[action], key, action);
    await tabTo(page, /^\s*Violence$/);
    await page.keyboard.press(' ');
    await page.getByText('You will now be sent items marked “Violence”.').waitFor();

    // 2. Twenty tasks, every type, the sensitive run last.
    let done = 0;
    for (const p of projects) {
      await page.goto(`/work/p/${p.id}`);
      for (let i = 0; i < p.work; i++) {
        // The span chips, once there are some, pass axe too.
        await work(page, p.keys, async () => i === 0 && p.name === 'spans' && axeClean(page, 'spans editor with two spans'));
        done++;
        if (i === 0) await check(`workbench ${p.name}`);
      }
      if (p.name !== 'sensitive') await page.getByRole('heading', { name: 'All done here' }).waitFor();
    }
    assert.equal(done, 20);

    // 3. The run of two sensitive items forces a break, held by the server.
    await page.getByRole('heading', { name: 'Time for a short break' }).waitFor();
    await check('forced break');
    await axeClean(page, 'forced break');
    const held = await fetch(`${server.url}/api/projects/${projects.at(-1).id}/next`, { method: 'POST', headers: { Authorization: `Bearer ${me.token}` } });
    assert.equal(held.status, 409);
    assert.equal((await held.json()).code, 'wellbeing_break');

    // Every answer is what the keys said.
    const ids = {};
    for (const p of projects) {
      const subs = await mySubmissions(me, p.id);
      assert.equal(subs.length, p.work, `${p.name}: submissions`);
      for (const s of subs) assert.deepEqual(s.answer, p.expect(s.answer, s.data), `${p.name}: ${JSON.stringify(s.data)}`);
      ids[p.name] = subs.map((s) => s.id);
    }
    await acceptNext(rev, first.id);

    // 4. My work, filtered with the keyboard: the flat rubric's work of today, waiting for review.
    await page.goto('/work/mine');
    await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    await page.locator('tbody.sub').first().waitFor();
    await tabTo(page, /^Status$/);
    await page.keyboard.type('Waiting');
    await page.keyboard.press('Tab');
    await page.keyboard.type(`${tag}-rubric`);
    const today = new Date().toISOString().slice(0, 10);
    // Tab walks through a date field's month, day and year before it leaves it.
    await tabTo(page, /^From \(UTC\)$/);
    await page.keyboard.type(typedDay(today));
    await tabTo(page, /^Until, inclusive \(UTC\)$/, 5);
    await page.keyboard.type(typedDay(today));
    await tabTo(page, /^Show$/);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('project') === String(projects.find((p) => p.name === 'rubric').id));
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('status'), 'submitted');
    assert.equal(url.searchParams.get('from'), today);
    assert.equal(url.searchParams.get('to'), today);
    const lines = page.locator('tbody.sub');
    await page.waitForFunction(() => document.querySelectorAll('tbody.sub').length === 2);
    for (const id of ids.rubric) await page.getByTestId(`units-${id}`).waitFor();
    // Each line sums up the answer; its detail, opened with the keyboard, shows it as given: the scores by criterion, not JSON.
    const line = lines.first();
    await line.locator('.mw-summary').filter({ hasText: /\b3\b.*\b5\b|\b5\b.*\b3\b/ }).waitFor();
    await line.getByRole('button', { name: /^Show details of / }).focus();
    await page.keyboard.press('Enter');
    await line.getByText('3 (Fair)').waitFor();
    await line.getByText('5 (Excellent)').waitFor();
    assert.doesNotMatch(await line.innerText(), /"scores"/);
    await check('my work, filtered');
    await axeClean(page, 'my work, filtered');
    await screenshot(page, `workday-my-work-${viewport.width}`);
    // The accepted line is kept out of "waiting"; "Accepted" finds it, with what it earned.
    await tabTo(page, /^Status$/, 40, 'Shift+Tab');
    await page.keyboard.type('Acc');
    await tabTo(page, /^Project$/);
    await page.keyboard.type(`${tag}-classification`);
    await tabTo(page, /^Show$/);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('status') === 'accepted');
    await page.waitForFunction(() => document.querySelectorAll('tbody.sub').length === 1);
    const accepted = (await mySubmissions(me, first.id)).find((s) => s.status === 'accepted');
    await page.getByTestId(`units-${accepted.id}`).filter({ hasText: /earned \+\d/ }).waitFor();
    await lines.first().getByText('Negative').waitFor();

    // 5. The statement read: the accepted item is one line, and the books add up.
    await page.goto(`/equity/statement?model=${model.id}`);
    await page.getByTestId(`row-sub:${accepted.id}`).filter({ hasText: 'accepted' }).waitFor();
    assert.match(await page.getByTestId('st-check').innerText(), /✓/);
    await tabTo(page, new RegExp(`^Details of submission ${accepted.id}$`));
    await page.keyboard.press('Enter');
    await page.getByTestId(`contribution-${accepted.id}`).first().getByTestId('contribution-status').filter({ hasText: 'Accepted' }).waitFor();
    await check('statement');
    await axeClean(page, 'statement');
    assert.deepEqual(problems, [], `page problems:\n${problems.join('\n')}`);
  } finally {
    await page.context().close();
  }
}

describe('a working day, keyboard only', () => {
  test('20 tasks of all eight types with remapped keys, the forced break, My work filtered, the statement read', async () => {
    await session(DEMO.labeller, { tag: 'DayA', viewport: { width: 1280, height: 800 } });
  });

  test('the same session on a 390 px phone, no page wider than the screen', async () => {
    await session({ login: 'labeller2', password: DEMO.labeller.password }, { tag: 'DayB', viewport: { width: 390, height: 844 } });
  });
});
