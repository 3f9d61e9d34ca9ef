// Issue 18, keyboard only: a member remaps workbench shortcuts on the
// Account page (conflicts and reserved keys refused) and labels with them;
// then moderator wellbeing: opt-in categories, greyscale, "this affected me"
// (only the designated contact is told), and the forced break after a run
// of sensitive items, with its countdown, enforced by the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, formatViolations, launchBrowser, login, newPage, startServer } from './harness.mjs';
import { DEMO, apiClient, openWorkbench, setupProject, tabTo as tabToOn } from './labelling-helpers.mjs';

let server;
let browser;
let coord;
let lab;
let rev;
let contact;
let page;
let problems;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  coord = await apiClient(server.url, DEMO.coordinator);
  lab = await apiClient(server.url, DEMO.labeller);
  rev = await apiClient(server.url, DEMO.reviewer);
  contact = await apiClient(server.url, { login: 'labeller3', password: DEMO.labeller.password });
  ({ page, problems } = await newPage(browser, server.url));
  await login(page, DEMO.labeller.login, DEMO.labeller.password);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const tabTo = (re, max) => tabToOn(page, re, max);

async function keys() {
  const r = await lab.call('GET', '/api/me/shortcuts');
  return Object.fromEntries(r.shortcuts.map((b) => [b.action, b.key]));
}

const CLASSES = { field: 'text', choices: [{ value: 'ok', label: 'Acceptable' }, { value: 'bad', label: 'Harmful' }] };

describe('keyboard shortcuts', () => {
  test('remapped on the Account page, refused on a conflict or a reserved key, and used on the workbench', async () => {
    const p = await setupProject(coord, {
      name: 'Keys e2e',
      task_type: 'classification',
      schema: CLASSES,
      items: [{ text: 'plain one' }, { text: 'plain two' }, { text: 'plain three' }],
    });
    await page.goto('/account');
    await page.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor();

    await tabTo(/^Change the key for Skip this item$/);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Press the new key for Skip this item' }).waitFor();
    await page.keyboard.press('i');
    await page.getByRole('alert').filter({ hasText: 'I already does “Show or hide the instructions”' }).waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.press(' ');
    await page.getByRole('alert').filter({ hasText: 'Space is kept' }).waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.press('q');
    await page.getByText('“Skip this item” is now Q.').waitFor();

    await tabTo(/^Change the key for Option 1$/);
    await page.keyboard.press('Enter');
    await page.keyboard.press('w');
    await page.getByText('“Option 1” is now W.').waitFor();
    const k = await keys();
    assert.equal(k.skip, 'q');
    assert.equal(k.option_1, 'w');
    // The server refuses what the page refuses.
    await lab.call('PUT', '/api/me/shortcuts', { keys: { skip: 'i' } }, { expect: 400 });

    const first = await openWorkbench(page, p.id);
    const task = page.locator('.task');
    assert.match(await task.getByRole('button', { name: /^Skip/ }).innerText(), /Q/);
    assert.match(await page.locator('label.choice').first().innerText(), /W/);
    // The old skip key does nothing now; the new one opens the skip dialog.
    await page.keyboard.press('s');
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('dialog').count(), 0, 's still opens a dialog');
    await page.keyboard.press('w');
    assert.equal(await page.getByRole('radio', { name: /Acceptable/ }).isChecked(), true);
    await page.keyboard.press('Enter');
    await page.waitForFunction((a) => document.querySelector('.task[data-assignment]')?.getAttribute('data-assignment') !== a, first);
    const second = await page.locator('.task[data-assignment]').getAttribute('data-assignment');
    await page.keyboard.press('q');
    await page.getByRole('dialog', { name: 'Skip this item?' }).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForFunction((a) => document.querySelector('.task[data-assignment]')?.getAttribute('data-assignment') !== a, second);
    // The shortcut list shows the member's keys.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    assert.match(await help.getByRole('row', { name: /Skip this item/ }).innerText(), /^Q/);
    const v = await axeViolations(page);
    assert.equal(v.length, 0, formatViolations(v));
    await page.keyboard.press('Escape');

    await page.goto('/account');
    await page.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor();
    await tabTo(/^Reset to defaults$/);
    await page.keyboard.press('Enter');
    await page.getByText('Every key is back to its default.').waitFor();
    assert.equal((await keys()).skip, 's');
    assert.deepEqual(problems, []);
  });
});

