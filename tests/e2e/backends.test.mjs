// End to end for DocSpace, Henshin and self-service /auth/sessions: sign in,
// list, filter, page, details, every revoke action each backend has, and
// hostile strings shown as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserForFile, signInWithBearer, DOCSPACE, HENSHIN, SELF, HOSTILE, status, alert,
  confirmWith,
} from './helpers.mjs';

const files = browserForFile();
const withServer = (fn) => files.withServer([], fn);

const noInjectedMarkup = async (page) => {
  assert.equal(await page.locator('img[src="x"], [onerror], [onload], body script').count(), 0);
};
/** The seeded hostile name appears in the table as text, and nothing runs. */
const hostileShownAsText = async (page) => {
  const filter = page.getByRole('searchbox', { name: 'Filter' });
  await filter.fill('onerror');
  await page.getByRole('table').getByText(HOSTILE, { exact: true }).first().waitFor();
  await noInjectedMarkup(page);
  await filter.fill('');
};

test('DocSpace: API key, grouped list, filter, page, details, revoke one / false / user / all others', async () => {
  await withServer(async (server, page) => {
    await signInWithBearer(page, server.url, 'docspace', 'API key', DOCSPACE.key);
    await page.getByText('Signed in as').getByText('Dora Admin').waitFor();
    const total = (await server.stats()).docspaceIds.length;
    await page.getByText(`1–25 of ${total}`).waitFor();
    for (const name of ['User', 'Client', 'OS', 'IP', 'Location', 'Login']) {
      await page.getByRole('columnheader', { name, exact: true }).waitFor();
    }
    await hostileShownAsText(page);

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText(`26–50 of ${total}`).waitFor();

    // Grouped by user with counts.
    await page.getByText(/^Sessions by user \(\d+ users\)$/).click();
    const irina = page.locator('.group').filter({ hasText: 'Irina Volkova' });
    const irinaCount = Number((await irina.locator('.muted').textContent()).match(/\d+/)[0]);

    // Filter over everything loaded.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('Riga');
    await page.waitForFunction(() => /^1–\d+ of \d+$/.test(document.querySelector('.range')?.textContent));
    const cells = await page.locator('tbody tr td:nth-child(6)').allTextContents();
    assert.ok(cells.length > 0 && cells.every((c) => c === 'Riga, Latvia'), cells.join('|'));

    // Details: every field of the listed record.
    await page.getByRole('button', { name: /^Details of session/ }).first().click();
    const details = page.getByRole('dialog', { name: /Session details/ });
    await details.getByText('tenantId', { exact: true }).waitFor();
    await details.getByText('page', { exact: true }).waitFor();
    const id = (await details.locator('.mono').first().textContent()).trim();
    await details.getByRole('button', { name: 'Revoke this session' }).click();
    await confirmWith(page, 'Revoke 1 session');
    await status(page, `Revoked session ${id}`).waitFor();
    assert.ok(!(await server.stats()).docspaceIds.includes(id));

    // `false` from the server is a failure, reported, and the row stays.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('');
    const victim = (await page.getByRole('checkbox', { name: /^Select session/ }).first().getAttribute('aria-label')).split(' ')[2];
    await server.faults({ failIds: [victim] });
    await page.getByRole('button', { name: new RegExp(`^Revoke session ${victim} `) }).click();
    await confirmWith(page, 'Revoke 1 session');
    await alert(page, /DocSpace answered false/).waitFor();
    await page.getByRole('button', { name: new RegExp(`^Revoke session ${victim} `) }).waitFor();

    // Every session of one user: DocSpace's own logoutall/{userId}, one call.
    await page.getByRole('button', { name: 'Revoke all sessions of Irina Volkova' }).click();
    await page.getByRole('alertdialog').getByText(`All ${irinaCount} loaded session`).waitFor();
    await confirmWith(page, /^Revoke \d+ session/);
    await status(page, `Revoked all ${irinaCount} sessions of Irina Volkova`).waitFor();
    const calls = (await server.stats()).logoutCalls;
    assert.equal(calls.filter((c) => c.startsWith('user:')).length, 1, calls.join());

    // All others: the confirm warns that with a key it closes every connection.
    await page.getByRole('button', { name: 'Revoke all other sessions' }).click();
    await page.getByRole('alertdialog').getByText(/closes EVERY connection of the portal, including your own browser sessions/).waitFor();
    await confirmWith(page, 'Revoke all other sessions');
    // …and says so once done: with a key, every connection was closed.
    await status(page, /Closed every connection of the portal: with an API key there is no “this” one/).waitFor();
    await page.getByText('No active sessions.').waitFor();
  });
});

