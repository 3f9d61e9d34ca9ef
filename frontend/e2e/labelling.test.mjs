// Labelling e2e: coordinator pages, every task type done keyboard-only, the
// submit surviving a dead network, XSS in data and instructions, and axe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, formatViolations, launchBrowser, login, newPage, screenshot, startServer } from './harness.mjs';
import { DEMO, apiClient, mySubmissions, openWorkbench, setupProject, waitAllDone } from './labelling-helpers.mjs';

let server;
let browser;
let coord;
let lab;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  coord = await apiClient(server.url, DEMO.coordinator);
  lab = await apiClient(server.url, DEMO.labeller);
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

// Log in through the form once and reuse the session cookie: the server
// rate-limits logins, and a dozen fresh logins a minute would trip it.
let labCookies;
async function labellerPage() {
  const p = await newPage(browser, server.url);
  if (labCookies) await p.context.addCookies(labCookies);
  else {
    await login(p.page, DEMO.labeller.login, DEMO.labeller.password);
    labCookies = await p.context.cookies();
  }
  return p;
}

describe('coordinator pages', () => {
  test('a coordinator creates a model and a project, imports JSONL through the page, opens it; a labeller answers with the keyboard', async () => {
    const c = await newPage(browser, server.url);
    const l = await labellerPage();
    try {
      const page = c.page;
      await login(page, DEMO.coordinator.login, DEMO.coordinator.password);
      await page.goto('/admin/projects');
      await page.getByRole('heading', { level: 1, name: 'Models & projects' }).waitFor();
      await page.getByLabel('Model name').fill('Sentiment UI model');
      await page.getByLabel('Base model').fill('tiny-llm');
      await page.getByRole('button', { name: 'Create model' }).click();
      await page.getByText('Created the model Sentiment UI model.').waitFor();
      await axeClean(page, 'projects list');

      await page.getByRole('link', { name: 'New project' }).click();
      await page.getByRole('heading', { level: 1, name: 'New project' }).waitFor();
      await page.getByLabel('Project name').fill('UI sentiment');
      await page.getByLabel('Model').selectOption({ label: 'Sentiment UI model' });
      await page.getByLabel('Task type').selectOption('classification');
      await page.getByLabel('Instructions (Markdown)').fill('# Be kind\n\nPick the **overall** tone.');
      // The live preview renders the real editor with a sample item.
      const preview = page.getByRole('region', { name: "Live preview of the labeller's view" });
      await preview.getByRole('radio', { name: /Positive/ }).waitFor();
      await page.getByText('The schema is valid.').waitFor();
      // A broken schema is reported by the server's validator.
      await page.getByText('Advanced: the schema as JSON').click();
      const schemaBox = page.getByLabel('Schema (JSON)');
      const good = await schemaBox.inputValue();
      await schemaBox.fill('{"choices":[{"value":"only"}]}');
      await page.locator('#pf-schema-status.schema-bad').filter({ hasText: /invalid_schema/ }).waitFor();
      await schemaBox.fill(good);
      await page.getByText('The schema is valid.').waitFor();
      await axeClean(page, 'project editor');
      await screenshot(page, 'project-editor');
      await page.getByRole('button', { name: 'Create project' }).click();
      await page.getByRole('heading', { level: 1, name: 'UI sentiment' }).waitFor();
      const projectId = Number(new URL(page.url()).pathname.split('/').pop());

      // A bad line is reported with its number and nothing is imported.
      await page.getByLabel('File to import').setInputFiles({ name: 'bad.jsonl', mimeType: 'application/octet-stream', buffer: Buffer.from('{"text":"ok"}\n{"text":\n') });
      await page.getByRole('button', { name: 'Upload and import' }).click();
      await page.getByRole('alert').filter({ hasText: /line 2:/i }).waitFor();

      const lines = ['{"text":"What a lovely day"}', '{"text":"Terrible service"}'].join('\n') + '\n';
      await page.getByLabel('File to import').setInputFiles({ name: 'items.jsonl', mimeType: 'application/octet-stream', buffer: Buffer.from(lines) });
      assert.equal(await page.getByLabel('Format').inputValue(), 'jsonl');
      await page.getByRole('button', { name: 'Upload and import' }).click();
      await page.getByTestId('import-report').filter({ hasText: 'Imported 2 items' }).waitFor();
      await page.getByRole('button', { name: 'Open for labelling' }).click();
      await page.getByText('The project is open: labellers can start.').waitFor();
      await page.getByText(/0 of 2 answers done/).waitFor();
      await axeClean(page, 'project detail');
      await screenshot(page, 'project-detail');

      // The labeller picks the project and answers with the keyboard only.
      const lp = l.page;
      await lp.goto('/work');
      await lp.getByRole('link', { name: 'Start labelling UI sentiment' }).click();
      await lp.locator('.task[data-assignment]').waitFor();
      await lp.getByRole('heading', { name: 'Be kind' }).waitFor();
      await lp.keyboard.press('1');
      await lp.keyboard.press('Enter');
      await lp.locator('.task[data-assignment]').filter({ hasText: 'Terrible service' }).waitFor();
      const subs = await mySubmissions(lab, projectId);
      assert.equal(subs.length, 1);
      assert.deepEqual(subs[0].answer, { choice: 'positive' });
      assert.equal(subs[0].data.text, 'What a lovely day');

      await page.reload();
      await page.getByText(/1 of 2 answers done/).waitFor();
      assertClean(c.problems);
      assertClean(l.problems);
    } finally {
      await c.context.close();
      await l.context.close();
    }
  });
});