describe('wellbeing', () => {
  test('opt-in categories, this affected me, and the forced break after a run', async () => {
    const care = (await coord.call('GET', '/api/members?limit=100')).items.find((m) => m.login === 'labeller3');
    await coord.call('PUT', '/api/wellbeing/settings', { contact_member_id: care.id, daily_minutes: 120, task_cap_minutes: 5, break_after: 2, break_minutes: 1 });
    const p = await setupProject(coord, {
      name: 'Sensitive e2e',
      task_type: 'classification',
      schema: CLASSES,
      items: [
        { data: { text: 'a hateful post' }, categories: ['hate'], priority: 9 },
        { data: { text: 'violent one' }, categories: ['violence'], priority: 5 },
        { data: { text: 'violent two' }, categories: ['violence'], priority: 4 },
        { data: { text: 'violent three' }, categories: ['violence'], priority: 3 },
      ],
    });
    // Nothing is sent before the member opts in, and the answer says why.
    const none = await fetch(`${server.url}/api/projects/${p.id}/next`, { method: 'POST', headers: { Authorization: `Bearer ${lab.token}` } });
    assert.equal(none.status, 404);
    assert.match((await none.json()).message, /4 left are sensitive items of kinds you have not opted into/);

    await page.goto('/account');
    await page.getByRole('heading', { name: 'Sensitive content' }).waitFor();
    await tabTo(/^\s*Violence$/);
    await page.keyboard.press(' ');
    await page.getByText('You will now be sent items marked “Violence”.').waitFor();
    assert.deepEqual((await lab.call('GET', '/api/me/wellbeing')).categories, ['violence']);

    await openWorkbench(page, p.id);
    assert.equal(await page.locator('.task-body.greyscale').count(), 1, 'images are not greyscale by default');
    await page.keyboard.press('r');
    const text = () => page.locator('.item-text').first().innerText();
    assert.equal(await text(), 'violent one');

    // This affected me: the contact is told, and nobody else.
    await tabTo(/^This affected me$/);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'This affected me' }).waitFor();
    await page.keyboard.type('the first one');
    await tabTo(/^Pause sensitive work and tell the contact$/);
    await page.keyboard.press('Enter');
    await page.getByText('the co-op’s wellbeing contact has been told').waitFor();
    const notices = await contact.call('GET', '/api/wellbeing/notices');
    assert.equal(notices.items.length, 1);
    assert.equal(notices.items[0].note, 'the first one');
    for (const other of [rev, coord, lab]) assert.deepEqual((await other.call('GET', '/api/wellbeing/notices')).items, []);
    await lab.call('POST', `/api/projects/${p.id}/next`, undefined, { expect: 409 });

    await tabTo(/^Resume sensitive work$/);
    await page.keyboard.press('Enter');
    await page.getByText('Sensitive work resumed.').waitFor();

    // A run of two sensitive items, then the break.
    let shown = await openWorkbench(page, p.id);
    for (const want of ['violent one', 'violent two']) {
      await page.keyboard.press('r');
      assert.equal(await text(), want);
      await page.keyboard.press('1');
      await page.keyboard.press('Enter');
      // The next task, or the break screen.
      await page.waitForFunction((a) => document.querySelector('.task[data-assignment]')?.getAttribute('data-assignment') !== a, shown);
      const next = page.locator('.task[data-assignment]');
      shown = (await next.count()) ? await next.getAttribute('data-assignment') : null;
    }
    await page.getByRole('heading', { name: 'Time for a short break' }).waitFor();
    const countdown = page.getByTestId('break-countdown');
    const before = await countdown.innerText();
    assert.match(before, /You can resume in [01]:\d\d/);
    await page.waitForTimeout(1500);
    assert.notEqual(await countdown.innerText(), before, 'the countdown does not move');
    assert.equal(await page.getByRole('button', { name: 'Resume labelling' }).isDisabled(), true);
    const v = await axeViolations(page);
    assert.equal(v.length, 0, formatViolations(v));

    // The server holds the claim, whatever the page does.
    const res = await fetch(`${server.url}/api/projects/${p.id}/next`, { method: 'POST', headers: { Authorization: `Bearer ${lab.token}` } });
    assert.equal(res.status, 409);
    assert.equal((await res.json()).code, 'wellbeing_break');
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    // The coordinator sees sums, never names.
    const sums = await coord.call('GET', '/api/wellbeing/summary?days=1');
    assert.equal(sums.days[0].breaks, 1);
    assert.ok(!JSON.stringify(sums).includes('member_id'));
    assert.deepEqual(problems, []);
  });
});
