// Conversation e2e, keyboard only (issue 14): a 6-turn chat with a tool call
// (e2e/fixtures/chat.json, German text and emoji). A labeller compares two
// next turns, rates each assistant turn, rewrites the last turn; the
// reviewer sees the ratings turn by turn with the differing turn marked; the
// DPO exports of the comparison project follow the trainers' field rules.
// Also: spans inside one turn, and ranking candidate next turns.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { axeViolations, formatViolations, launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient, mySubmissions, openWorkbench, setupProject, waitAllDone } from './labelling-helpers.mjs';

const CHAT = JSON.parse(readFileSync(new URL('./fixtures/chat.json', import.meta.url), 'utf8'));
const HISTORY = CHAT.messages.slice(0, 6); // up to the user's second question
const LAB2 = { login: 'labeller2', password: DEMO.labeller.password };
const RATING_SCHEMA = {
  conversation_field: 'messages',
  turn: 'each_assistant',
  criteria: [
    { id: 'helpful', label: 'Helpful' },
    { id: 'correct', label: 'Correct', scale: [{ value: 0, label: '👎' }, { value: 1, label: '👍' }] },
  ],
  rationale: 'optional',
};

let server;
let browser;
let coord;
let lab;
let lab2;
let rev;

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

async function axeClean(page, what) {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, `${what}:\n${formatViolations(v)}`);
}

async function press(page, keys) {
  for (const k of keys) {
    if (k.startsWith('type:')) await page.keyboard.type(k.slice(5));
    else await page.keyboard.press(k);
  }
}

/** Accepts every pending submission of the next review through the API. */
async function acceptAll(projectId) {
  const r = await rev.call('POST', `/api/projects/${projectId}/review/next`);
  const decisions = r.submissions.filter((s) => s.pending).map((s) => ({ submission_id: s.id, decision: 'accept' }));
  await rev.call('POST', '/api/review/decisions', { lease_token: r.lease_token, idempotency_key: randomUUID(), decisions }, { expect: 201 });
}

// ---- the trainers' field rules (as labeling/dataset/export_conv_test.go checks them) ----

/** TRL's is_conversational: the first of these keys present is a list whose first element has role and content. */
function isConversational(row) {
  for (const k of ['prompt', 'chosen', 'rejected', 'completion', 'messages']) {
    if (k in row) {
      const v = row[k];
      return Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null && 'role' in v[0] && 'content' in v[0];
    }
  }
  return false;
}