test('DocSpace: a non-admin key gets a 403 that names the right', async () => {
  await withServer(async (server, page) => {
    await signInWithBearer(page, server.url, 'docspace', 'API key', DOCSPACE.userKey);
    await alert(page, /403 Forbidden: this account lacks the DocSpace administrator \(portal admin\) right/).waitFor();
  });
});

test('Henshin: users then their sessions, filter, details, revoke one / selected / user, already gone', async () => {
  await withServer(async (server, page) => {
    await signInWithBearer(page, server.url, 'henshin', 'Token', HENSHIN.token);
    const total = (await server.stats()).henshinIds.length;
    await page.getByText(`1–25 of ${total}`).waitFor();
    for (const name of ['User', 'Client', 'OS', 'Last active', 'Expires']) {
      await page.getByRole('columnheader', { name, exact: true }).waitFor();
    }
    // Henshin reports neither: no column that is always empty, no criterion
    // about them.
    for (const name of ['IP', 'Login']) {
      assert.equal(await page.getByRole('columnheader', { name, exact: true }).count(), 0, name);
    }
    assert.equal(await page.getByLabel('IP or subnet').count(), 0);
    assert.equal(await page.getByLabel('Signed in before (UTC)').count(), 0);
    // Henshin reports no login time: newest activity first by default.
    assert.equal(await page.getByRole('columnheader', { name: 'Last active', exact: true }).getAttribute('aria-sort'), 'descending');
    await hostileShownAsText(page);
    // Henshin's "Firefox- v. 133" reads as "Firefox 133"; "Other- v." as nothing.
    const shown = (await page.locator('tbody').textContent());
    assert.ok(!/- v\./.test(shown) && !/\bOther\b/.test(shown), shown.slice(0, 400));

    await page.getByRole('searchbox', { name: 'Filter' }).fill('operator01');
    await page.waitForFunction(() => /^1–\d of \d$/.test(document.querySelector('.range')?.textContent));
    const names = await page.locator('tbody .user-name').allTextContents();
    assert.ok(names.every((n) => n === 'operator01'), names.join());

    await page.getByRole('button', { name: /^Details of session/ }).first().click();
    const details = page.getByRole('dialog', { name: /Session details/ });
    await details.getByText('ExpirationDate', { exact: true }).waitFor();
    await details.getByText('operator', { exact: true }).waitFor();
    await details.getByRole('button', { name: 'Close' }).click();
    // The operator flag shows in the table for operators only.
    assert.equal(await page.getByRole('table').getByText('operator', { exact: true }).count(), 0);
    await page.getByRole('searchbox', { name: 'Filter' }).fill('operator03');
    await page.getByRole('table').getByText('operator', { exact: true }).first().waitFor();

    // Revoke one.
    const first = (await page.getByRole('checkbox', { name: /^Select session/ }).first().getAttribute('aria-label')).split(' ')[2];
    await page.getByRole('button', { name: new RegExp(`^Revoke session ${first} `) }).click();
    await confirmWith(page, 'Revoke 1 session');
    await status(page, `Revoked session ${first}`).waitFor();

    // Already gone: another admin revoked it first.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('');
    const gone = (await page.getByRole('checkbox', { name: /^Select session/ }).nth(3).getAttribute('aria-label')).split(' ')[2];
    await fetch(`${server.url}/__ref/remove`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [gone] }) });
    await page.getByRole('button', { name: new RegExp(`^Revoke session ${gone} `) }).click();
    await confirmWith(page, 'Revoke 1 session');
    await status(page, `Session ${gone}`).filter({ hasText: 'already gone' }).waitFor();

    // Revoke selected.
    const boxes = page.getByRole('checkbox', { name: /^Select session/ });
    const chosen = [];
    for (const i of [0, 1]) {
      chosen.push((await boxes.nth(i).getAttribute('aria-label')).split(' ')[2]);
      await boxes.nth(i).check();
    }
    await page.getByRole('button', { name: 'Revoke selected (2)' }).click();
    await confirmWith(page, 'Revoke 2 sessions');
    await page.getByRole('region', { name: 'Revocation report' }).getByText('Revoked 2 of 2 sessions (2 confirmed gone, 0 still listed).').waitFor();

    // All sessions of a user: one revoke per session.
    await page.getByText(/^Sessions by user/).click();
    await page.getByRole('button', { name: 'Revoke all sessions of user2' }).click();
    await confirmWith(page, /^Revoke \d+ session/);
    await page.getByRole('region', { name: 'Revocation report' }).getByText(/^Revoked (\d+) of \1 sessions? \(\1 confirmed gone, 0 still listed\)\.$/).waitFor();
    const stats = await server.stats();
    for (const id of [first, ...chosen]) assert.ok(!stats.henshinIds.includes(id));
  });
});

