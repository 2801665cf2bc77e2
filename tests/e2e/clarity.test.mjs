// End to end: what the admin sees is what will happen (issue 28). A
// selection the filter hides is said before it is revoked; the record
// survives a reload mid-run and can be checked; one person is found on
// every server (DocSpace by login, through its people search) or the panel
// says why not; messages never cover a control; counts are true; the
// activity record is an audit record; Connect completes an address; phones
// show the person and the Revoke button together; and the smaller things.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserForFile, newPage, signInWithToken, signInWithBearer, answerPassword, DOCSPACE, HENSHIN,
  sleep, until, status, alert, confirmWith,
} from './helpers.mjs';

const { withServer } = browserForFile();
const view = (page) => page.locator('.server-view:not([hidden])');
const rowIds = (page) => view(page).getByRole('checkbox', { name: /^Select session/ }).evaluateAll(
  (els) => els.map((e) => e.getAttribute('aria-label').split(' ')[2]));
const tab = (page, name) => page.getByRole('navigation', { name: 'Servers' }).getByRole('button', { name });

async function rocketChat(page, url) {
  await signInWithToken(page, url);
  await page.getByText(/^1–25 of \d+$/).waitFor();
  await page.waitForFunction(() => performance.getEntriesByName('sessiondeck:own-session').length > 0);
}

async function addServer(page, backend, label, secret) {
  await tab(page, 'Add server').click();
  await page.getByLabel('Backend').selectOption(backend);
  await page.getByLabel(label, { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Connect' }).click();
  await view(page).getByText(/^1–\d+ of \d+$/).waitFor();
}

test('a selection the filter and criteria hide is said, and the confirmation names it first', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await rocketChat(page, server.url);
    await page.getByText('Revoke by criteria').click();
    await page.getByLabel('Client').fill('Chrome');
    const select = view(page).getByRole('button', { name: /^Select all \d+ matching$/ });
    const n = Number((await select.textContent()).match(/\d+/)[0]);
    await select.click();
    await page.getByRole('button', { name: `Revoke selected (${n})` }).waitFor();
    // The criterion changes: the selection is no longer what is shown.
    await page.getByLabel('Client').fill('Firefox');
    await page.getByText(`${n} selected sessions not shown.`).waitFor();
    await page.getByRole('button', { name: `Revoke selected (${n}, ${n} not shown)` }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText(new RegExp(`^${n} sessions of these are not shown by the current filter and criteria: `)).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Unselect them' }).click();
    await page.getByRole('button', { name: 'Revoke selected (0)' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Revoke selected (0)' }).isDisabled(), true);
    // One row ticked, then a subnet that matches nothing.
    await page.getByRole('button', { name: 'Clear criteria' }).click();
    const [first] = await rowIds(page);
    await view(page).getByRole('checkbox', { name: new RegExp(`^Select session ${first} `) }).check();
    await page.getByLabel('IP or subnet').fill('240.1.2.3/32');
    await page.getByText('0 sessions match the filter and criteria.').waitFor();
    await page.getByText('1 selected session not shown.').waitFor();
    await page.getByRole('button', { name: 'Revoke selected (1, 1 not shown)' }).waitFor();
    assert.equal((await server.stats()).logoutCalls.length, 0);
  });
});

test('a reload mid-run: leaving asks first, the record shows the run interrupted, and one click checks it against the server', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await rocketChat(page, server.url);
    await page.getByLabel('Rows per page').selectOption('100');
    const ids = (await rowIds(page)).slice(1, 41);
    for (const id of ids) await view(page).getByRole('checkbox', { name: new RegExp(`^Select session ${id} `) }).check();
    await server.faults({ latencyMs: 250 });
    await page.getByRole('button', { name: 'Revoke selected (40)' }).click();
    await page.getByRole('alertdialog').getByLabel('Reason or ticket (optional)').fill('INC-77');
    await confirmWith(page, 'Revoke 40 sessions');
    await until('some revoked', async () => (await server.stats()).logoutCalls.length >= 5);
    // Leaving asks first.
    page.removeAllListeners('dialog');
    const asked = new Promise((resolve) => page.once('dialog', async (d) => { resolve(d.type()); await d.accept(); }));
    await page.reload();
    assert.equal(await asked, 'beforeunload');
    await server.faults({ latencyMs: 0 });
    await page.getByText(/^1–\d+ of \d+$/).waitFor();
    await sleep(1500); // what was in flight reaches the server
    const left = new Set((await server.stats()).sessionIds);
    const gone = ids.filter((id) => !left.has(id)).length;
    assert.ok(gone > 0 && gone < 40, `${gone} ended before the reload`);
    await tab(page, 'Activity').click();
    const interrupted = page.getByRole('region', { name: 'Interrupted revocations' });
    await interrupted.getByText(/^40 sessions on Rocket\.Chat · this origin, .*\(selected\): interrupted — outcome unknown\.$/).waitFor();
    await interrupted.getByRole('button', { name: 'Check against the server' }).click();
    await status(page, `Checked the interrupted run: ${gone} confirmed gone, ${40 - gone} still listed.`).waitFor();
    assert.equal(await interrupted.count(), 0);
    const record = JSON.parse(await page.evaluate(() => localStorage.getItem('sessiondeck.activity')));
    const run = record.entries.filter((e) => ids.includes(e.session));
    assert.equal(run.length, 40);
    assert.ok(run.every((e) => e.outcome === 'interrupted' && e.reason_given === 'INC-77'));
    assert.equal(run.filter((e) => e.verified === 'confirmed gone').length, gone);
  });
});

