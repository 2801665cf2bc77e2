// End to end: the release panel, served by the reference server on the same
// origin, driven in headless Chromium by role and accessible name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserForFile, watch, startServer, signInWithToken, answerPassword, ADMIN, HOSTILE, sleep,
} from './helpers.mjs';

const { withServer } = browserForFile();

const dataRows = (page) => page.locator('table.sessions tbody tr');
const status = (page) => page.getByRole('status').filter({ hasText: /\S/ });

async function signedInWithList(server, page) {
  await signInWithToken(page, server.url);
  await answerPassword(page);
  await page.getByText('1–25 of 240').waitFor();
  // The first page shows the total; the load ends with the last one, and
  // the panel then asks which session is its own (Rocket.Chat's own list).
  // A test that changes the server next (expired tokens) must not race the
  // pages, nor that call, still on their way: a 401 to it ends the
  // connection before the test's own step.
  await page.getByRole('progressbar').waitFor({ state: 'detached' });
  await page.waitForFunction(() => performance.getEntriesByName('sessiondeck:own-session').length > 0);
}

test('token sign-in, password 2FA, 240 sessions over pages, filter, sort, page, URL state', async () => {
  await withServer([], async (server, page) => {
    await signInWithToken(page, server.url);
    const dialog = await answerPassword(page);
    await page.getByText('1–25 of 240').waitFor();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Signed in as').getByText('Ada Admin').waitFor();
    assert.equal(await dataRows(page).count(), 25);
    assert.equal(await page.getByRole('progressbar').count(), 0, 'progress bar gone after loading');
    for (const name of ['User', 'Client', 'OS', 'IP', 'Login']) {
      await page.getByRole('columnheader', { name, exact: true }).waitFor();
    }

    // Page through: Next, rows per page.
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('26–50 of 240').waitFor();
    await page.getByLabel('Rows per page').selectOption('100');
    await page.getByText('1–100 of 240').waitFor();
    assert.equal(await dataRows(page).count(), 100);

    // Sort by user: aria-sort tells the order, rows follow it.
    await page.getByRole('button', { name: /^User/ }).click();
    const userHeader = page.getByRole('columnheader', { name: /User/ });
    assert.equal(await userHeader.getAttribute('aria-sort'), 'ascending');
    const names = await page.locator('tbody .user-name').allTextContents();
    const sorted = [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase(), 'en'));
    assert.deepEqual(names.map((n) => n.toLowerCase()), sorted.map((n) => n.toLowerCase()));
    await page.getByRole('button', { name: /^User/ }).click();
    assert.equal(await userHeader.getAttribute('aria-sort'), 'descending');

    // Filter over all loaded sessions, instantly.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('testroxie');
    await page.waitForFunction(() => /^1–\d of \d$/.test(document.querySelector('.range')?.textContent));
    const range = await page.locator('.range').textContent();
    const usernames = await page.locator('tbody .col-user .sub').allTextContents();
    assert.ok(usernames.length >= 2 && usernames.every((u) => u === 'testroxie'), usernames.join());
    await page.waitForURL(/q=testroxie/);
    // Reload keeps the view (the token is in sessionStorage, the view in the URL).
    await page.reload();
    await page.getByText(range, { exact: true }).waitFor();
    assert.equal(await page.getByRole('searchbox', { name: 'Filter' }).inputValue(), 'testroxie');
    assert.equal(await page.getByRole('columnheader', { name: /User/ }).getAttribute('aria-sort'), 'descending');
    // Back returns to the view before the sort change.
    await page.goBack();
    await page.waitForFunction(() => !location.search.includes('dir=desc'));

    const stats = await server.stats();
    assert.ok(stats.twoFactorRequired <= 2, `no code-less loop: ${stats.twoFactorRequired}`);
  });
});

test('a tab that gets no animation frames (hidden) still loads every page', async () => {
  await withServer([], async (server, page) => {
    // A hidden tab runs no requestAnimationFrame callbacks: the rest of the
    // list, asked for once the first page is painted, must not wait for one.
    await page.addInitScript(() => { window.requestAnimationFrame = () => 0; });
    await signedInWithList(server, page);
    await page.getByText(/^240 sessions active/).waitFor();
    assert.equal(await dataRows(page).count(), 25);
  });
});