test('Self-service: "This session" from the token; a token that names none refuses sweeps', async () => {
  await withServer(async (server, page) => {
    await signInWithBearer(page, server.url, 'selfservice', 'Access token', SELF.jwt);
    await page.getByText('1–8 of 8').waitFor();
    // The JWT's sid names the panel's own session: marked, and never selected by a sweep.
    const own = page.getByRole('row').filter({ hasText: 'This session' });
    await own.waitFor();
    assert.ok((await own.getByRole('checkbox').getAttribute('aria-label')).includes(SELF.current));
    await page.getByText('Revoke by criteria').click();
    await page.getByRole('button', { name: 'Select all 8 matching' }).click();
    await status(page, /Selected 7 sessions matching the filter and criteria; your own session is not selected/).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The same session's token without a sid: which one is ours cannot be told.
    await signInWithBearer(page, server.url, 'selfservice', 'Access token', SELF.jwtNoSid);
    await page.getByText('1–8 of 8').waitFor();
    await page.getByText('Revoke by criteria').click();
    const before = (await server.stats()).requests;
    await page.getByRole('button', { name: 'Select all 8 matching' }).click();
    await alert(page, /Nothing was selected: this server does not say which session is sessiondeck's own/).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Revoke selected/ }).isDisabled(), true);
    assert.equal((await server.stats()).requests, before, 'nothing sent');
  });
});

test('Self-service: own sessions, parsed user agents, details, revoke one / not yours / others / all', async () => {
  await withServer(async (server, page) => {
    await signInWithBearer(page, server.url, 'selfservice', 'Access token', SELF.jwt);
    await page.getByText('Signed in as').getByText('ada@sessiondeck.test').waitFor();
    await page.getByText('1–8 of 8').waitFor();
    await page.getByRole('heading', { name: /My sessions/ }).waitFor();
    for (const name of ['Client', 'OS', 'IP', 'Location', 'Login', 'Last active']) {
      await page.getByRole('columnheader', { name, exact: true }).waitFor();
    }
    assert.equal(await page.getByRole('columnheader', { name: 'User', exact: true }).count(), 0);
    await hostileShownAsText(page);

    await page.getByRole('button', { name: /^Details of session/ }).first().click();
    const details = page.getByRole('dialog', { name: /Session details/ });
    await details.getByText('userAgent', { exact: true }).waitFor();
    await details.getByText('inactivityDuration', { exact: true }).waitFor();
    await details.getByRole('button', { name: 'Close' }).click();

    const ids = await page.getByRole('checkbox', { name: /^Select session/ }).evaluateAll(
      (els) => els.map((e) => e.getAttribute('aria-label').split(' ')[2]));
    assert.equal(ids.length, 8);
    // Revoke one that is not the panel's own (the panel's is the newest login).
    const one = ids[ids.length - 1];
    await page.getByRole('button', { name: new RegExp(`^Revoke session ${one} `) }).click();
    await confirmWith(page, 'Revoke 1 session');
    await status(page, `Revoked session ${one}`).waitFor();

    // 404: not found or not yours — said so; the fresh read after it shows
    // it gone (another hand ended it), so it is said gone, not revoked.
    const gone = ids[ids.length - 2];
    await fetch(`${server.url}/__ref/remove`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [gone] }) });
    await page.getByRole('button', { name: new RegExp(`^Revoke session ${gone} `) }).click();
    await confirmWith(page, 'Revoke 1 session');
    await status(page, new RegExp(`Session ${gone} .* is gone: a fresh read no longer lists it, though its answer was not a success \\(404 Not Found: .the session was not found, or it is not one of this account's sessions`)).waitFor();

    await page.getByRole('button', { name: 'Revoke all other sessions' }).click();
    await confirmWith(page, 'Revoke all other sessions');
    await status(page, 'Revoked all other sessions').waitFor();
    await page.getByText('1–1 of 1').waitFor();

    await page.getByRole('button', { name: 'Revoke all sessions', exact: true }).click();
    await page.getByRole('alertdialog').getByText(/this connection closes \(connect again to go on with this server\); your other servers stay connected/).waitFor();
    await confirmWith(page, 'Revoke all sessions');
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await alert(page, /all sessions of this account were revoked/).waitFor();
    const left = (await server.stats()).selfServiceIds.filter((i) => i.startsWith('ada-'));
    assert.deepEqual(left, []);
  });
});