test('one person on every server: DocSpace finds a login through its people search; one person counts once; a server that cannot find them says why', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await rocketChat(page, server.url);
    await addServer(page, 'docspace', 'API key', DOCSPACE.key);
    await addServer(page, 'henshin', 'Token', HENSHIN.token);
    await tab(page, 'Everywhere').click();
    await page.getByRole('searchbox', { name: 'Person' }).fill('dana.ross');
    const ds = page.locator('fieldset').filter({ hasText: /^DocSpace/ });
    const box = ds.getByRole('checkbox', { name: /^Dana Ross \(dana\.ross\) on DocSpace/ });
    await box.waitFor();
    assert.equal(await box.isChecked(), true, 'the exact login is ticked on DocSpace too');
    const button = page.getByRole('button', { name: /^Revoke everything of/ });
    await until('all three servers', async () => / on 3 servers\)$/.test(await button.textContent()));
    assert.match(await button.textContent(), /^Revoke everything of 1 person \(\d+ sessions on 3 servers\)$/);
    await button.click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText(/^Dana Ross \(dana\.ross\) — 3 accounts on 3 servers: /).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    // A Rocket.Chat login DocSpace does not know: said, and not covered.
    await page.getByRole('searchbox', { name: 'Person' }).fill('ursula');
    await ds.getByText(/no account found by login or e-mail “ursula” — this server lists display names only; search by name\./).waitFor();
    await page.getByRole('region', { name: 'Preview' }).getByText(/^Not covered: DocSpace/).waitFor();
  });
});

for (const [width, height] of [[1280, 900], [390, 844]]) {
  test(`messages never cover a control (${width} px), and successes go`, async () => {
    await withServer(['--2fa', 'none'], async (server, page0) => {
      const page = await newPage(page0.context().browser(), { viewport: { width, height } });
      try {
        await rocketChat(page, server.url);
        const ids = await rowIds(page);
        for (const id of ids.slice(1, 4)) {
          await view(page).getByRole('button', { name: new RegExp(`^Revoke session ${id} `) }).click();
          await confirmWith(page, 'Revoke 1 session');
          await status(page, `Revoked session ${id}`).waitFor();
        }
        await page.getByRole('searchbox', { name: 'Filter' }).fill('nothing-matches-this');
        await page.getByRole('searchbox', { name: 'Filter' }).fill('');
        const overlaps = await page.evaluate(() => {
          const notices = [...document.querySelectorAll('.notice')].map((n) => n.getBoundingClientRect());
          const controls = [...document.querySelectorAll('main button, main input, main select, main a')]
            .filter((c) => !c.closest('.notice') && c.getClientRects().length)
            .map((c) => [c.getAttribute('aria-label') || c.textContent.trim(), c.getBoundingClientRect()]);
          const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          return { notices: notices.length, covered: controls.filter(([, r]) => notices.some((n) => hit(n, r))).map(([n]) => n) };
        });
        assert.ok(overlaps.notices > 0, 'messages are shown');
        assert.deepEqual(overlaps.covered, []);
        // Clicked without force: nothing intercepts the pointer.
        await view(page).getByRole('button', { name: 'Next page' }).click({ timeout: 3000 });
        await view(page).getByRole('button', { name: /^Details of session/ }).first().click({ timeout: 3000 });
        await page.keyboard.press('Escape');
        // Successes go by themselves; at most three at once.
        assert.ok(await page.locator('.notice').count() <= 3);
        await page.locator('.notice-status .notice').first().waitFor({ state: 'detached', timeout: 12000 });
        if (page.errors.length) throw new Error(page.errors.join('; '));
      } finally {
        await page.context().close();
      }
    });
  });
}