/** Checks chat messages; OpenAI rows carry tool call arguments as JSON text, TRL rows as objects. */
function checkMessages(list, openai, where) {
  assert.ok(Array.isArray(list) && list.length > 0, `${where}: a non-empty list`);
  list.forEach((m, i) => {
    for (const k of Object.keys(m)) assert.ok(['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'weight'].includes(k), `${where}[${i}]: key ${k}`);
    assert.ok(['system', 'user', 'assistant', 'tool'].includes(m.role), `${where}[${i}]: role ${m.role}`);
    assert.equal(typeof m.content, 'string', `${where}[${i}]: content is a string`);
    assert.ok(!('id' in m), `${where}[${i}]: turn ids stay inside copyhold`);
    if (m.tool_calls) {
      assert.equal(m.role, 'assistant');
      for (const c of m.tool_calls) {
        if (openai) assert.doesNotThrow(() => JSON.parse(c.function.arguments), `${where}[${i}]: arguments are JSON text`);
        else assert.equal(typeof c.function.arguments, 'object', `${where}[${i}]: arguments are an object`);
      }
    } else if (m.role !== 'tool') assert.ok(m.content.trim(), `${where}[${i}]: empty content`);
  });
}

function checkTools(tools) {
  assert.ok(Array.isArray(tools));
  for (const t of tools) assert.ok(t.type === 'function' && t.function?.name, 'each tool is a function with a name');
}

function checkOpenAIDPO(row) {
  assert.deepEqual(Object.keys(row).sort(), ['input', 'non_preferred_output', 'preferred_output']);
  for (const k of Object.keys(row.input)) assert.ok(['messages', 'tools'].includes(k), `input.${k}`);
  checkMessages(row.input.messages, true, 'input.messages');
  assert.notEqual(row.input.messages.at(-1).role, 'assistant', 'input ends before the assistant turn');
  if (row.input.tools) checkTools(row.input.tools);
  for (const k of ['preferred_output', 'non_preferred_output']) {
    checkMessages(row[k], true, k);
    assert.equal(row[k].length, 1, `${k} is one message`);
    assert.equal(row[k][0].role, 'assistant', `${k} is an assistant message`);
  }
}

function checkTRLPreference(row) {
  for (const k of Object.keys(row)) assert.ok(['prompt', 'chosen', 'rejected', 'tools'].includes(k), `key ${k}`);
  assert.ok(isConversational(row), 'conversational as TRL decides it');
  checkMessages(row.prompt, false, 'prompt');
  for (const k of ['chosen', 'rejected']) {
    checkMessages(row[k], false, k);
    assert.equal(row[k][0].role, 'assistant', `${k} starts with the assistant turn`);
  }
  if (row.tools) checkTools(row.tools);
}

async function exportLines(snapshotId, format) {
  const r = await fetch(`${server.url}/api/snapshots/${snapshotId}/export?format=${format}`, { headers: { Authorization: `Bearer ${coord.token}` } });
  const text = await r.text();
  assert.equal(r.status, 200, `export ${format}: ${text}`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('conversations', () => {
  test('compare two next turns after a 6-turn chat with a tool call; the DPO exports validate', async () => {
    const p = await setupProject(coord, {
      name: 'Chat: next turn',
      task_type: 'pairwise',
      schema: { conversation_field: 'messages', rationale: 'optional' },
      items: [{ messages: HISTORY, response_a: CHAT.candidates.better, response_b: CHAT.candidates.worse, tools: CHAT.tools }],
    });
    const { page, context, problems } = await pageAs(DEMO.labeller);
    try {
      await openWorkbench(page, p.id);
      const history = page.getByRole('region', { name: 'Conversation so far' });
      await history.waitFor();
      // The system prompt is collapsed; the tool call is formatted JSON with its result under it.
      assert.equal(await history.locator('details.conv-system').getAttribute('open'), null);
      assert.equal(await history.getByLabel('Arguments of count_stock').innerText(), '{\n  "item": "Tomatensamen"\n}');
      assert.match(await history.locator('.conv-result').innerText(), /"lager": "Nord"/);
      assert.match(await history.innerText(), /Und Gurken\? 🥒/);
      await axeClean(page, 'pairwise over a conversation');
      await screenshot(page, 'conversation-pairwise');
      // Sides are randomised per labeller: find the better candidate on screen.
      const leftText = await page.getByRole('region', { name: 'Next turn A' }).innerText();
      const betterLeft = leftText.includes('Gurkensamen');
      await press(page, [betterLeft ? 'a' : 'b', 'Enter']);
      await waitAllDone(page);
      const [sub] = await mySubmissions(lab, p.id);
      assert.equal(sub.answer.choice, 'a', 'the choice names the data field, not the screen side');
      assert.equal(sub.answer.shown_order, betterLeft ? 'ab' : 'ba');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }

    await acceptAll(p.id);
    const snap = await coord.call('POST', '/api/snapshots', { model_id: p.model_id, project_ids: [p.id], mode: 'all' }, { expect: 201 });
    const snapshotId = snap.id ?? snap.snapshot?.id;
    const [dpo] = await exportLines(snapshotId, 'openai-dpo');
    checkOpenAIDPO(dpo);
    assert.deepEqual(
      dpo.input.messages.map((m) => m.content),
      HISTORY.map((m) => m.content),
      'the history, non-ASCII and emoji byte for byte',
    );
    assert.equal(dpo.preferred_output[0].content, CHAT.candidates.better);
    assert.equal(dpo.non_preferred_output[0].content, CHAT.candidates.worse);
    assert.equal(dpo.input.tools[0].function.name, 'count_stock');
    const [trl] = await exportLines(snapshotId, 'trl-dpo-conversational');
    checkTRLPreference(trl);
    assert.deepEqual(trl.prompt[2].tool_calls[0].function.arguments, { item: 'Tomatensamen' });
    assert.equal(trl.chosen[0].content, CHAT.candidates.better);
  });

  test('rate each assistant turn with J/K and number keys; the reviewer sees the ratings per turn', async () => {
    const p = await setupProject(coord, {
      name: 'Chat: rate turns',
      task_type: 'rubric',
      schema: RATING_SCHEMA,
      items: [{ messages: CHAT.messages, tools: CHAT.tools }],
      settings: { overlap: 2 },
    });
    const { page, context, problems } = await pageAs(DEMO.labeller);
    try {
      await openWorkbench(page, p.id);
      await page.locator('.turn-rating').first().waitFor();
      assert.equal(await page.locator('.turn-rating').count(), 3, 'one rating panel per assistant turn');
      await axeClean(page, 'per-turn rating');
      await screenshot(page, 'conversation-rate-turns');
      // Turn 1 (the tool call): helpful 4, correct 👍; turn 2: 5, 👍; back to turn 2
      // (K) and mark it "do not train"; on to turn 3 (J): 2, 👎, and a rationale.
      await press(page, ['4', '1', '5', '1', 'k', 'e', 'j', '2', '0', 'n', 'type:Zu knapp 🙂', 'Escape']);
      assert.match(await page.getByRole('status').filter({ hasText: 'Your answer' }).innerText(), /3 of 3 assistant turns rated · 1 marked do not train/);
      await press(page, ['Enter']);
      await waitAllDone(page);
      const [sub] = await mySubmissions(lab, p.id);
      assert.deepEqual(sub.answer, {
        turns: {
          t2: { scores: { correct: 1, helpful: 4 } },
          t4: { scores: { correct: 1, helpful: 5 }, exclude: true },
          t6: { scores: { correct: 0, helpful: 2 }, rationale: 'Zu knapp 🙂' },
        },
      });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
    // A second labeller agrees on turns 1 and 2 but not on turn 3.
    const t = await lab2.call('POST', `/api/projects/${p.id}/next`);
    await lab2.call(
      'POST',
      '/api/submissions',
      {
        lease_token: t.lease_token,
        idempotency_key: randomUUID(),
        answer: { turns: { t2: { scores: { helpful: 4, correct: 1 } }, t4: { scores: { helpful: 5, correct: 1 }, exclude: true }, t6: { scores: { helpful: 4, correct: 1 } } } },
        lead_time_ms: 1500,
      },
      { expect: 201 },
    );

    const r = await pageAs(DEMO.reviewer);
    try {
      await r.page.goto(`/review/p/${p.id}`);
      await r.page.locator('.rv-item[data-review-id]').waitFor({ timeout: 15_000 });
      // The same transcript, the differing turn marked in it and in each submission.
      const transcript = r.page.getByRole('region', { name: 'Conversation' });
      assert.equal(await transcript.getByLabel('Arguments of count_stock').innerText(), '{\n  "item": "Tomatensamen"\n}');
      assert.equal(await transcript.locator('li[data-turn="t6"] .rv-differs').count(), 1);
      assert.equal(await transcript.locator('li[data-turn="t2"] .rv-differs').count(), 0);
      const subs = r.page.locator('.rv-sub');
      assert.equal(await subs.count(), 2);
      for (let i = 0; i < 2; i++) {
        const perTurn = subs.nth(i).getByRole('list', { name: 'Scores per assistant turn' });
        assert.match(await perTurn.locator('li[data-turn="t6"]').innerText(), /Assistant turn 3[\s\S]*differs/);
        assert.doesNotMatch(await perTurn.locator('li[data-turn="t2"]').innerText(), /differs/);
      }
      assert.match(await subs.nth(0).innerText() + (await subs.nth(1).innerText()), /Zu knapp 🙂/);
      assert.match(await r.page.locator('.rv-fields').innerText(), /Turn t6 · Helpful/);
      await axeClean(r.page, 'review of per-turn ratings');
      await screenshot(r.page, 'conversation-review');
      // Keyboard only: accept the first; correct the second in the same per-turn
      // editor (J J to the third assistant turn, score 2 and 👎), then send.
      await press(r.page, ['a', 'j', 'c']);
      const dlg = r.page.getByRole('dialog', { name: /Correct submission 2/ });
      await dlg.locator('.turn-rating').first().waitFor();
      // The keys work at once: the focus is already in the editor, not the comment box.
      assert.equal(await dlg.locator('.task-editor').evaluate((el) => el.contains(document.activeElement)), true);
      await press(r.page, ['j', 'j', '2', '0', 'Enter']);
      await dlg.waitFor({ state: 'detached' });
      await press(r.page, ['Enter']);
      await r.page.getByRole('heading', { name: 'Nothing to review here right now' }).waitFor({ timeout: 15_000 });
      assert.deepEqual(r.problems, []);
      const [mine] = await mySubmissions(lab2, p.id);
      assert.deepEqual(mine.corrected_answer, {
        turns: { t2: { scores: { correct: 1, helpful: 4 } }, t4: { scores: { correct: 1, helpful: 5 }, exclude: true }, t6: { scores: { correct: 0, helpful: 2 } } },
      });
    } finally {
      await r.context.close();
    }
  });

  test('rewrite the last assistant turn with a diff against the original', async () => {
    const p = await setupProject(coord, {
      name: 'Chat: rewrite',
      task_type: 'rewrite',
      schema: { conversation_field: 'messages', turn: 'last_assistant' },
      items: [{ messages: CHAT.messages, tools: CHAT.tools }],
    });
    const { page, context, problems } = await pageAs(DEMO.labeller);
    try {
      await openWorkbench(page, p.id);
      const box = page.getByLabel('Your rewrite');
      await box.waitFor();
      assert.equal(await box.inputValue(), CHAT.messages[6].content, 'starts from the last assistant turn');
      const before = await page.getByRole('region', { name: 'Conversation before the turn you rewrite' }).innerText();
      assert.match(before, /Und Gurken\?/);
      assert.doesNotMatch(before, /ebenfalls im Lager Nord/, 'the rewritten turn is not in the history');
      // The text box has focus when the task opens.
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'rewrite-text');
      const text = 'Gurken 🥒: zwei Päckchen, auch im Lager Nord.';
      await press(page, ['Control+a', `type:${text}`]);
      const diff = page.getByRole('region', { name: 'Changes' });
      const added = (await diff.locator('ins.diff-add').allInnerTexts()).join(' ');
      const removed = (await diff.locator('del.diff-del').allInnerTexts()).join(' ');
      assert.match(added, /🥒:/);
      assert.match(added, /auch/);
      assert.match(removed, /ebenfalls/);
      await axeClean(page, 'rewrite of the last turn');
      await screenshot(page, 'conversation-rewrite');
      await press(page, ['Control+Enter']);
      await waitAllDone(page);
      const [sub] = await mySubmissions(lab, p.id);
      assert.deepEqual(sub.answer, { text });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('spans inside one turn, offsets in code points of that turn', async () => {
    const p = await setupProject(coord, {
      name: 'Chat: spans',
      task_type: 'spans',
      schema: { conversation_field: 'messages', labels: [{ value: 'ITEM', hotkey: '1' }, { value: 'WORD', hotkey: '2' }] },
      items: [{ messages: CHAT.messages }],
    });
    const { page, context, problems } = await pageAs(DEMO.labeller);
    try {
      await openWorkbench(page, p.id);
      const box = page.getByTestId('span-text');
      assert.equal(await box.innerText(), 'Haben wir noch Tomatensamen? 🍅');
      await axeClean(page, 'spans over a conversation');
      await screenshot(page, 'conversation-spans');
      // The text has focus: jump three words, select into "Tomatensamen" (snaps to the word), label ITEM.
      await press(page, ['Control+ArrowRight', 'Control+ArrowRight', 'Control+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', '1']);
      // J three times: the tool result, the assistant's answer, then the user's second question.
      await press(page, ['j', 'j', 'j']);
      assert.equal(await box.innerText(), 'Und Gurken? 🥒 Bitte kurz.');
      // After the emoji: "Bitte" starts at code point 14 (UTF-16 index 15).
      await press(page, ['Control+ArrowRight', 'Control+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight', '2', 'Enter']);
      await waitAllDone(page);
      const [sub] = await mySubmissions(lab, p.id);
      assert.deepEqual(sub.answer, {
        spans: [
          { turn_id: 't1', start: 15, end: 27, label: 'ITEM', text: 'Tomatensamen' },
          { turn_id: 't5', start: 14, end: 19, label: 'WORD', text: 'Bitte' },
        ],
      });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('rank candidate next turns, one with a tool call', async () => {
    const p = await setupProject(coord, {
      name: 'Chat: rank next turns',
      task_type: 'ranking',
      schema: { conversation_field: 'messages' },
      items: [
        {
          messages: HISTORY,
          tools: CHAT.tools,
          responses: [
            { id: 'r1', messages: [{ role: 'assistant', content: CHAT.candidates.better }] },
            {
              id: 'r2',
              messages: [
                { role: 'assistant', content: '', tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'count_stock', arguments: '{"item":"Gurkensamen"}' } }] },
                { role: 'tool', tool_call_id: 'call_2', content: '{"packets":2}' },
                { role: 'assistant', content: 'Zwei Päckchen Gurkensamen 🥒.' },
              ],
            },
            { id: 'r3', text: CHAT.candidates.worse },
          ],
        },
      ],
    });
    const { page, context, problems } = await pageAs(DEMO.labeller);
    try {
      await openWorkbench(page, p.id);
      await page.getByRole('region', { name: 'Conversation so far' }).waitFor();
      assert.equal(await page.locator('.rank-list').getByLabel('Arguments of count_stock').innerText(), '{\n  "item": "Gurkensamen"\n}');
      await axeClean(page, 'ranking of next turns');
      await screenshot(page, 'conversation-ranking');
      await press(page, ['ArrowDown', 'Shift+ArrowUp', 'Enter']);
      await waitAllDone(page);
      const [sub] = await mySubmissions(lab, p.id);
      const [a, b, c] = sub.answer.shown_order;
      assert.deepEqual(sub.answer, { ranking: [[b], [a], [c]], shown_order: [a, b, c] });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