test('rows are reused across pages: selection and buttons follow the session, not the row', async () => {
  await withServer([], async (server, page) => {
    await signedInWithList(server, page);
    const boxes = page.getByRole('checkbox', { name: /^Select session/ });
    const idOf = async (i) => (await boxes.nth(i).getAttribute('aria-label')).split(' ')[2];
    const first = await idOf(0);
    await boxes.nth(0).check();
    await page.getByRole('button', { name: 'Revoke selected (1)' }).waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('26–50 of 240').waitFor();
    const second = await idOf(0);
    assert.notEqual(second, first);
    assert.equal(await boxes.nth(0).isChecked(), false, 'the same row on page 2 is another session');
    assert.equal(await page.locator('tbody tr.row-selected').count(), 0);
    // Details from the reused row opens the session it now shows.
    await page.getByRole('button', { name: `Details of session ${second}` }).click();
    const details = page.getByRole('dialog', { name: 'Session details' });
    await details.getByText(second).first().waitFor();
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('1–25 of 240').waitFor();
    assert.equal(await idOf(0), first);
    assert.equal(await boxes.nth(0).isChecked(), true);
    assert.equal(await page.locator('tbody tr.row-selected').count(), 1);
    // Unticking goes to the session the row shows.
    await boxes.nth(0).uncheck();
    await page.getByRole('button', { name: 'Revoke selected (0)' }).waitFor();
  });
});