test('counts are true: shown of loaded, not loaded and why, and what a 403 refused is not offered', async () => {
  await withServer([], async (server, page) => {
    await signInWithToken(page, server.url);
    // Two-factor cancelled: not "0 sessions active".
    await page.getByRole('dialog', { name: /Two-factor/ }).getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Not loaded — two-factor verification cancelled').waitFor();
    assert.equal(await page.getByText(/0 sessions active/).count(), 0);
    await page.getByRole('button', { name: 'Retry' }).click();
    await answerPassword(page);
    await page.getByText(/^1–25 of 240$/).waitFor();
    await page.getByRole('searchbox', { name: 'Filter' }).fill('chrome');
    await page.getByText(/^\d+ of 240 sessions shown · \d+ users/).waitFor();
  });
  await withServer([], async (server, page) => {
    await signInWithBearer(page, server.url, 'docspace', 'API key', DOCSPACE.userKey);
    await alert(page, /403 Forbidden/).waitFor();
    const others = page.getByRole('button', { name: 'Revoke all other sessions' });
    assert.equal(await others.isDisabled(), true);
    await page.getByText('Not offered: the server refused this account (403).').waitFor();
  });
});

test('the activity record is an audit record: address, login and ID, operation, reason; open without connecting; exports named by server and date', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await rocketChat(page, server.url);
    await page.getByRole('searchbox', { name: 'Filter' }).fill('testroxie');
    const [id] = await rowIds(page);
    await view(page).getByRole('checkbox', { name: new RegExp(`^Select session ${id} `) }).check();
    await page.getByRole('button', { name: 'Revoke selected (1)' }).click();
    await page.getByRole('alertdialog').getByLabel('Reason or ticket (optional)').fill('INC-42 compromised laptop');
    await confirmWith(page, 'Revoke 1 session');
    await page.getByRole('region', { name: 'Revocation report' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Open without connecting.
    await page.getByRole('button', { name: 'Open the activity record' }).click();
    const row = page.getByRole('row').filter({ hasText: id });
    await row.getByText('selected', { exact: true }).waitFor();
    await row.getByText(/filter “testroxie”; reason: INC-42 compromised laptop/).waitFor();
    await row.getByText(/^testroxie · ID /).waitFor();
    await row.getByText(new RegExp(`^127\\.0\\.0\\.1-${new URL(server.url).port}$`)).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    assert.match(download.suggestedFilename(), /^sessiondeck-activity-127\.0\.0\.1-\d+-\d{4}-\d{2}-\d{2}\.csv$/);
    await page.getByRole('searchbox', { name: 'Filter' }).fill('no such thing');
    assert.equal(await page.getByRole('row').filter({ hasText: id }).count(), 0);
    await page.getByRole('button', { name: 'Back to Connect' }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
  });
});