describe('the schema builder', () => {
  test('a coordinator builds a rubric schema with the form only, and the project keeps exactly that schema', async () => {
    const c = await newPage(browser, server.url);
    try {
      const page = c.page;
      await login(page, DEMO.coordinator.login, DEMO.coordinator.password);
      await page.goto('/admin/projects/new');
      await page.getByRole('heading', { level: 1, name: 'New project' }).waitFor();
      await page.getByLabel('Project name').fill('Form-built rubric');
      await page.getByLabel('Task type').selectOption('rubric');
      const form = page.getByTestId('schema-form');
      await form.getByLabel('Criterion 1 label').waitFor();
      // A typed id stays when the label changes; an id made from the label follows it.
      await form.getByLabel('Criterion 1 label').fill('Clarity');
      assert.equal(await form.getByLabel('Criterion 1 id').inputValue(), 'helpful');
      await form.getByLabel('Criterion 1 id').fill('clarity');
      await form.getByRole('button', { name: 'Remove criterion 3' }).click();
      await form.getByRole('button', { name: 'Move criterion 2 up' }).click();
      // A criterion of its own, with a three-point scale.
      await form.getByRole('button', { name: 'Add criterion', exact: true }).click();
      await form.getByLabel('Criterion 3 label').fill('Uses the sources');
      assert.equal(await form.getByLabel('Criterion 3 id').inputValue(), 'uses_the_sources');
      await form.getByLabel('Criterion 3 id').fill('sourced');
      for (let i = 0; i < 3; i++) await form.getByRole('button', { name: 'Add Criterion 3 point' }).click();
      await form.getByLabel('Criterion 3 Point 1 label').fill('Not at all');
      await form.getByLabel('Criterion 3 Point 3 label').fill('Fully');
      await form.getByLabel('Optional', { exact: true }).nth(2).check();
      await form.getByLabel('Rationale').selectOption('required');
      await form.getByLabel('Prompt field').fill('');
      await form.getByLabel('Response field').fill('answer');
      // The server's validator judges what the form built; the preview follows.
      await page.getByText('The schema is valid.').waitFor();
      const preview = page.getByRole('region', { name: "Live preview of the labeller's view" });
      await preview.getByText('Uses the sources (optional)').waitFor();
      await axeClean(page, 'schema builder');

      // A clash is the server's to name, and the form keeps working.
      await form.getByLabel('Criterion 3 id').fill('clarity');
      await page.locator('#pf-schema-status.schema-bad').filter({ hasText: /clarity/ }).waitFor();
      await form.getByLabel('Criterion 3 id').fill('sourced');
      await page.getByText('The schema is valid.').waitFor();

      await page.getByRole('button', { name: 'Create project' }).click();
      await page.getByRole('heading', { level: 1, name: 'Form-built rubric' }).waitFor();
      const id = Number(new URL(page.url()).pathname.split('/').pop());
      const p = await coord.call('GET', `/api/projects/${id}`);
      assert.equal(p.task_type, 'rubric');
      assert.equal(p.schema.prompt_field, '');
      assert.equal(p.schema.response_field, 'answer');
      assert.equal(p.schema.rationale, 'required');
      assert.deepEqual(
        p.schema.criteria.map((c) => [c.id, c.label, c.optional === true, c.scale.map((s) => `${s.value}:${s.label}`).join(' ')]),
        [
          ['honest', 'Honesty', false, '1:Very poor 2:Poor 3:Fair 4:Good 5:Excellent'],
          ['clarity', 'Clarity', false, '1:Very poor 2:Poor 3:Fair 4:Good 5:Excellent'],
          ['sourced', 'Uses the sources', true, '1:Not at all 2:2 3:Fully'],
        ],
      );
      assertClean(c.problems);
    } finally {
      await c.context.close();
    }
  });
});

