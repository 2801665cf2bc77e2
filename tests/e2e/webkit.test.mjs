// End to end in WebKit, Safari's engine: the named subset of the suite —
// connect with the password second factor, list, page, sort, filter, URL
// state, details, revoke one and selected, Everywhere on two servers, the
// Activity export — in Debian's WebKitGTK (MiniBrowser) over WebDriver,
// against the release panel under its CSP. The Chromium suite covers the
// rest; what WebKit does differently is exercised here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, stopAllServers, rcSessions, ADMIN, DOCSPACE, until } from './helpers.mjs';
import { launchWebKit } from './webkit.mjs';

let webkit;
before(async () => { webkit = await launchWebKit(); });
after(async () => { await webkit?.close(); stopAllServers(); });

/** Runs `fn(server, page)` with a fresh reference server and WebKit page. */
async function withWebKit(flags, fn) {
  const server = await startServer(flags);
  const page = await webkit.newPage();
  try {
    await fn(server, page);
    assert.deepEqual(await page.errors(), [], 'no uncaught error or CSP violation');
  } catch (e) {
    const shot = join(tmpdir(), `sessiondeck-webkit-failure-${Date.now()}.png`);
    await page.screenshot(shot).then(() => console.error(`screenshot: ${shot}`), () => {});
    throw e;
  } finally {
    await page.close();
    await server.stop();
  }
}

const range = (page, text) => page.waitForText(text, { selector: '.server-view:not([hidden]) .range' });
const dialog = '[role="dialog"]';
const alertdialog = '[role="alertdialog"]';

/** Rocket.Chat with the admin's token, the password second factor, the list loaded. */
async function signIn(page, url) {
  await page.goto(url);
  await page.fillIn('combobox', 'Backend', 'rocketchat');
  await page.fillIn('textbox', 'User ID', ADMIN.userId);
  await page.type(await page.labelled('Auth token'), ADMIN.token);
  await page.press('button', 'Connect');
  await page.type(await page.find(`${dialog} input[type="password"]`), ADMIN.password);
  await page.press('button', 'Verify', dialog);
  await range(page, /^1–25 of 240$/);
}

const rows = (page) => page.evaluate(() => document.querySelectorAll('table.sessions tbody tr').length);
const checkboxes = (page, within) => page.all(`${within} input[type="checkbox"]`, (e) => e.getAttribute('aria-label'));

test('WebKit: connect with the second factor; list, page, sort, filter, URL state; details; revoke one and selected', async () => {
  await withWebKit([], async (server, page) => {
    await signIn(page, server.url);
    await page.waitForText('Ada Admin', { selector: '.signed-in, header' });
    assert.equal(await rows(page), 25);
    assert.equal((await server.stats()).twoFactorRequired <= 2, true, 'no code-less loop');

    // Page: Next, rows per page.
    await page.press('button', 'Next page');
    await range(page, /^26–50 of 240$/);
    await page.fillIn('combobox', 'Rows per page', '100');
    await range(page, /^1–100 of 240$/);
    assert.equal(await rows(page), 100);

    // Sort by user: aria-sort tells the order, the rows follow it.
    const sortOf = () => page.evaluate(() => [...document.querySelectorAll('th')]
      .find((th) => th.textContent.startsWith('User'))?.getAttribute('aria-sort'));
    const userSort = () => page.find('th button.th-sort[data-key="user"], th button.th-sort')
      .then(() => page.evaluate(() => [...document.querySelectorAll('th button.th-sort')].find((b) => b.textContent.startsWith('User'))));
    await page.click(await userSort());
    await until('ascending', async () => (await sortOf()) === 'ascending');
    const names = await page.all('tbody .user-name', (e) => e.textContent.toLowerCase());
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, 'en')));
    await page.click(await userSort());
    await until('descending', async () => (await sortOf()) === 'descending');

    // Filter, kept in the URL and across a reload.
    await page.fillIn('searchbox', 'Filter', 'testroxie');
    const shown = await range(page, /^1–\d of \d$/);
    const usernames = await page.all('tbody .col-user .sub', (e) => e.textContent);
    assert.ok(usernames.length >= 2 && usernames.every((u) => u === 'testroxie'), usernames.join());
    await until('q in the URL', async () => (await page.url()).includes('q=testroxie'));
    await page.reload();
    await range(page, shown);
    assert.equal(await page.evaluate(() => document.querySelector('input[type="search"]').value), 'testroxie');
    assert.equal(await sortOf(), 'descending');

    // Details, then revoke from them.
    await page.fillIn('searchbox', 'Filter', '7ykYEK3KWnk4EeA7s');
    await range(page, /^1–1 of 1$/);
    await page.press('button', 'Details of session 7ykYEK3KWnk4EeA7s');
    for (const text of ['device.os.version', 'testroxie', '172.20.0.2', '2tTEqR7ZNMJ4HGGNa']) {
      await page.waitForText(text, { selector: dialog });
    }
    await page.press('button', 'Revoke this session', dialog);
    await page.waitForText(/Session 7ykYEK3KWnk4EeA7s of Test/, { selector: alertdialog });
    await page.press('button', 'Revoke 1 session', alertdialog);
    await page.waitForText(/Revoked session 7ykYEK3KWnk4EeA7s/, { selector: '[role="status"]' });
    await page.waitForText('No session matches');
    assert.equal(await page.evaluate(() => document.querySelector('[role="dialog"]')), null, 'the details closed');

    // Revoke selected: three ticked, exactly those three sent.
    await page.fillIn('searchbox', 'Filter', 'Firefox');
    await range(page, /^1–\d+ of \d+$/);
    const labels = (await checkboxes(page, 'tbody')).slice(0, 3);
    const chosen = labels.map((l) => l.match(/^Select session (\S+) of/)[1]);
    for (const label of labels) await page.press('checkbox', label);
    await page.press('button', 'Revoke selected (3)');
    await page.waitForText('Revoke 3 selected sessions?', { selector: alertdialog });
    await page.press('button', 'Revoke 3 sessions', alertdialog);
    await page.waitForText('Revoked 3 of 3 sessions (3 confirmed gone, 0 still listed).', { selector: '[aria-label="Revocation report"]' });
    const stats = await server.stats();
    assert.deepEqual([...stats.logoutCalls].sort(), ['7ykYEK3KWnk4EeA7s', ...chosen].sort());
    assert.equal(stats.sessions, 240 - 4);
  });
});