test('Connect completes an address without a scheme, says so, and shows hints only where they apply', async () => {
  await withServer([], async (server, page) => {
    await page.goto(server.url);
    const hint = /Two-factor codes can only be sent when the panel is served from the server's own origin/;
    await page.getByText(hint).waitFor();
    await page.getByLabel('Backend').selectOption('docspace');
    assert.equal(await page.getByText(hint).count(), 0, 'DocSpace sends no two-factor header');
    await page.getByLabel('Backend').selectOption('rocketchat');
    const hostPort = new URL(server.url).host;
    await page.getByLabel('Server URL').fill(hostPort);
    await page.getByLabel('User ID').fill('AdminDemoUser0001');
    await page.getByLabel('Auth token').fill('demo-admin-token-3Nf8qL2xVv9Kp4Rm');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText(`No scheme was typed, so https:// was added: https://${hostPort}.`).waitFor();
    assert.equal(await page.getByLabel('Server URL').inputValue(), `https://${hostPort}`);
    await page.locator('.form-error').first().waitFor();
    // No bubble of the browser's own, no error left from an earlier try.
    await page.getByLabel('Server URL').fill('');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('dialog', { name: /Two-factor/ }).waitFor();
    assert.equal(await page.locator('.form-error').count(), 0);
    page.errors = page.errors.filter((e) => !/https:\/\/127\.0\.0\.1|ERR_SSL|net::/.test(e));
  });
});

test('390 px: each session shows its person and its Revoke button together, the first one on the first screen', async () => {
  await withServer([], async (server, page0) => {
    const page = await newPage(page0.context().browser(), { viewport: { width: 390, height: 844 } });
    try {
      await signInWithToken(page, server.url);
      await answerPassword(page);
      await page.getByRole('button', { name: /^Revoke session/ }).first().waitFor();
      const seen = await page.evaluate(() => {
        const row = document.querySelector('tbody tr');
        const box = (el) => el.getBoundingClientRect();
        const user = box(row.querySelector('.user-name'));
        const revoke = box(row.querySelector('button[data-act="revoke"]'));
        return { user, revoke, width: innerWidth, height: innerHeight, scrollX: document.scrollingElement.scrollWidth };
      });
      for (const [what, r] of [['user', seen.user], ['revoke', seen.revoke]]) {
        assert.ok(r.left >= 0 && r.right <= seen.width, `${what} fits the width: ${JSON.stringify(r)}`);
        assert.ok(r.bottom <= seen.height, `${what} is on the first screen: ${JSON.stringify(r)}`);
      }
      assert.ok(Math.abs(seen.user.top - seen.revoke.top) < 40, 'on one line');
      assert.ok(seen.scrollX <= seen.width + 1, `no sideways scroll of the page (${seen.scrollX})`);
    } finally {
      await page.context().close();
    }
  });
});

test('the smaller things: details in words and local times, focus back after Escape, Shift+click ranges, "1 session matches", no Location criterion on Rocket.Chat', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await rocketChat(page, server.url);
    const details = page.getByRole('dialog', { name: /Session details/ });
    await view(page).getByRole('button', { name: /^Details of session/ }).first().click();
    await details.getByText('User › Username', { exact: true }).waitFor();
    await details.getByText('_user.username', { exact: true }).waitFor();
    const login = details.locator('.field-row').filter({ hasText: 'loginAt' }).locator('dd');
    assert.match(await login.getAttribute('title'), /^\d{4}-\d{2}-\d{2}T/, 'the server\'s own text on hover');
    assert.doesNotMatch(await login.textContent(), /T\d{2}:\d{2}/, 'shown in the admin\'s own words');
    await details.getByRole('button', { name: 'Close' }).click();
    // Escape gives the focus back to the button that opened the dialog.
    const [a, , , , e] = await rowIds(page);
    const revoke = view(page).getByRole('button', { name: new RegExp(`^Revoke session ${a} `) });
    await revoke.click();
    await page.getByRole('alertdialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), await revoke.getAttribute('aria-label'));
    // Shift+click ticks the rows between.
    await view(page).getByRole('checkbox', { name: new RegExp(`^Select session ${a} `) }).click();
    await view(page).getByRole('checkbox', { name: new RegExp(`^Select session ${e} `) }).click({ modifiers: ['Shift'] });
    await page.getByRole('button', { name: 'Revoke selected (5)' }).waitFor();
    await page.getByText('Revoke by criteria').click();
    assert.equal(await page.getByLabel('Location').count(), 0, 'Rocket.Chat reports no location');
    await page.getByRole('searchbox', { name: 'Filter' }).fill(a);
    await page.getByText('1 session matches the filter and criteria.').waitFor();
  });
});