const TYPES = [
  {
    task_type: 'classification',
    schema: { field: 'text', choices: [{ value: 'pos', label: 'Positive' }, { value: 'neg', label: 'Negative' }] },
    items: [{ text: 'Fine.' }],
    keys: ['2', 'Enter'],
    expect: () => ({ choice: 'neg' }),
  },
  {
    task_type: 'multilabel',
    schema: { field: 'text', choices: [{ value: 'a', label: 'Alpha' }, { value: 'b', label: 'Beta' }, { value: 'c', label: 'Gamma' }] },
    items: [{ text: 'Both alpha and gamma.' }],
    keys: ['3', '1', 'Enter'],
    expect: () => ({ choices: ['a', 'c'] }),
  },
  {
    task_type: 'spans',
    schema: { field: 'text', labels: [{ value: 'EMO', label: 'Emoji' }, { value: 'PLACE', label: 'Place' }], allow_overlap: true },
    items: [{ text: 'Hi 🙂 in 東京' }],
    // Caret after "Hi ", select the emoji, label it; then select 東京 and label it.
    keys: ['ArrowRight', 'ArrowRight', 'ArrowRight', 'Shift+ArrowRight', '1', 'End', 'Shift+ArrowLeft', 'Shift+ArrowLeft', '2', 'Enter'],
    expect: () => ({
      spans: [
        { start: 3, end: 4, label: 'EMO', text: '🙂' },
        { start: 8, end: 10, label: 'PLACE', text: '東京' },
      ],
    }),
  },
  {
    task_type: 'pairwise',
    schema: { prompt_field: 'prompt', a_field: 'response_a', b_field: 'response_b', strength: true, rationale: 'optional' },
    items: [{ prompt: 'Say hi', response_a: 'Hello there!', response_b: 'go away' }],
    keys: ['a', '2', 'Enter'],
    // "A" is the LEFT response: response a when shown "ab", response b when "ba".
    expect: (got) => ({ choice: got.shown_order === 'ba' ? 'b' : 'a', strength: 2, shown_order: got.shown_order }),
  },
  {
    task_type: 'ranking',
    schema: { prompt_field: 'prompt', responses_field: 'responses', allow_ties: true },
    items: [{ prompt: 'Name a colour', responses: [{ id: 'r1', text: 'blue' }, { id: 'r2', text: 'red' }, { id: 'r3', text: 'green' }] }],
    // The order is shuffled per labeller (shown_order): select the second,
    // move it to the top; select the third and tie it with the one above.
    keys: ['ArrowDown', 'Shift+ArrowUp', 'ArrowDown', 'ArrowDown', 't', 'Enter'],
    expect: (got) => {
      const [a, b, c] = got.shown_order;
      return { ranking: [[b], [a, c].sort()], shown_order: [a, b, c] };
    },
  },
  {
    task_type: 'rubric',
    schema: { response_field: 'response', criteria: [{ id: 'helpful', label: 'Helpful' }, { id: 'correct', label: 'Correct' }], rationale: 'off' },
    items: [{ prompt: 'Boil an egg?', response: 'Seven minutes.' }],
    keys: ['4', '5', 'ArrowUp', '3', 'Enter'],
    expect: () => ({ scores: { helpful: 3, correct: 5 } }),
  },
  {
    task_type: 'rewrite',
    schema: { field: 'response', prompt_field: 'prompt' },
    items: [{ prompt: 'Greet', response: 'hey you' }],
    keys: ['End', 'type: there, please', 'Control+Enter'],
    expect: () => ({ text: 'hey you there, please' }),
  },
  {
    task_type: 'moderation',
    schema: {
      field: 'text',
      categories: [
        { value: 'none', label: 'No violation', exclusive: true },
        { value: 'hate', label: 'Hate' },
      ],
    },
    items: [{ data: { text: 'A nasty insult 🙂' }, sensitive: true }],
    // r reveals the sensitive item, w = Hate, 2 = Medium severity.
    keys: ['r', 'w', '2', 'Enter'],
    expect: () => ({ categories: ['hate'], severity: 2 }),
    sensitive: true,
  },
];

