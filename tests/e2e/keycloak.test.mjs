// End to end for Keycloak, the identity provider in front of the others:
// a service account signs in at the realm's token endpoint, every client's
// sessions are listed (offline ones said), a revoke is checked by a fresh
// read, tokens renew ahead of expiry and after a 401, a person's sessions
// end by the server's per-user call, the whole realm only behind a typed
// confirmation — and one person is found and ended on Rocket.Chat and
// Keycloak with one confirmation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserForFile, fillKeycloak, KEYCLOAK, signInWithToken, answerPassword, status, alert,
  confirmWith, until, HOSTILE, sleep,
} from './helpers.mjs';

const files = browserForFile();

const tabs = (page) => page.getByRole('navigation', { name: 'Servers' });
const tab = (page, name, opts = {}) => tabs(page).getByRole('button', { name, ...opts });
const report = (page) => page.getByRole('region', { name: 'Revocation report' });

test('Keycloak: a service account lists every client\'s sessions, revokes one (checked), renews its token ahead and after expiry, ends a person by the per-user call', async () => {
  // Tokens last 40 s: the panel renews 30 s ahead, so within a few seconds.
  await files.withServer(['--keycloak-token-secs', '40'], async (server, page) => {
    await page.goto(server.url);
    await page.getByLabel('Backend').selectOption('keycloak');
    // Its own words: a realm (filled in), a client ID and secret; no token field.
    assert.equal(await page.getByLabel('Realm').inputValue(), 'master');
    assert.equal(await page.getByLabel('Auth token').count(), 0);
    await fillKeycloak(page);
    await page.getByText('Signed in as').getByText('service-account-sessiondeck (realm demo)').waitFor();
    const ids = (await server.stats()).keycloakIds;
    await page.getByText(`1–25 of ${ids.length}`).waitFor();
    for (const name of ['User', 'Client', 'IP', 'Login', 'Last active']) {
      await page.getByRole('columnheader', { name, exact: true }).waitFor();
    }
    // The tab names the realm: two realms of one Keycloak are two servers.
    await tab(page, /^Keycloak · this origin · realm demo/).waitFor();
    // The secret is kept like a token: this tab only, never in localStorage.
    assert.equal(await page.evaluate(() => Object.values(localStorage).join('|').includes('sessiondeck-secret')), false);

    // Offline tokens are listed, and said to be.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('offline token');
    const offline = page.getByRole('checkbox', { name: /^Select session \S+:offline/ });
    await offline.first().waitFor();
    const offlineId = (await offline.first().getAttribute('aria-label')).split(' ')[2];
    await page.getByRole('button', { name: new RegExp(`^Revoke session ${offlineId} `) }).click();
    await confirmWith(page, 'Revoke 1 session');
    await status(page, `Revoked session ${offlineId}`).waitFor();
    assert.ok(!(await server.stats()).keycloakIds.includes(offlineId));

    // An online one, checked gone by a fresh read of its user's sessions.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('');
    const boxes = page.getByRole('checkbox', { name: /^Select session [0-9a-f-]+ / });
    const chosen = [];
    for (const i of [0, 1]) {
      chosen.push((await boxes.nth(i).getAttribute('aria-label')).split(' ')[2]);
      await boxes.nth(i).check();
    }
    await page.getByRole('button', { name: 'Revoke selected (2)' }).click();
    await confirmWith(page, 'Revoke 2 sessions');
    await report(page).getByText('Revoked 2 of 2 sessions (2 confirmed gone, 0 still listed).').waitFor();
    const stats = await server.stats();
    for (const id of chosen) assert.ok(!stats.keycloakIds.includes(id));
    assert.ok(stats.logoutCalls.includes(chosen[0]) && stats.logoutCalls.includes(offlineId));

    // Renewal ahead of expiry: the token is asked for again before a call.
    const grants = () => server.stats().then((s) => s.keycloak.grants.client_credentials ?? 0);
    const signedIn = await grants();
    await sleep(11_000);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await until('a renewal ahead of expiry', async () => (await grants()) > signedIn);
    // Every token expires behind the panel's back: the 401 renews once, the
    // list loads, nothing disconnects.
    await fetch(`${server.url}/__ref/expire-tokens`, { method: 'POST' });
    const before = await grants();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await until('a renewal after the 401', async () => (await grants()) === before + 1);
    await page.getByText(/^1–25 of \d+$/).waitFor();
    assert.equal(await page.getByText(/Disconnected from Keycloak/).count(), 0);

    // A person: every session of theirs by Keycloak's own per-user call.
    await page.getByText(/^Sessions by user/).click();
    await page.getByRole('button', { name: 'Revoke all sessions of dana.rossi' }).click();
    await confirmWith(page, /^Revoke \d+ session/);
    await report(page).getByText(/^Revoked (\d+) of \1 sessions? \(\1 confirmed gone, 0 still listed\)\.$/).waitFor();
    const after = await server.stats();
    assert.equal(after.logoutCalls.filter((c) => c.startsWith('user:')).length, 1, 'one users/{id}/logout');
    // Dana Ross, whose name Dana Rossi's contains, keeps hers.
    await page.getByText('dana.ross', { exact: true }).first().waitFor();

    // Hostile names are text.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('hostile');
    assert.equal(await page.locator('img[src="x"], [onerror]').count(), 0);
    assert.ok(!(await page.content()).includes(HOSTILE), 'escaped, never markup');
  });
});

