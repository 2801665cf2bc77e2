// End to end: incident response (issue 11) — several servers at once, one
// person everywhere, revoke by criteria, the admin's own session, the
// activity record, freshness, the keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  browserForFile, signInWithToken, signInWithPassword, answerPassword,
  ADMIN, USER, DOCSPACE, HENSHIN, SELF, rcSessions, until, status, alert, watch, sleep,
} from './helpers.mjs';

const { withServer } = browserForFile();
const tabs = (page) => page.getByRole('navigation', { name: 'Servers' });
const tab = (page, name, opts = {}) => tabs(page).getByRole('button', { name, ...opts });

/** Rocket.Chat admin with the personal access token, list loaded. */
async function rocketChat(page, url) {
  await signInWithToken(page, url);
  await answerPassword(page);
  await page.getByText('1–25 of 240').waitFor();
}

/** One more server through "Add server" (same origin, another API). */
async function addServer(page, backend, label, secret, signedInAs) {
  await tab(page, 'Add server').click();
  await page.getByLabel('Backend').selectOption(backend);
  await page.getByLabel(label, { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Connect' }).click();
  await page.getByText('Signed in as').getByText(signedInAs).waitFor();
  await page.locator('.server-view:not([hidden]) .range').filter({ hasText: /of \d+/ }).waitFor();
}

async function download(page, click) {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

test('several servers at once: add, switch, disconnect one, reload — each keeps its view', async () => {
  await withServer([], async (server, page) => {
    await rocketChat(page, server.url);
    await page.getByRole('searchbox', { name: 'Filter' }).fill('chrome');
    await page.waitForFunction(() => location.search.includes('q=chrome'));
    await addServer(page, 'docspace', 'API key', DOCSPACE.key, 'Dora Admin');
    assert.ok(!page.url().includes('q=chrome'), 'a new server starts from its own view');
    await addServer(page, 'henshin', 'Token', HENSHIN.token, 'Henshin administrator');
    const names = await tabs(page).getByRole('button').allTextContents();
    assert.deepEqual(names.slice(0, 3).map((n) => n.split(' ')[0]), ['Rocket.Chat', 'DocSpace', 'Henshin']);
    assert.deepEqual(names.slice(3), ['Everywhere', 'Activity', 'Add server']);
    assert.equal(await tab(page, /^Henshin/).getAttribute('aria-current'), 'page');

    // Back to Rocket.Chat: its filter, and the URL says so again.
    await tab(page, /^Rocket\.Chat/).click();
    assert.equal(await page.locator('.server-view:not([hidden])').getByRole('searchbox', { name: 'Filter' }).inputValue(), 'chrome');
    await page.waitForFunction(() => location.search.includes('q=chrome'));
    await page.getByText('Signed in as').getByText('Ada Admin').waitFor();

    // Disconnect DocSpace: the others stay.
    await tab(page, /^DocSpace/).click();
    await page.getByRole('button', { name: /^Disconnect from DocSpace/ }).click();
    await status(page, 'Disconnected from DocSpace').waitFor();
    assert.equal(await tab(page, /^DocSpace/).count(), 0);
    await tab(page, /^Henshin/).waitFor();
    const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('sessiondeck.connection')));
    assert.deepEqual(stored.map((c) => c.kind), ['rocketchat', 'henshin']);

    // Reload: both come back, the shown one first, with its view.
    await tab(page, /^Rocket\.Chat/).click();
    await page.waitForFunction(() => location.search.includes('q=chrome'));
    await page.reload();
    // The server may still remember the second factor, or ask again.
    const twoFactor = page.getByRole('dialog', { name: /Two-factor/ });
    await twoFactor.or(page.getByText(/^1–\d+ of \d+$/)).first().waitFor();
    if (await twoFactor.isVisible()) await answerPassword(page);
    await tab(page, /^Henshin/).waitFor();
    assert.equal(await tab(page, /^Rocket\.Chat/).getAttribute('aria-current'), 'page');
    assert.equal(await page.locator('.server-view:not([hidden])').getByRole('searchbox', { name: 'Filter' }).inputValue(), 'chrome');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    assert.deepEqual(await page.evaluate(() => [sessionStorage.length, localStorage.getItem('sessiondeck.connection')]), [0, null]);
  });
});

test('two accounts on one server are told apart in tabs, buttons and messages', async () => {
  await withServer([], async (server, page) => {
    await rocketChat(page, server.url);
    await tab(page, 'Add server').click();
    await page.getByLabel('Backend').selectOption('rocketchat');
    await page.getByRole('radio', { name: 'Username and password' }).check();
    await page.getByLabel('Username', { exact: true }).fill(USER.username);
    await page.getByLabel('Password', { exact: true }).fill(USER.password);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText('Signed in as').getByText('Ursula User').waitFor();
    const names = await tabs(page).getByRole('button').allTextContents();
    assert.deepEqual(names.slice(0, 2), [
      'Rocket.Chat · this origin · Ada Admin (@admin)',
      'Rocket.Chat · this origin · Ursula User (@ursula)',
    ]);
    await page.getByRole('button', { name: 'Disconnect from Rocket.Chat · this origin · Ursula User (@ursula)' }).click();
    await status(page, 'Disconnected from Rocket.Chat · this origin · Ursula User (@ursula).').waitFor();
    // Alone again on its server, the admin's connection is named by the server.
    await tab(page, 'Rocket.Chat · this origin', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Disconnect from Rocket.Chat · this origin', exact: true }).waitFor();
  });
});

test('Disconnect in one tab drops that connection in the panel\'s other tabs, and it is never stored again', async () => {
  await withServer([], async (server, page) => {
    const remembered = async (p, backend, label, secret, name) => {
      await tab(p, 'Add server').click();
      await p.getByLabel('Backend').selectOption(backend);
      await p.getByLabel(label, { exact: true }).fill(secret);
      await p.getByLabel('Remember on this device').check();
      await p.getByRole('button', { name: 'Connect' }).click();
      await p.getByText('Signed in as').getByText(name).waitFor();
    };
    await page.goto(server.url);
    await page.getByLabel('Backend').selectOption('docspace');
    await page.getByLabel('API key', { exact: true }).fill(DOCSPACE.key);
    await page.getByLabel('Remember on this device').check();
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText('Signed in as').getByText('Dora Admin').waitFor();
    await remembered(page, 'henshin', 'Token', HENSHIN.token, 'Henshin administrator');
    const storedKinds = (p) => p.evaluate(() => JSON.parse(localStorage.getItem('sessiondeck.connection') || '[]').map((c) => c.kind));
    assert.deepEqual(await storedKinds(page), ['docspace', 'henshin']);

    // A second tab of the panel restores both remembered connections.
    const other = watch(await page.context().newPage());
    await other.goto(server.url);
    await tab(other, /^DocSpace/).waitFor();
    await tab(other, /^Henshin/).waitFor();

    await tab(page, /^DocSpace/).click();
    await page.getByRole('button', { name: /^Disconnect from DocSpace/ }).click();
    await status(page, 'Disconnected from DocSpace').waitFor();

    await alert(other, /Disconnected from DocSpace.*you disconnected it in another tab of this browser/).waitFor();
    assert.equal(await tab(other, /^DocSpace/).count(), 0);
    await tab(other, /^Henshin/).waitFor();
    // The other tab writes its connections again when it reloads: DocSpace's
    // key is not among them.
    await other.reload();
    await tab(other, /^Henshin/).waitFor();
    assert.equal(await tab(other, /^DocSpace/).count(), 0);
    assert.deepEqual(await storedKinds(other), ['henshin']);
    const everything = await other.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!everything.includes(DOCSPACE.key), 'the disconnected key is stored nowhere');
    if (other.errors.length) throw new Error(other.errors.join('; '));
  });
});

test('a person everywhere: preview per server, one confirmation, the best call each, one failure retried, the record matches', async () => {
  await withServer([], async (server, page) => {
    await rocketChat(page, server.url);
    await addServer(page, 'docspace', 'API key', DOCSPACE.key, 'Dora Admin');
    await addServer(page, 'henshin', 'Token', HENSHIN.token, 'Henshin administrator');

    const rc = (await rcSessions(server.url)).filter((s) => s._user?.username === 'grace.kim');
    assert.ok(rc.length >= 2, 'the demo person has Rocket.Chat sessions');
    const failing = rc[0].sessionId;
    await server.faults({ failIds: [failing] });

    await tab(page, 'Everywhere').click();
    await page.getByRole('searchbox', { name: 'Person' }).fill('grace');
    // One Grace per server, ticked by the admin (a name ticks nobody).
    const graces = page.getByRole('region', { name: 'People found' }).getByRole('checkbox', { name: /^(Grace Kim|grace\.kim)\b/ });
    // DocSpace lists display names only: her login comes from its people search.
    await page.getByRole('region', { name: 'People found' }).getByRole('checkbox', { name: /^Grace Kim \(grace\.kim\) on DocSpace/ }).waitFor();
    await until('Grace on every server', async () => (await graces.count()) === 3);
    for (const box of await graces.all()) {
      assert.equal(await box.isChecked(), false);
      await box.check();
    }
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByText(`Rocket.Chat · this origin — ${rc.length} sessions (one call per session)`).waitFor();
    const dsLine = await preview.getByText(/^DocSpace \(ONLYOFFICE\) · this origin — \d+ session/).textContent();
    assert.match(dsLine, /1 whole user by the server's per-user call/);
    const hsLine = await preview.getByText(/^Henshin admin · this origin — \d+ session/).textContent();
    const ds = Number(dsLine.match(/— (\d+)/)[1]);
    const hs = Number(hsLine.match(/— (\d+)/)[1]);
    assert.ok(ds >= 1 && hs >= 1, 'on DocSpace and Henshin too');
    const total = rc.length + ds + hs;
    // The combined table: a Server column, every matching row.
    const table = page.getByRole('table');
    await table.getByRole('columnheader', { name: 'Server' }).waitFor();
    assert.equal(await table.locator('tbody tr').count(), total);

    const before = (await server.stats()).logoutCalls.length;
    // Her three accounts share her login: one person, named once.
    await preview.getByRole('button', { name: `Revoke everything of 1 person (${total} sessions on 3 servers)` }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText(`${total} sessions on 3 servers will be logged out`).waitFor();
    const people = await dialog.getByRole('list', { name: 'People whose sessions end' }).getByRole('listitem').allTextContents();
    assert.equal(people.length, 1, people.join('\n'));
    assert.match(people[0], /^Grace Kim \(grace\.kim\) — 3 accounts on 3 servers: /);
    await dialog.getByRole('button', { name: `Revoke ${total} sessions` }).click();

    const report = (label) => page.getByRole('region', { name: new RegExp(`^Report for ${label}.* · this origin$`) });
    await report('Rocket.Chat').getByText(`Revoked ${rc.length - 1} of ${rc.length} sessions (${rc.length - 1} confirmed gone, 1 still listed); 1 failed.`).waitFor();
    await report('DocSpace').getByText(`Revoked ${ds} of ${ds} session`).waitFor();
    await report('Henshin').getByText(`Revoked ${hs} of ${hs} session`).waitFor();

    // Exactly the preview was sent: Grace's sessions, DocSpace by one call for her.
    const stats = await server.stats();
    const sent = stats.logoutCalls.slice(before);
    const rcSent = sent.filter((c) => rc.some((s) => s.sessionId === c));
    const userCalls = sent.filter((c) => c.startsWith('user:'));
    assert.deepEqual(rcSent.sort(), rc.map((s) => s.sessionId).sort());
    assert.equal(userCalls.length, 1, `one logoutall: ${sent}`);
    assert.equal(sent.length, rc.length + 1 + hs, `nothing else was sent: ${sent}`);

    // Retry failed, on the server that failed.
    await report('Rocket.Chat').getByRole('button', { name: /Retry failed/ }).click();
    await report('Rocket.Chat').getByText('Revoked 1 of 1 session (1 confirmed gone, 0 still listed).').waitFor();
    assert.equal((await server.stats()).logoutCalls.filter((c) => c === failing).length, 2);

    // The activity record says exactly that, and exports it.
    await tab(page, 'Activity').click();
    const rows = page.getByRole('table').locator('tbody tr');
    await until('every attempt recorded', async () => (await rows.count()) === total + 1);
    const json = await download(page, () => page.getByRole('button', { name: 'Export JSON' }).click());
    assert.match(json.name, /^sessiondeck-activity-127\.0\.0\.1-\d+-\d{4}-\d\d-\d\d\.json$/, 'named by server and date');
    const entries = JSON.parse(json.text).entries;
    assert.equal(entries.length, total + 1);
    const of = (id) => entries.filter((e) => e.session === id).map((e) => e.outcome);
    assert.deepEqual(of(failing), ['revoked', 'failed'], 'newest first: the retry, then the failure');
    assert.match(entries.find((e) => e.outcome === 'failed').reason, /500/);
    for (const s of rc.slice(1)) assert.deepEqual(of(s.sessionId), ['revoked']);
    assert.ok(entries.every((e) => e.at && e.server.endsWith('· this origin') && e.admin), 'who, where, when');
    assert.equal(entries.filter((e) => e.server.startsWith('DocSpace')).length, ds);
    assert.equal(entries.filter((e) => e.server.startsWith('Henshin')).length, hs);
    assert.ok(!json.text.includes(ADMIN.token) && !json.text.includes(DOCSPACE.key) && !json.text.includes(HENSHIN.token), 'no secret');
    const csv = await download(page, () => page.getByRole('button', { name: 'Export CSV' }).click());
    assert.ok(csv.text.startsWith('\ufeffTime,Signed in as,Server,Session,User,Client,IP,Outcome,Reason'));
    assert.equal(csv.text.trim().split('\r\n').length, total + 2);

    // Clearing is an explicit, confirmed action.
    await page.getByRole('button', { name: 'Clear activity' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await rows.count(), total + 1);
    await page.getByRole('button', { name: 'Clear activity' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Clear activity' }).click();
    await page.getByText('Nothing has been revoked from this browser yet.').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('sessiondeck.activity')), null);
  });
});

test('Everywhere ends only the people ticked: "Dana Ross" never takes "Dana Rossi", on any server', async () => {
  await withServer([], async (server, page) => {
    await rocketChat(page, server.url);
    await addServer(page, 'docspace', 'API key', DOCSPACE.key, 'Dora Admin');
    await addServer(page, 'henshin', 'Token', HENSHIN.token, 'Henshin administrator');
    const rcAll = await rcSessions(server.url);
    const rossi = rcAll.filter((s) => s._user?.username === 'dana.rossi').map((s) => s.sessionId);
    const ross = rcAll.filter((s) => s._user?.username === 'dana.ross').map((s) => s.sessionId);
    assert.ok(ross.length >= 2 && rossi.length >= 2, 'both on Rocket.Chat');

    await tab(page, 'Everywhere').click();
    await page.getByRole('searchbox', { name: 'Person' }).fill('dana');
    const found = page.getByRole('region', { name: 'People found' });
    const boxes = found.getByRole('checkbox');
    await found.getByRole('checkbox', { name: /^dana\.rossi on Henshin/ }).waitFor();
    await found.getByRole('checkbox', { name: /^Dana Rossi \(dana\.rossi\) on DocSpace/ }).waitFor();
    // Each is a person of her own, on each server; a part of a name ticks nobody.
    const names = await boxes.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    for (const server of ['Rocket.Chat', 'DocSpace', 'Henshin']) {
      assert.equal(names.filter((n) => n.includes(` on ${server}`) && /^(Dana Ross|dana\.ross)\b(?!i)/.test(n)).length, 1, `${server}: ${names}`);
      assert.equal(names.filter((n) => n.includes(` on ${server}`) && /^(Dana Rossi|dana\.rossi)\b/.test(n)).length, 1, `${server}: ${names}`);
    }
    for (const b of await boxes.all()) assert.equal(await b.isChecked(), false);
    const preview = page.getByRole('region', { name: 'Preview' });
    assert.ok(await preview.getByRole('button', { name: /^Revoke/ }).isDisabled(), 'nothing to end before a tick');

    // Tick Dana Ross on every server.
    for (const b of await found.getByRole('checkbox', { name: /^(Dana Ross \(|dana\.ross on )/ }).all()) await b.check();
    // One person on three servers (her accounts share her login).
    const button = preview.getByRole('button', { name: /^Revoke everything of 1 person \(\d+ sessions on 3 servers\)$/ });
    await button.click();
    const dialog = page.getByRole('alertdialog');
    const listed = await dialog.getByRole('list', { name: 'People whose sessions end' }).getByRole('listitem').allTextContents();
    assert.equal(listed.length, 1, listed.join('\n'));
    assert.ok(listed.every((l) => /^(Dana Ross \(|dana\.ross on )/.test(l)), listed.join('\n'));
    assert.ok(!(await dialog.textContent()).includes('Rossi'), 'the confirmation never names her');
    const before = (await server.stats()).actions.length;
    await dialog.getByRole('button', { name: /^Revoke \d+ sessions$/ }).click();
    for (const label of ['Rocket.Chat', 'DocSpace', 'Henshin']) {
      await page.getByRole('region', { name: new RegExp(`^Report for ${label}`) }).getByText(/^Revoked (\d+) of \1 sessions? \(\1 confirmed gone, 0 still listed\)\.$/).waitFor();
    }
    // The request log: Dana Ross's sessions, and nothing of Dana Rossi's.
    const stats = await server.stats();
    const actions = stats.actions.slice(before);
    const rossiIds = [...rossi];
    assert.ok(actions.length > 0);
    for (const a of actions) {
      assert.ok(!rossiIds.some((id) => a.includes(id)), `a Rossi session was asked for: ${a}`);
    }
    for (const id of ross) assert.ok(actions.some((a) => a.includes(`"${id}"`)), `${id} of Dana Ross`);
    assert.deepEqual(stats.sessionIds.filter((id) => rossi.includes(id)).sort(), [...rossi].sort(), 'Rossi keeps every session');
    const logoutall = actions.filter((a) => a.includes('/logoutall/'));
    assert.equal(logoutall.length, 1, `one DocSpace logoutall, for Dana Ross: ${actions}`);
    assert.ok(!logoutall[0].endsWith('000000000002'), 'not for Dana Rossi');
  });
});

test('Everywhere: Refresh every server shows what changed behind the panel\'s back; a full load ends a quiet one', async () => {
  await withServer([], async (server, page) => {
    await rocketChat(page, server.url);
    await addServer(page, 'docspace', 'API key', DOCSPACE.key, 'Dora Admin');
    const rc = (await rcSessions(server.url)).filter((s) => s._user?.username === 'grace.kim');
    await tab(page, 'Everywhere').click();
    await page.getByRole('searchbox', { name: 'Person' }).fill('grace');
    await page.getByRole('checkbox', { name: /^Grace Kim \(grace\.kim\) on Rocket\.Chat/ }).check();
    const preview = page.getByRole('region', { name: 'Preview' });
    const rcLine = (n) => preview.getByText(`Rocket.Chat · this origin — ${n} sessions (one call per session)`);
    await rcLine(rc.length).waitFor();

    // Another admin ends one of Grace's sessions: the preview still shows the last load.
    await server.remove([rc[0].sessionId]);
    await page.getByRole('button', { name: 'Refresh every server' }).click();
    await status(page, 'Refreshing 2 servers.').waitFor();
    await rcLine(rc.length - 1).waitFor();

    // A quiet refresh under way, then a full load on the server's own tab:
    // the full load replaces it, and the server can be refreshed again later.
    await server.faults({ latencyMs: 800 });
    await page.getByRole('button', { name: 'Refresh every server' }).click();
    await preview.getByText('Refreshing: the preview shows the previous load until the new one is in.').first().waitFor();
    await tab(page, /^Rocket\.Chat/).click();
    await page.locator('.server-view:not([hidden])').getByRole('button', { name: 'Refresh', exact: true }).click();
    await server.faults({ latencyMs: 0 });
    await page.getByText(`1–25 of ${240 - 1}`).waitFor();
    await tab(page, 'Everywhere').click();
    await until('no server to be refreshing', async () => (await preview.getByText(/^Refreshing:/).count()) === 0);
    const messages = async () => (await page.getByRole('status').allTextContents()).join('\n');
    // The earlier messages dismissed: what is said now is this click's.
    for (const b of await page.getByRole('button', { name: 'Dismiss message' }).all()) await b.click();
    await page.getByRole('button', { name: 'Refresh every server' }).click();
    await until('Refresh every server to be said again', async () => /Refreshing 2 servers\./.test(await messages()));
    assert.doesNotMatch(await messages(), /busy/, 'no server is stuck as busy');
  });
});

test('revoke by criteria: the requests are exactly the preview; the own session is marked and left out', async () => {
  await withServer([], async (server, page) => {
    await signInWithPassword(page, server.url);
    await answerPassword(page);
    await page.getByText('1–25 of 241').waitFor();
    // The session the panel itself uses is marked, though list.all does not say.
    await page.getByRole('table').getByText('This session').waitFor();

    await page.getByText('Revoke by criteria').click();
    // The own session alone matches 127.0.0.1: Select all leaves it out.
    await page.getByLabel('IP or subnet').fill('127.0.0.1');
    await page.getByRole('button', { name: 'Select all 1 matching' }).click();
    await status(page, 'your own session is not selected').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Revoke selected (0)' }).isDisabled());

    // A mistyped subnet matches nothing and says why.
    await page.getByLabel('IP or subnet').fill('10.0.0/8');
    await page.getByRole('alert').filter({ hasText: 'is not an address' }).waitFor();
    await page.getByText('No session matches the filter and criteria.').waitFor();

    await page.getByLabel('IP or subnet').fill('10.0.0.0/8');
    await page.getByLabel('Idle for more than (days)').fill('7');
    await page.getByLabel('Client').fill('chrome');
    await page.waitForFunction(() => location.search.includes('net=10.0.0.0%2F8'));
    // The oracle: the server's own rows, the same criteria in plain JS.
    const cut = Date.now() - 7 * 86400000;
    const expected = (await rcSessions(server.url)).filter((s) => s.ip.startsWith('10.')
      && Date.parse(s.loginAt) < cut && /chrome/i.test(`${s.device?.name} ${s.device?.longVersion}`))
      .map((s) => s.sessionId).sort();
    assert.ok(expected.length > 3 && expected.length < 240, `${expected.length} match`);
    await page.getByText(`${expected.length} sessions match the filter and criteria.`).waitFor();
    await page.getByRole('button', { name: `Select all ${expected.length} matching` }).click();
    await page.getByRole('button', { name: `Revoke selected (${expected.length})` }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText(`On Rocket.Chat · this origin:`).waitFor();
    assert.equal(await dialog.getByText('sessiondeck itself is using').count(), 0, 'the own session is not among them');
    const before = (await server.stats()).logoutCalls.length;
    await dialog.getByRole('button', { name: `Revoke ${expected.length} sessions` }).click();
    // The report says it (no message repeats a report on screen).
    await page.getByRole('region', { name: 'Revocation report' }).getByText(`Revoked ${expected.length} of ${expected.length} sessions (${expected.length} confirmed gone, 0 still listed).`).waitFor();
    assert.equal(await status(page, `Revoked ${expected.length} of ${expected.length} sessions`).count(), 0);
    const sent = (await server.stats()).logoutCalls.slice(before).sort();
    assert.deepEqual(sent, expected, 'exactly the preview, nothing else');
    await page.getByText('No session matches the filter and criteria.').waitFor();
  });
});

test('auto-refresh keeps filter, page, selection and focus; new sessions are marked; a revoke that did not take is caught by its check', async () => {
  await withServer([], async (server, page) => {
    await page.clock.install();
    await rocketChat(page, server.url);
    const view = page.locator('.server-view:not([hidden])');
    await view.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('26–50 of 240').waitFor();
    const boxes = page.getByRole('checkbox', { name: /^Select session/ });
    await boxes.nth(2).check();
    await boxes.nth(4).check();
    const focused = await boxes.nth(4).getAttribute('aria-label');
    await boxes.nth(4).focus();

    // A revocation the server says yes to but does not carry out: the
    // fresh read after it (and its re-check, a pause later) still lists it.
    const ghost = (await boxes.nth(7).getAttribute('aria-label')).split(' ')[2];
    await server.faults({ ghostIds: [ghost] });
    await page.getByRole('button', { name: new RegExp(`^Revoke session ${ghost} `) }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke 1 session' }).click();
    for (let i = 0; i < 10 && !(await alert(page, `Could not revoke session ${ghost}`).count()); i += 1) {
      await page.clock.fastForward('00:01');
      await sleep(100);
    }
    await alert(page, new RegExp(`Could not revoke session ${ghost} .*: The server answered that it ended this session, but still lists it after a re-check`)).waitFor();
    assert.equal(await status(page, `Revoked session ${ghost}`).count(), 0, 'never said revoked');
    await boxes.nth(4).focus();

    const added = (await (await server.addSessions({ rocketChat: 3 })).json()).ids;
    await page.getByLabel('Auto-refresh').selectOption('30');
    await page.clock.fastForward('00:31');
    await page.getByText('3 new since the previous load').waitFor();
    await page.getByText('26–50 of 243').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Revoke selected (2)' }).count(), 1, 'the selection stays');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), focused, 'focus follows its session');

    // The new ones are marked (newest first: page 1).
    await view.getByRole('button', { name: 'Previous page' }).click();
    const fresh = page.getByRole('row').filter({ has: page.getByText('New', { exact: true }) });
    assert.equal(await fresh.count(), 3);
    for (const id of added) await fresh.getByRole('checkbox', { name: new RegExp(`^Select session ${id} `) }).waitFor();
    await page.getByLabel('Auto-refresh').selectOption('0');
  });
});

test('self-service "Revoke all sessions" closes that connection only: the others, and their bulk runs, go on', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await signInWithToken(page, server.url);
    await page.getByText('1–25 of 240').waitFor();
    await addServer(page, 'selfservice', 'Access token', SELF.jwt, 'ada@sessiondeck.test');
    // A bulk on Rocket.Chat, slowed down so it is still running…
    await tab(page, /^Rocket\.Chat/).click();
    const rc = page.locator('.server-view:not([hidden])');
    await server.faults({ latencyMs: 400 });
    await rc.getByRole('checkbox', { name: 'Select all sessions on this page' }).check();
    await rc.getByRole('button', { name: 'Revoke selected (25)' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke 25 sessions' }).click();
    await rc.getByRole('button', { name: 'Stop' }).waitFor();
    // …while every session of the self-service account is revoked.
    await tab(page, /^Self-service/).click();
    const ss = page.locator('.server-view:not([hidden])');
    await ss.getByRole('button', { name: 'Revoke all sessions', exact: true }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke all sessions' }).click();
    await alert(page, /Disconnected from Self-service.*all sessions of this account were revoked/).waitFor();
    assert.equal(await tab(page, /^Self-service/).count(), 0, 'that connection is closed');
    // Rocket.Chat is still connected, and its bulk ran to the end.
    await tab(page, /^Rocket\.Chat/).click();
    await rc.getByRole('region', { name: 'Revocation report' }).getByText('Revoked 25 of 25 sessions (25 confirmed gone, 0 still listed).').waitFor({ timeout: 20000 });
    await server.faults({ latencyMs: 0 });
    const calls = (await server.stats()).logoutCalls;
    assert.equal(calls.filter((c) => !c.startsWith('ada') && c !== 'all').length, 25, calls.join());
    await rc.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByText('1–25 of 215').waitFor();
    assert.deepEqual(await page.evaluate(() => JSON.parse(sessionStorage.getItem('sessiondeck.connection')).map((c) => c.kind)), ['rocketchat']);
  });
});

test('a refresh that lands after a revoke never brings it back; a cancelled code pauses auto-refresh', async () => {
  await withServer([], async (server, page) => {
    await page.clock.install();
    await rocketChat(page, server.url);
    const view = page.locator('.server-view:not([hidden])');
    const boxes = view.getByRole('checkbox', { name: /^Select session/ });
    const victim = (await boxes.nth(3).getAttribute('aria-label')).split(' ')[2];
    // A quiet refresh is under way (slowly) when the revoke is confirmed.
    await server.faults({ latencyMs: 700 });
    await page.getByLabel('Auto-refresh').selectOption('30');
    await page.clock.fastForward('00:31');
    await view.getByRole('button', { name: new RegExp(`^Revoke session ${victim} `) }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke 1 session' }).click();
    await status(page, `Revoked session ${victim}`).waitFor();
    await server.faults({ latencyMs: 0 });
    await page.clock.fastForward('00:31');
    await page.getByText('1–25 of 239').waitFor();
    assert.equal(await view.getByRole('checkbox', { name: new RegExp(`^Select session ${victim} `) }).count(), 0, 'not brought back');
    assert.equal(await page.getByRole('alert').filter({ hasText: /still lists/ }).count(), 0, 'no "revoke again"');

    // The next tick asks for a code; the admin cancels: auto-refresh pauses.
    await server.faults({ forget2fa: true });
    await page.clock.fastForward('00:31');
    const dialog = page.getByRole('dialog', { name: /Two-factor/ });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const paused = view.getByRole('status').filter({ hasText: /^Auto-refresh paused: / });
    await paused.waitFor();
    const asked = (await server.stats()).twoFactorRequired;
    for (let i = 0; i < 3; i++) await page.clock.fastForward('00:31');
    await sleep(300);
    assert.equal((await server.stats()).twoFactorRequired, asked, 'no code-less call, no new dialog while paused');
    assert.equal(await dialog.count(), 0);
    await paused.getByRole('button', { name: 'Resume auto-refresh' }).click();
    await answerPassword(page);
    await paused.waitFor({ state: 'detached' });
    await page.getByLabel('Auto-refresh').selectOption('0');
  });
});

test('malformed rows are counted on every load, quiet refreshes included', async () => {
  await withServer([], async (server, page) => {
    await page.clock.install();
    await server.faults({ brokenRows: 2 });
    await signInWithToken(page, server.url);
    await answerPassword(page);
    await page.getByText('1–25 of 238').waitFor();
    const summary = page.locator('.server-view:not([hidden]) .summary');
    await summary.filter({ hasText: '238 sessions active' }).filter({ hasText: '2 malformed rows skipped' }).waitFor();

    await server.faults({ brokenRows: 3 });
    await page.getByLabel('Auto-refresh').selectOption('30');
    await page.clock.fastForward('00:31');
    await page.getByText('1–25 of 237').waitFor();
    await summary.filter({ hasText: '3 malformed rows skipped' }).waitFor();

    await server.faults({ brokenRows: 0 });
    await page.clock.fastForward('00:31');
    await page.getByText('1–25 of 240').waitFor();
    await summary.filter({ hasText: '240 sessions active' }).waitFor();
    assert.ok(!(await summary.textContent()).includes('malformed'), 'nothing skipped now');
    await page.getByLabel('Auto-refresh').selectOption('0');
  });
});

test('keyboard: / filter, j k and arrows between rows, x selects, Enter opens details, ? lists them; never while typing', async () => {
  await withServer([], async (server, page) => {
    await rocketChat(page, server.url);
    const filter = page.getByRole('searchbox', { name: 'Filter' });
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    assert.equal(await filter.evaluate((el) => el === document.activeElement), true);
    // Typing in the field: letters are text, not shortcuts.
    await page.keyboard.type('jkx/');
    assert.equal(await filter.inputValue(), 'jkx/');
    await filter.fill('');
    await page.keyboard.press('Tab');

    const rowId = () => page.evaluate(() => document.activeElement?.closest('tr')?.querySelector('input[type=checkbox]')?.getAttribute('aria-label'));
    const boxes = page.getByRole('checkbox', { name: /^Select session/ });
    const labels = await boxes.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    await page.keyboard.press('j');
    assert.equal(await rowId(), labels[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowDown');
    assert.equal(await rowId(), labels[2]);
    await page.keyboard.press('k');
    assert.equal(await rowId(), labels[1]);
    await page.keyboard.press('x');
    await page.getByRole('button', { name: 'Revoke selected (1)' }).waitFor();
    assert.equal(await boxes.nth(1).isChecked(), true);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const details = page.getByRole('dialog', { name: /Session details/ });
    await details.waitFor();
    assert.ok((await details.textContent()).includes(labels[0].split(' ')[2]), 'the focused row’s details');
    // Inside a dialog the screen's shortcuts are off.
    await page.keyboard.press('j');
    await details.getByRole('button', { name: 'Close' }).click();

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByText('Select or unselect the focused row').waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });
});

test('a preset naming several servers connects them one after another (one may be skipped)', async () => {
  await withServer([], async (server, page) => {
    await page.goto(server.url);
    await page.getByLabel('Preset').selectOption({ label: 'Reference server — incident: Rocket.Chat, DocSpace, Henshin and Keycloak (demo)' });
    assert.equal(await page.getByLabel('Backend').inputValue(), 'rocketchat');
    await page.getByRole('status').filter({ hasText: 'server 1 of 4' }).waitFor();
    await page.getByLabel('User ID').fill(ADMIN.userId);
    await page.getByLabel('Auth token').fill(ADMIN.token);
    await page.getByRole('button', { name: 'Connect' }).click();
    await answerPassword(page);
    // Straight on to the next server of the preset.
    await page.getByRole('status').filter({ hasText: /server 2 of 4 — DocSpace/ }).waitFor();
    assert.equal(await page.getByLabel('Backend').inputValue(), 'docspace');
    await page.getByLabel('API key', { exact: true }).fill(DOCSPACE.key);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('status').filter({ hasText: /server 3 of 4 — Henshin/ }).waitFor();
    await page.getByRole('button', { name: 'Skip this server' }).click();
    await page.getByRole('status').filter({ hasText: /server 4 of 4 — Keycloak/ }).waitFor();
    assert.equal(await page.getByLabel('Realm').inputValue(), 'demo', 'the preset fills in the realm');
    await page.getByRole('button', { name: 'Skip this server' }).click();
    await page.getByText('Signed in as').waitFor();
    const names = await tabs(page).getByRole('button').allTextContents();
    assert.deepEqual(names.map((n) => n.split(' ')[0]), ['Rocket.Chat', 'DocSpace', 'Everywhere', 'Activity', 'Add']);
  });
});