test('details show every field; revoke one from the table and from details', async () => {
  await withServer([], async (server, page) => {
    await signedInWithList(server, page);
    await page.getByRole('searchbox', { name: 'Filter' }).fill('7ykYEK3KWnk4EeA7s');
    await page.getByText('1–1 of 1').waitFor();
    await page.getByRole('button', { name: 'Details of session 7ykYEK3KWnk4EeA7s' }).click();
    const details = page.getByRole('dialog', { name: /Session details/ });
    await details.getByText('device.os.version').waitFor();
    for (const text of ['testroxie', 'Test', '172.20.0.2', 'localhost:3000', '2tTEqR7ZNMJ4HGGNa', '113.0.0.0']) {
      await details.getByText(text, { exact: true }).first().waitFor();
    }
    await details.getByRole('button', { name: 'Revoke this session' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByText(/Session 7ykYEK3KWnk4EeA7s of Test/).waitFor();
    await confirm.getByRole('button', { name: 'Revoke 1 session' }).click();
    await status(page).filter({ hasText: /Revoked session 7ykYEK3KWnk4EeA7s/ }).first().waitFor();
    await page.getByText('No session matches').waitFor();
    assert.equal(await page.getByRole('dialog', { name: /Session details/ }).count(), 0);

    // From the table, with Escape cancelling first.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('o94SveQp6fyPsoiNC');
    await page.getByRole('button', { name: /^Revoke session o94SveQp6fyPsoiNC/ }).click();
    await page.getByRole('alertdialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: /^Revoke session o94SveQp6fyPsoiNC/ }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: /^Revoke/ }).click();
    await status(page).filter({ hasText: /Revoked session o94SveQp6fyPsoiNC/ }).first().waitFor();
    const stats = await server.stats();
    assert.deepEqual(stats.logoutCalls, ['7ykYEK3KWnk4EeA7s', 'o94SveQp6fyPsoiNC']);
    assert.ok(!stats.sessionIds.includes('7ykYEK3KWnk4EeA7s'));
  });
});

test('revoke selected with an injected failure, then Retry failed; nothing else is sent', async () => {
  await withServer([], async (server, page) => {
    await signedInWithList(server, page);
    await page.getByRole('searchbox', { name: 'Filter' }).fill('Firefox');
    await page.getByText(/^1–\d+ of \d+$/).waitFor();
    const boxes = page.getByRole('checkbox', { name: /^Select session/ });
    const chosen = [];
    for (let i = 0; i < 4; i++) {
      const box = boxes.nth(i);
      const name = await box.getAttribute('aria-label');
      chosen.push(name.match(/^Select session (\S+) of/)[1]);
      await box.check();
    }
    await server.faults({ failIds: [chosen[1]] });
    await page.getByRole('button', { name: 'Revoke selected (4)' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByText('Revoke 4 selected sessions?').waitFor();
    await confirm.getByRole('button', { name: 'Revoke 4 sessions' }).click();
    const report = page.getByRole('region', { name: 'Revocation report' });
    await report.getByText('Revoked 3 of 4 sessions (3 confirmed gone, 1 still listed); 1 failed.').waitFor();
    await report.getByText(chosen[1]).waitFor();
    await report.getByText(/500 Internal Server Error/).waitFor();
    await report.getByRole('button', { name: 'Retry failed (1)' }).click();
    await page.getByRole('region', { name: 'Revocation report' }).getByText('Revoked 1 of 1 session (1 confirmed gone, 0 still listed).').waitFor();
    const stats = await server.stats();
    assert.deepEqual([...stats.logoutCalls].sort(), [...chosen, chosen[1]].sort(), 'only the chosen sessions');
    for (const id of chosen) assert.ok(!stats.sessionIds.includes(id));
    assert.equal(stats.sessions, 240 - 4);
  });
});

test('revoke all sessions of a user from details', async () => {
  await withServer([], async (server, page) => {
    await signedInWithList(server, page);
    // testroxie's sessions: the seed's two plus seeded ones.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('testroxie');
    await page.waitForFunction(() => /^1–\d of \d$/.test(document.querySelector('.range')?.textContent));
    const n = Number((await page.locator('.range').textContent()).match(/of (\d+)/)[1]);
    const ids = (await page.getByRole('checkbox', { name: /^Select session/ }).evaluateAll(
      (els) => els.map((e) => e.getAttribute('aria-label').split(' ')[2])));
    assert.equal(ids.length, n);
    await page.getByRole('button', { name: 'Details of session 7ykYEK3KWnk4EeA7s' }).click();
    await page.getByRole('dialog', { name: /Session details/ }).getByRole('button', { name: `Revoke all ${n} sessions of Test (testroxie)` }).click();
    await page.getByRole('alertdialog').getByText(`All ${n} loaded sessions of Test (testroxie)`).waitFor();
    await page.getByRole('alertdialog').getByRole('button', { name: `Revoke ${n} sessions` }).click();
    await page.getByRole('region', { name: 'Revocation report' }).getByText(`Revoked ${n} of ${n} sessions (${n} confirmed gone, 0 still listed).`).waitFor();
    const stats = await server.stats();
    assert.deepEqual([...stats.logoutCalls].sort(), [...ids].sort(), 'exactly that user\'s sessions');
    assert.ok(ids.includes('7ykYEK3KWnk4EeA7s') && ids.includes('o94SveQp6fyPsoiNC'));
  });
});

test('a wrong code keeps the dialog with an error; the right one retries the call once', async () => {
  await withServer([], async (server, page) => {
    await signInWithToken(page, server.url);
    const dialog = page.getByRole('dialog', { name: /Two-factor/ });
    // The dialog names the server that asks.
    await dialog.getByText('Asked by Rocket.Chat · this origin', { exact: true }).waitFor();
    await dialog.getByLabel('Password').fill('not-the-password');
    await dialog.getByRole('button', { name: 'Verify' }).click();
    await dialog.getByRole('alert').filter({ hasText: /^Wrong password — the server answered/ }).first().waitFor();
    assert.equal(await dialog.getByLabel('Password').inputValue(), '', 'the password is not kept');
    // Ready for the next try: the focus is in the field, not lost to the page.
    await page.waitForFunction(() => document.activeElement?.getAttribute('type') === 'password');
    await dialog.getByLabel('Password').fill(ADMIN.password);
    await dialog.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('1–25 of 240').waitFor();
    const stats = await server.stats();
    assert.equal(stats.twoFactorRequired, 1, 'one code-less request, no loop');
  });
});

test('cancel ends the action with a message; max attempts explains and closes', async () => {
  await withServer(['--2fa-max-attempts', '2'], async (server, page) => {
    await signInWithToken(page, server.url);
    const dialog = page.getByRole('dialog', { name: /Two-factor/ });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('alert').filter({ hasText: /two-factor verification was cancelled/ }).first().waitFor();
    await page.getByRole('button', { name: 'Retry' }).click();
    for (let i = 0; i < 2; i++) {
      await dialog.getByLabel('Password').fill(`wrong-${i}`);
      await dialog.getByRole('button', { name: 'Verify' }).click();
      if (i === 0) await dialog.getByRole('alert').filter({ hasText: /Wrong password/ }).first().waitFor();
    }
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('alert').filter({ hasText: /too many wrong two-factor codes/ }).first().waitFor();
  });
});

test('e-mail 2FA: Send code again re-sends once per click; the e-mailed code works', async () => {
  await withServer(['--2fa', 'email'], async (server, page) => {
    await signInWithToken(page, server.url);
    const dialog = page.getByRole('dialog', { name: /Two-factor/ });
    await dialog.getByText('Method asked by the server: E-mail code').waitFor();
    const before = (await server.stats()).twoFactorRequired;
    await dialog.getByRole('button', { name: 'Send code again' }).click();
    await dialog.getByRole('status').filter({ hasText: /last one is still valid|new code was sent/ }).first().waitFor();
    assert.equal((await server.stats()).twoFactorRequired, before + 1, 'exactly one request per click');
    const code = server.log().match(/verification code is (\d{6})/)[1];
    await dialog.getByLabel('Code').fill(code);
    await dialog.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('1–25 of 240').waitFor();
    assert.equal((await server.stats()).emailsSent, 1);
  });
});

test('401 returns to Connect with the reason; sign out forgets the token', async () => {
  await withServer([], async (server, page) => {
    await signedInWithList(server, page);
    await server.expireTokens();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await page.getByRole('alert').filter({ hasText: /401 Unauthorized/ }).first().waitFor();
    // No credential stays: only the disconnect marker (a digest, no secret).
    const stored = await page.evaluate(() => [sessionStorage.length, Object.keys(localStorage)]);
    assert.deepEqual(stored, [0, ['sessiondeck.disconnected']]);
    assert.ok(!(await page.evaluate(() => localStorage.getItem('sessiondeck.disconnected'))).includes(ADMIN.token));
  });
  await withServer([], async (server, page) => {
    await signInWithToken(page, server.url, { remember: true });
    await answerPassword(page);
    await page.getByText('1–25 of 240').waitFor();
    const remembered = await page.evaluate(() => localStorage.getItem('sessiondeck.connection'));
    assert.ok(remembered && remembered.includes(ADMIN.token), 'remember keeps it in localStorage');
    assert.ok(!page.url().includes(ADMIN.token), 'never in the URL');
    const tabCopy = await page.evaluate(() => sessionStorage.getItem('sessiondeck.connection'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    // Nothing stays but the moment of the sign-out (no secret).
    assert.deepEqual(await page.evaluate(() => [sessionStorage.length, Object.keys(localStorage)]), [0, ['sessiondeck.signed-out-at']]);
    // A tab the browser reopens with its old sessionStorage is not signed in again, nor writes it back.
    await page.evaluate((copy) => sessionStorage.setItem('sessiondeck.connection', copy), tabCopy);
    await page.reload();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await sleep(300);
    assert.equal(await page.getByRole('navigation', { name: 'Servers' }).count(), 0);
    assert.equal(await page.evaluate(() => localStorage.getItem('sessiondeck.connection')), null);
  });
});

test('hostile names are shown as text and never run', async () => {
  await withServer([], async (server, page) => {
    await signedInWithList(server, page);
    await page.getByRole('searchbox', { name: 'Filter' }).fill('mallory');
    await page.getByRole('table').getByText(HOSTILE, { exact: true }).first().waitFor();
    await page.getByText("<script>alert('device')</script> 1.0").first().waitFor();
    assert.equal(await page.locator('img[src="x"], [onerror], [onload], body script').count(), 0);
    await page.getByRole('button', { name: /^Details of session/ }).first().click();
    await page.getByRole('dialog', { name: /Session details/ }).getByText(HOSTILE, { exact: true }).waitFor();
  });
});

test('without view-device-management: 403 names the permission and offers own sessions', async () => {
  await withServer(['--deny', 'view-device-management'], async (server, page) => {
    await page.goto(server.url);
    await page.getByRole('radio', { name: 'Username and password' }).check();
    await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('alert').filter({ hasText: /403 Forbidden: this account lacks the view-device-management permission/ }).first().waitFor();
    await page.getByRole('button', { name: 'Show my own sessions instead' }).click();
    await page.getByRole('heading', { name: 'My sessions' }).waitFor();
    await page.getByText('This session').waitFor();
    const own = await dataRows(page).count();
    assert.ok(own >= 2, `admin has several own sessions (${own})`);
    // Revoke an own session that is not the current one, via logout.me.
    const other = page.locator('tbody tr', { hasNot: page.getByText('This session') }).first();
    await other.getByRole('button', { name: /^Revoke session/ }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: /^Revoke/ }).click();
    await status(page).filter({ hasText: /Revoked session/ }).first().waitFor();
    assert.equal((await server.stats()).logoutCalls.length, 1);
  });
});

test('rate limit: waits for X-RateLimit-Reset with a countdown, then continues', async () => {
  await withServer(['--sessions', '600', '--rate-limit', '3', '--rate-window-ms', '2500', '--2fa', 'none'], async (server, page) => {
    await signInWithToken(page, server.url);
    await page.getByText(/continuing in/).waitFor();
    await page.getByText('1–25 of 600').waitFor({ timeout: 20000 });
    await page.getByText(/continuing in/).waitFor({ state: 'detached' });
  });
});

test('a remembered token lasts the time chosen: back in a new tab before, gone after', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await page.goto(server.url);
    await page.getByLabel('Backend').selectOption('rocketchat');
    await page.getByLabel('User ID').fill(ADMIN.userId);
    await page.getByLabel('Auth token').fill(ADMIN.token);
    await page.getByLabel('Remember on this device').check();
    // 8 hours unless chosen otherwise; here, one hour.
    assert.equal(await page.getByLabel('Remember for').inputValue(), '8');
    await page.getByLabel('Remember for').selectOption('1');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText('1–25 of 240').waitFor();
    const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('sessiondeck.connection')));
    const hour = stored[0].remember_until - Date.now();
    assert.ok(hour > 55 * 60_000 && hour <= 60 * 60_000, `remembered for an hour: ${hour} ms`);
    // A new tab (no sessionStorage) within the hour signs in again…
    const later = watch(await page.context().newPage());
    await later.clock.install({ time: Date.now() + 30 * 60_000 });
    await later.goto(server.url);
    await later.getByText('1–25 of 240').waitFor();
    await later.close();
    // …one after it does not, and says nothing it should not.
    const expired = watch(await page.context().newPage());
    await expired.clock.install({ time: Date.now() + 61 * 60_000 });
    await expired.goto(server.url);
    await expired.getByRole('button', { name: 'Connect' }).waitFor();
    await sleep(300);
    assert.equal(await expired.getByRole('navigation', { name: 'Servers' }).count(), 0);
    if (expired.errors.length) throw new Error(expired.errors.join('; '));
  });
});

test('malformed answers and unreachable servers give clear messages', async () => {
  await withServer([], async (server, page) => {
    await page.goto(server.url);
    // Every API path under /not-an-api is the panel's own HTML page.
    await page.getByLabel('Server URL').fill(`${server.url}/not-an-api`);
    await page.getByLabel('User ID').fill(ADMIN.userId);
    await page.getByLabel('Auth token').fill(ADMIN.token);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('alert').filter({ hasText: /unexpected answer from the server \(not valid JSON/ }).first().waitFor();
    await page.getByLabel('Server URL').fill('http://127.0.0.1:9');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('alert').filter({ hasText: /Network error: no answer from http:\/\/127\.0\.0\.1:9/ }).first().waitFor();
    await page.getByRole('alert').filter({ hasText: /README/ }).first().waitFor();
  });
});

test('another origin: 2FA headers blocked by CORS are explained', async () => {
  const api = await startServer([]);
  try {
    await withServer([], async (server, page) => {
      await page.goto(server.url);
      await page.getByLabel('Server URL').fill(api.url);
      await page.getByLabel('User ID').fill(ADMIN.userId);
      await page.getByLabel('Auth token').fill(ADMIN.token);
      await page.getByRole('button', { name: 'Connect' }).click();
      await answerPassword(page);
      await page.getByRole('alert').filter({ hasText: /CORS rules do not allow the X-2fa-Code header/ }).first().waitFor();
    });
  } finally {
    await api.stop();
  }
});

test('Export CSV holds exactly the filtered sessions, formulas neutralised', async () => {
  await withServer([], async (server, page) => {
    await signedInWithList(server, page);
    await page.getByRole('searchbox', { name: 'Filter' }).fill('mallory');
    await page.waitForFunction(() => /^1–\d+ of \d+$/.test(document.querySelector('.range')?.textContent));
    const n = Number((await page.locator('.range').textContent()).match(/of (\d+)/)[1]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^sessions-\d{4}-\d{2}-\d{2}\.csv$/);
    const { readFileSync } = await import('node:fs');
    const raw = readFileSync(await download.path(), 'utf8');
    assert.equal(raw[0], '\ufeff', 'a UTF-8 byte-order mark, so spreadsheets read accents right');
    const csv = raw.slice(1);
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0].split(',')[0], 'Session ID');
    assert.equal(lines.length, n + 1, 'header + one line per filtered session');
    assert.ok(lines.slice(1).every((l) => l.includes('mallory')));
    await status(page).filter({ hasText: `Exported ${n} sessions` }).first().waitFor();
  });
});