test('Keycloak: the admin\'s password grant marks the panel\'s own session, sweeps leave it, sign-out ends it; a viewer is refused with the right named', async () => {
  await files.withServer([], async (server, page) => {
    await page.goto(server.url);
    await fillKeycloak(page, { password: true });
    await page.getByText('Signed in as').getByText('admin (realm demo)').waitFor();
    // Its session is the token's sid: "This session", never swept.
    const own = page.getByRole('row').filter({ hasText: 'This session' });
    await own.waitFor();
    await page.getByText('Revoke by criteria').click();
    const n = (await server.stats()).keycloakIds.length;
    await page.getByRole('button', { name: `Select all ${n} matching` }).click();
    await status(page, /your own session is not selected/).waitFor();
    await page.getByRole('button', { name: 'Clear selection' }).click();
    // Sign-out ends the session the password grant opened.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await until('the logout call', async () => ((await server.stats()).keycloak.grants.logout ?? 0) === 1);
    assert.equal((await server.stats()).keycloakIds.length, n - 1, 'its own session ended');

    // A service account with view-users only: the list loads, a revoke is
    // refused with the right it lacks named.
    await fillKeycloak(page, KEYCLOAK.viewer);
    await page.getByText(/^1–25 of \d+$/).waitFor();
    const first = (await page.getByRole('checkbox', { name: /^Select session/ }).first().getAttribute('aria-label')).split(' ')[2];
    await page.getByRole('button', { name: new RegExp(`^Revoke session ${first} `) }).click();
    await confirmWith(page, 'Revoke 1 session');
    await alert(page, /403.*manage-users/).waitFor();
    assert.ok((await server.stats()).keycloakIds.includes(first));
  });
});

test('Keycloak: signing out the whole realm waits for the realm\'s name typed, then ends every session and this connection', async () => {
  await files.withServer([], async (server, page) => {
    await page.goto(server.url);
    await fillKeycloak(page);
    await page.getByText(/^1–25 of \d+$/).waitFor();
    await page.getByRole('button', { name: 'Sign out the whole realm' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('Sign out everyone in realm demo?').waitFor();
    await dialog.getByText(/any it does not list, offline tokens included/).waitFor();
    const go = dialog.getByRole('button', { name: 'Sign out the whole realm' });
    assert.equal(await go.isDisabled(), true, 'not before the realm is typed');
    await dialog.getByLabel('Type demo to confirm').fill('dem');
    assert.equal(await go.isDisabled(), true);
    await dialog.getByLabel('Type demo to confirm').fill('demo');
    await go.click();
    await until('every session ended', async () => (await server.stats()).keycloakIds.length === 0);
    assert.equal((await server.stats()).logoutCalls.filter((c) => c === 'realm').length, 1);
  });
});

test('Everywhere: one person on Rocket.Chat and Keycloak, ended with one confirmation — Keycloak\'s single sign-on by its per-user call', async () => {
  await files.withServer([], async (server, page) => {
    await signInWithToken(page, server.url);
    await answerPassword(page);
    await page.getByText('1–25 of 240').waitFor();
    await tab(page, 'Add server').click();
    await fillKeycloak(page);
    await page.getByText('Signed in as').getByText('service-account-sessiondeck').waitFor();
    await page.locator('.server-view:not([hidden]) .range').filter({ hasText: /of \d+/ }).waitFor();

    await tab(page, 'Everywhere').click();
    // Found by her e-mail on Keycloak (its user search), by login on both.
    await page.getByRole('searchbox', { name: 'Person' }).fill('grace.kim');
    const found = page.getByRole('region', { name: 'People found' });
    const graces = found.getByRole('checkbox', { name: /^(Grace Kim|grace\.kim)\b/ });
    await until('Grace on both servers', async () => (await graces.count()) === 2);
    await found.getByRole('checkbox', { name: /on Keycloak/ }).waitFor();
    for (const box of await graces.all()) await box.check();
    const preview = page.getByRole('region', { name: 'Preview' });
    const kcLine = await preview.getByText(/^Keycloak · this origin · realm demo — \d+ session/).textContent();
    assert.match(kcLine, /1 whole user by the server's per-user call/);
    const kc = Number(kcLine.match(/— (\d+)/)[1]);
    const listed = (await server.stats()).keycloakIds.length;
    const before = (await server.stats()).logoutCalls.length;
    await preview.getByRole('button', { name: /^Revoke everything of 1 person/ }).click();
    const dialog = page.getByRole('alertdialog');
    const people = await dialog.getByRole('list', { name: 'People whose sessions end' }).getByRole('listitem').allTextContents();
    assert.equal(people.length, 1, people.join('\n'));
    assert.match(people[0], /^Grace Kim \(grace\.kim\) — 2 accounts on 2 servers/);
    await dialog.getByRole('button', { name: /^Revoke \d+ sessions$/ }).click();
    const kcReport = page.getByRole('region', { name: /^Report for Keycloak/ });
    await kcReport.getByText(/^Revoked (\d+) of \1 sessions? \(\1 confirmed gone, 0 still listed\)\.$/).waitFor();
    const stats = await server.stats();
    const sent = stats.logoutCalls.slice(before);
    assert.equal(sent.filter((c) => c.startsWith('user:')).length, 1, `Keycloak by one call: ${sent}`);
    assert.equal(stats.keycloakIds.length, listed - kc, 'her Keycloak sessions, offline ones too, and no one else\'s');
  });
});