test('WebKit: Everywhere on two servers ends only the ticked person; Activity exports its files', async () => {
  await withWebKit([], async (server, page) => {
    await signIn(page, server.url);
    // A second server through "Add server": DocSpace on the same origin.
    await page.press('button', 'Add server', 'nav[aria-label="Servers"]');
    await page.fillIn('combobox', 'Backend', 'docspace');
    await page.type(await page.labelled('API key'), DOCSPACE.key);
    await page.press('button', 'Connect');
    await page.waitForText('Dora Admin');
    await range(page, /of \d+$/);

    const grace = (await rcSessions(server.url)).filter((s) => s._user?.username === 'grace.kim').map((s) => s.sessionId);
    assert.ok(grace.length >= 2, 'the demo person has Rocket.Chat sessions');
    await page.press('button', 'Everywhere', 'nav[aria-label="Servers"]');
    await page.fillIn('searchbox', 'Person', 'grace');
    const found = 'section[aria-labelledby="people-title"]';
    let boxes = [];
    await until('Grace on both servers, by her login', async () => {
      boxes = (await checkboxes(page, found)).filter((l) => /^(Grace Kim|grace\.kim)\b/.test(l));
      return boxes.length === 2 && boxes.every((l) => l.includes('grace.kim'));
    });
    assert.equal((await page.all(`${found} input[type="checkbox"]`, (e) => e.checked)).filter(Boolean).length, 0, 'a name ticks nobody');
    for (const label of boxes) await page.press('checkbox', label);
    const button = await page.waitForText(/^Revoke everything of 1 person \(\d+ sessions on 2 servers\)$/, { selector: 'button' });
    const total = Number(button.match(/\((\d+) sessions/)[1]);
    await page.press('button', button);
    assert.equal((await page.all(`${alertdialog} [aria-label="People whose sessions end"] li`, (e) => e.textContent)).length, 1);
    const before = (await server.stats()).logoutCalls.length;
    await page.press('button', `Revoke ${total} sessions`, alertdialog);
    await page.waitForText(`Revoked ${grace.length} of ${grace.length} sessions (${grace.length} confirmed gone, 0 still listed).`, { selector: 'section[aria-label^="Report for Rocket.Chat"]' });
    await page.waitForText(/Revoked (\d+) of \1 sessions? \(\1 confirmed gone, 0 still listed\)\./, { selector: 'section[aria-label^="Report for DocSpace"]' });
    const sent = (await server.stats()).logoutCalls.slice(before);
    assert.deepEqual(sent.filter((c) => !c.startsWith('user:')).sort(), [...grace].sort(), 'only her Rocket.Chat sessions');
    assert.equal(sent.filter((c) => c.startsWith('user:')).length, 1, `one DocSpace logoutall: ${sent}`);

    // The record, exported. MiniBrowser saves downloads where WebDriver
    // cannot reach, so the test reads what the panel hands the browser to
    // save: the file behind the object URL the clicked download link
    // points at.
    await page.press('button', 'Activity', 'nav[aria-label="Servers"]');
    await until(`every attempt recorded (${total})`, async () => (await page.all('.activity-page table tbody tr', () => 1)).length === total);
    await page.evaluate(() => {
      window.__saved = [];
      const blobs = new Map();
      const create = URL.createObjectURL;
      URL.createObjectURL = (blob) => { const u = create(blob); blobs.set(u, blob); return u; };
      const click = HTMLElement.prototype.click;
      HTMLElement.prototype.click = function () {
        if (this instanceof HTMLAnchorElement && this.download && blobs.has(this.href)) {
          const name = this.download;
          // As saved: the bytes, a byte-order mark kept (Blob.text() drops it).
          blobs.get(this.href).arrayBuffer()
            .then((b) => window.__saved.push({ name, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(b) }));
        }
        return click.call(this);
      };
    });
    const saved = (name) => page.waitFor(`the file ${name}`, (n) => window.__saved.find((f) => f.name === n)?.text ?? null, [name]);
    await page.press('button', 'Export CSV');
    const csvStatus = await page.waitForText(/Exported \d+ attempts to sessiondeck-activity-127\.0\.0\.1-\d+-\d{4}-\d\d-\d\d\.csv\./, { selector: '[role="status"]' });
    const csvName = csvStatus.match(/(sessiondeck-activity-[\d.-]+\.csv)/)[1];
    const csv = await saved(csvName);
    assert.ok(csv.startsWith('\ufeffTime,Signed in as,Server,Session,User,Client,IP,Outcome,Reason'), csv.slice(0, 80));
    assert.equal(csv.trim().split('\r\n').length, total + 1);
    await page.press('button', 'Export JSON');
    const json = JSON.parse(await saved(csvName.replace(/csv$/, 'json')));
    assert.equal(json.entries.length, total);
    for (const id of grace) assert.ok(json.entries.some((e) => e.session === id && e.outcome === 'revoked'), id);
  });
});