describe('Label Studio import', () => {
  test('a Label Studio file with annotations is refused without a choice, then imported with "prior" by keyboard; the report counts them', async () => {
    const c = await newPage(browser, server.url);
    try {
      const page = c.page;
      const model = await coord.call('POST', '/api/models', { name: `LS e2e model ${Date.now()}`, base_model: 'none', description: '' });
      const p = await coord.call('POST', '/api/projects', {
        model_id: model.id,
        name: 'LS prior import',
        overlap: 1,
        add_all_members: false,
        ls_config: '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="positive"/><Choice value="negative"/></Choices></View>',
      });
      const ann = (who, choice) => ({ completed_by: { email: who }, lead_time: 2.5, result: [{ type: 'choices', from_name: 'sentiment', to_name: 'text', value: { choices: [choice] } }] });
      const file = JSON.stringify([
        { id: 1, data: { text: 'Labelled before, twice.' }, annotations: [ann('a@example.org', 'positive'), ann('b@example.org', 'negative')] },
        { id: 2, data: { text: 'Labelled before, once.' }, annotations: [ann('a@example.org', 'negative')] },
      ]);
      await login(page, DEMO.coordinator.login, DEMO.coordinator.password);
      await page.goto(`/admin/projects/${p.id}`);
      await page.getByRole('heading', { level: 1, name: 'LS prior import' }).waitFor();
      await page.getByLabel('File to import').setInputFiles({ name: 'ls.json', mimeType: 'application/json', buffer: Buffer.from(file) });
      assert.equal(await page.getByLabel('Format').inputValue(), 'labelstudio');
      // No choice: refused, counted, nothing stored.
      await page.getByRole('button', { name: 'Upload and import' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('alert').filter({ hasText: /carry 3 Label Studio annotations/ }).waitFor();
      // Keyboard only: type-ahead picks "Prior annotations…", Tab walks to the button.
      await page.getByLabel('Label Studio annotations').focus();
      await page.keyboard.type('Prior');
      assert.equal(await page.getByLabel('Label Studio annotations').inputValue(), 'prior');
      for (let i = 0; i < 10; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(() => document.activeElement?.textContent === 'Upload and import')) break;
      }
      await page.keyboard.press('Enter');
      const report = page.getByTestId('import-report');
      await report.filter({ hasText: 'Imported 2 items' }).waitFor();
      await page.getByTestId('import-annotations').filter({ hasText: 'Annotations: kept 3, converted 0, dropped 0' }).waitFor();
      await page.getByTestId('import-annotations').filter({ hasText: 'Prior annotations stored: 3' }).waitFor();
      await axeClean(page, 'import report with annotation counts');
    } finally {
      await c.context.close();
    }
  });
});

describe('every task type, keyboard only', () => {
  for (const t of TYPES) {
    test(`${t.task_type}`, async () => {
      const p = await setupProject(coord, { name: `kb ${t.task_type}`, task_type: t.task_type, schema: t.schema, instructions: `Do the ${t.task_type} task.`, items: t.items });
      const { context, page, problems } = await labellerPage();
      try {
        await openWorkbench(page, p.id);
        if (t.sensitive) {
          // Veiled until revealed: the text is blurred and inert.
          await page.getByRole('group', { name: 'Content warning' }).waitFor();
          assert.equal(await page.locator('.task-editor[inert]').count(), 1);
          await page.getByText(/Sensitive items left today/).waitFor();
          await page.getByRole('button', { name: 'Take a break' }).waitFor();
        }
        if (t.task_type === 'classification' || t.task_type === 'spans' || t.task_type === 'pairwise') {
          await axeClean(page, `workbench ${t.task_type}`);
          await screenshot(page, `workbench-${t.task_type}`);
        }
        for (const k of t.keys) {
          if (k.startsWith('type:')) await page.keyboard.type(' ' + k.slice(5).trim());
          else await page.keyboard.press(k);
          if (k === 'r' && t.sensitive) {
            await page.locator('.task-editor:not([inert])').waitFor();
            await axeClean(page, 'revealed moderation item');
          }
        }
        await waitAllDone(page);
        const subs = await mySubmissions(lab, p.id);
        assert.equal(subs.length, 1, 'exactly one submission');
        assert.deepEqual(subs[0].answer, t.expect(subs[0].answer));
        if (t.task_type === 'pairwise') assert.match(subs[0].answer.shown_order, /^(ab|ba)$/);
        assertClean(problems);
      } finally {
        await context.close();
      }
    });
  }

  test('the shortcut dialog lists every key and instructions reopen with i', async () => {
    const p = await setupProject(coord, {
      name: 'kb help',
      task_type: 'classification',
      schema: TYPES[0].schema,
      instructions: 'Read me.',
      items: [{ text: 'x' }],
    });
    const { context, page, problems } = await labellerPage();
    try {
      await openWorkbench(page, p.id);
      await page.keyboard.press('i');
      await page.locator('#wb-instructions[hidden]').waitFor({ state: 'attached' });
      await page.keyboard.press('i');
      await page.getByText('Read me.').waitFor();
      await page.keyboard.press('Shift+?');
      const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await dialog.waitFor();
      for (const s of ['Submit', 'Skip this item', 'Undo', 'Choose “Negative”']) await dialog.getByText(s, { exact: false }).first().waitFor();
      await axeClean(page, 'shortcut dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      // S skips with an optional reason.
      await page.keyboard.press('s');
      await page.getByLabel('Reason (optional)').fill('not sure');
      await page.keyboard.press('Enter');
      await waitAllDone(page);
      assert.equal((await mySubmissions(lab, p.id)).length, 0);
      assertClean(problems);
    } finally {
      await context.close();
    }
  });
});

describe('resilience', () => {
  test('the network dies mid-submit; the answer lands exactly once after recovery', async () => {
    const p = await setupProject(coord, {
      name: 'flaky',
      task_type: 'classification',
      schema: TYPES[0].schema,
      items: [{ text: 'first' }, { text: 'second' }],
    });
    const { context, page, problems } = await labellerPage();
    try {
      await openWorkbench(page, p.id);
      let n = 0;
      const keys = [];
      await page.route('**/api/submissions', async (route) => {
        n++;
        keys.push(JSON.parse(route.request().postData()).idempotency_key);
        if (n === 1) {
          // The server stores it, but the answer never reaches the browser.
          await route.fetch();
          await route.abort('connectionreset');
        } else if (n === 2) {
          await route.abort('internetdisconnected');
        } else {
          await route.continue();
        }
      });
      await page.keyboard.press('1');
      await page.keyboard.press('Enter');
      await page.getByText(/Your answer is safe on this device/).waitFor();
      await page.locator('.task[data-assignment]').filter({ hasText: 'second' }).waitFor({ timeout: 20_000 });
      assert.ok(n >= 3, `attempts: ${n}`);
      assert.equal(new Set(keys).size, 1, 'every retry used the same idempotency key');
      const subs = await mySubmissions(lab, p.id);
      assert.equal(subs.length, 1, 'exactly one submission');
      assert.deepEqual(subs[0].answer, { choice: 'pos' });
      assert.equal(await page.evaluate(() => localStorage.getItem('copyhold.pendingSubmits')), null);
      assertClean(problems);
    } finally {
      await context.close();
    }
  });
});

describe('untrusted content', () => {
  test('scripts, onerror images and javascript: links in data and instructions never run and show as text', async () => {
    const evil = '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> [click me](javascript:window.__pwned=3)';
    const p = await setupProject(coord, {
      name: 'xss',
      task_type: 'classification',
      schema: {
        field: 'text',
        choices: [
          { value: 'a', label: '<img src=x onerror="window.__pwned=4">' },
          { value: 'b', label: 'B' },
        ],
      },
      instructions: `# <script>window.__pwned=5</script>\n\n${evil}\n\n- <b onmouseover="window.__pwned=6">bold?</b>`,
      items: [{ text: evil }],
    });
    const { context, page, problems } = await labellerPage();
    const dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    try {
      await openWorkbench(page, p.id);
      await page.locator('.item-text').filter({ hasText: '<script>window.__pwned=1</script>' }).waitFor();
      await page.locator('#wb-instructions').getByText('<script>window.__pwned=5</script>').waitFor();
      await page.getByText('<img src=x onerror="window.__pwned=4">').waitFor();
      assert.equal(await page.locator('main img, main script').count(), 0);
      assert.equal(await page.locator('a[href^="javascript"]').count(), 0);
      await page.locator('#wb-instructions').getByText(/click me/).first().click();
      await page.locator('#wb-instructions').getByText(/bold\?/).hover();
      await page.keyboard.press('2');
      await page.keyboard.press('Enter');
      await waitAllDone(page);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.deepEqual(dialogs, []);
      const subs = await mySubmissions(lab, p.id);
      assert.equal(subs[0].data.text, evil);
      // My work shows the same data and answer as text.
      await page.goto('/work/mine');
      await page.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
      const line = page.locator('tbody.sub').filter({ hasText: 'xss' }).first();
      await line.getByText('Waiting for review').waitFor();
      // The line's item text and answer in one line, the markup as text; then the detail.
      await line.locator('.mw-clip').filter({ hasText: '<script>window.__pwned=1</script>' }).waitFor();
      await line.getByRole('button', { name: /^Show details of / }).click();
      const detail = line.getByRole('region', { name: /^Details of / });
      await detail.locator('.item-text').filter({ hasText: '<script>window.__pwned=1</script>' }).waitFor();
      await detail.getByText('B', { exact: true }).waitFor();
      assert.equal(await line.locator('img, script').count(), 0);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      await axeClean(page, 'my work');
      assertClean(problems);
    } finally {
      await context.close();
    }
  });
});

describe('my work', () => {
  test('a labeller reopens a not-yet-reviewed submission and amends it', async () => {
    const p = await setupProject(coord, { name: 'amend', task_type: 'classification', schema: TYPES[0].schema, items: [{ text: 'amend me' }] });
    const { context, page, problems } = await labellerPage();
    try {
      await openWorkbench(page, p.id);
      await page.keyboard.press('1');
      await page.keyboard.press('Enter');
      await waitAllDone(page);
      await page.goto('/work/mine');
      const card = page.locator('tbody.sub').filter({ hasText: 'amend' }).first();
      // Enter on the disclosure button opens the line.
      await card.getByRole('button', { name: /^Show details of / }).focus();
      await page.keyboard.press('Enter');
      await card.getByRole('button', { name: 'Reopen and amend' }).click();
      await card.getByRole('radio', { name: /Negative/ }).check();
      await card.getByRole('button', { name: 'Save amended answer' }).click();
      await page.getByText('Your amended answer was saved.').waitFor();
      const subs = await mySubmissions(lab, p.id);
      assert.deepEqual(subs[0].answer, { choice: 'neg' });
      assertClean(problems);
    } finally {
      await context.close();
    }
  });
});
