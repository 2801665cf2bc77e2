// End to end: what the panel says happened is what happened. Every revoke
// is checked by a fresh read (confirmed gone / still listed); "already gone"
// and "done" come only from the API's own answer, never from what a proxy or
// gateway in between says; one hostile record cannot crash the panel, and a
// crash is never followed by a reconnect the admin did not ask for; the
// panel's own session is not swept while a reload has it unmarked; Stop
// sends nothing more; stored credentials end. Each test makes the reference
// server (behind its test hooks) answer as the thing it imitates would, and
// checks the server's own request log and rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserForFile, signInWithToken, signInWithBearer, answerPassword, DOCSPACE, HENSHIN, SELF,
  sleep, until, status, alert, confirmWith, rcSessions,
} from './helpers.mjs';

const { withServer } = browserForFile();
const rowIds = (page) => page.getByRole('checkbox', { name: /^Select session/ }).evaluateAll(
  (els) => els.map((e) => e.getAttribute('aria-label').split(' ')[2]));
const revokeButton = (page, id) => page.getByRole('button', { name: new RegExp(`^Revoke session ${id} `) });
const view = (page) => page.locator('.server-view:not([hidden])');

/** Rocket.Chat, signed in and listed, its own session looked up. */
async function listed(server, page, { twoFactor = true } = {}) {
  await signInWithToken(page, server.url);
  if (twoFactor) await answerPassword(page);
  await page.getByText(/^1–25 of \d+$/).waitFor();
  await page.waitForFunction(() => performance.getEntriesByName('sessiondeck:own-session').length > 0);
}

/** What a proxy or gateway in front of an API answers for a path it does not know. */
const FOREIGN_404 = [
  ['ingress-nginx', 'default backend - 404', 'text/plain'],
  ['Traefik', '404 page not found\n', 'text/plain; charset=utf-8'],
  ['an empty 404', '', ''],
  ["a gateway's JSON", '{"message":"no Route matched with those values"}', 'application/json'],
];

test('a 404 that is not the API\'s own answer is never "already gone": Rocket.Chat and Henshin', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await listed(server, page, { twoFactor: false });
    const ids = await rowIds(page);
    for (const [i, [who, body, contentType]] of FOREIGN_404.entries()) {
      const id = ids[i];
      await server.faults({ actionAnswer: { status: 404, body, contentType, path: '/sessions/logout' } });
      await revokeButton(page, id).click();
      await confirmWith(page, 'Revoke 1 session');
      await alert(page, new RegExp(`Could not revoke session ${id} .*404 Not Found: this answer did not come from Rocket\\.Chat's API but from something in between`)).waitFor();
      assert.ok((await server.stats()).sessionIds.includes(id), `${who}: still on the server`);
      await revokeButton(page, id).waitFor();
    }
    assert.equal(await page.getByText(/already (gone|ended)/).count(), 0);
    await server.faults({ actionAnswer: null });
  });
  await withServer([], async (server, page) => {
    await signInWithBearer(page, server.url, 'henshin', 'Token', HENSHIN.token);
    await page.getByText(/^1–25 of \d+$/).waitFor();
    const [id] = await rowIds(page);
    await server.faults({ actionAnswer: { status: 404, body: 'default backend - 404', contentType: 'text/plain', path: '/revoke' } });
    await revokeButton(page, id).click();
    await confirmWith(page, 'Revoke 1 session');
    await alert(page, new RegExp(`Could not revoke session ${id} .*did not come from Henshin's admin API`)).waitFor();
    assert.equal(await page.getByText(/already gone/).count(), 0);
    assert.ok((await server.stats()).henshinIds.includes(id));
  });
});

test('every revoke is checked by a fresh read: a session said revoked but still listed is a failure with Retry; one whose answer was lost is confirmed gone; Activity records each check', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await listed(server, page, { twoFactor: false });
    const [ghost, plain, lost, other] = await rowIds(page);
    const select = async (ids) => {
      for (const id of ids) await page.getByRole('checkbox', { name: new RegExp(`^Select session ${id} `) }).check();
      await page.getByRole('button', { name: `Revoke selected (${ids.length})` }).click();
      await confirmWith(page, `Revoke ${ids.length} sessions`);
    };
    const report = page.getByRole('region', { name: 'Revocation report' });
    // The server says yes to `ghost` but keeps it.
    await server.faults({ ghostIds: [ghost] });
    const before = (await server.stats()).requests;
    await select([ghost, plain]);
    await report.getByText('Revoked 1 of 2 sessions (1 confirmed gone, 1 still listed); 1 failed.').waitFor({ timeout: 20000 });
    await report.getByText(/The server answered that it ended this session, but still lists it after a re-check/).waitFor();
    let stats = await server.stats();
    assert.ok(stats.sessionIds.includes(ghost) && !stats.sessionIds.includes(plain));
    assert.ok(stats.requests > before + 2, 'the list was read again after the logouts (and once more for the ghost)');
    // The table agrees: gone only when no longer listed.
    await revokeButton(page, ghost).waitFor();
    assert.equal(await revokeButton(page, plain).count(), 0);
    // Retry: the server behaves now, and the check confirms it.
    await server.faults({ ghostIds: [] });
    await report.getByRole('button', { name: 'Retry failed (1)' }).click();
    await report.getByText('Revoked 1 of 1 session (1 confirmed gone, 0 still listed).').waitFor({ timeout: 20000 });
    assert.ok(!(await server.stats()).sessionIds.includes(ghost));

    // Answers lost on the way (a gateway's empty 404 after the server did
    // it): not "done" by their answer — the fresh read finds them gone.
    await page.getByRole('button', { name: 'Dismiss report' }).click();
    await server.faults({ actionAnswer: { status: 404, body: '', path: '/sessions/logout', perform: true } });
    await select([lost, other]);
    await report.getByText('Revoked 2 of 2 sessions (2 confirmed gone, 0 still listed).').waitFor({ timeout: 20000 });
    await server.faults({ actionAnswer: null });
    stats = await server.stats();
    assert.ok(!stats.sessionIds.includes(lost) && !stats.sessionIds.includes(other));

    // The record says, per session, what the fresh read found.
    const record = JSON.parse(await page.evaluate(() => localStorage.getItem('sessiondeck.activity')));
    const verified = Object.fromEntries(record.entries.map((e) => [`${e.session} ${e.outcome}`, e.verified]));
    assert.equal(verified[`${ghost} failed`], 'still listed');
    assert.equal(verified[`${ghost} revoked`], 'confirmed gone');
    assert.equal(verified[`${plain} revoked`], 'confirmed gone');
    for (const id of [lost, other]) {
      assert.match(verified[`${id} revoked`] ?? '', /^confirmed gone \(its answer had failed: 404 Not Found: this answer did not come from Rocket\.Chat's API/);
    }
    // …and the Activity view says it.
    await page.getByRole('button', { name: 'Activity' }).click();
    await page.getByText(/read again: 4 confirmed gone, 1 still listed$/).waitFor();
    await page.getByRole('table').getByText('Still listed', { exact: true }).waitFor();
  });
});

test('done only on the documented success: DocSpace false and an error envelope sent with 200; self-service\'s body where it sends none', async () => {
  await withServer([], async (server, page) => {
    await signInWithBearer(page, server.url, 'docspace', 'API key', DOCSPACE.key);
    await page.getByText(/^1–25 of \d+$/).waitFor();
    await page.getByText(/^Sessions by user/).click();
    const irina = page.getByRole('button', { name: 'Revoke all sessions of Irina Volkova' });
    for (const [body, said] of [
      ['{"response":false,"count":1,"links":[],"status":0,"statusCode":200}', /DocSpace answered false/],
      ['{"error":{"message":"Object reference not set to an instance of an object."},"status":1,"statusCode":500}', /500 Internal Server Error: the server says .Object reference not set/],
      ['{"ok":true}', /did not come from DocSpace's API/],
    ]) {
      await server.faults({ actionAnswer: { status: 200, body, contentType: 'application/json', path: '/logoutall/' } });
      await irina.click();
      await confirmWith(page, /^Revoke \d+ session/);
      // The report on screen says it, and why (no message repeats it).
      const report = page.getByRole('region', { name: 'Revocation report' });
      await report.getByText(/^Revoked 0 of (\d+) sessions? \(0 confirmed gone, \1 still listed\); \1 failed\.$/).waitFor();
      await report.getByText(said).first().waitFor();
      await page.getByRole('button', { name: 'Dismiss report' }).click();
    }
    assert.equal(await status(page, /Revoked all \d+ sessions of Irina/).count(), 0);
    await server.faults({ actionAnswer: null });
  });
  await withServer([], async (server, page) => {
    await signInWithBearer(page, server.url, 'selfservice', 'Access token', SELF.jwt);
    await page.getByText('1–8 of 8').waitFor();
    await server.faults({ actionAnswer: { status: 200, body: '{"response":false}', contentType: 'application/json', path: '/auth/sessions' } });
    await page.getByRole('button', { name: 'Revoke all other sessions' }).click();
    await confirmWith(page, 'Revoke all other sessions');
    const report = page.getByRole('region', { name: 'Revocation report' });
    await report.getByText('Revoked 0 of 7 sessions (0 confirmed gone, 7 still listed); 7 failed.').waitFor();
    await report.getByText(/^200 OK: this answer did not come from the self-service \/auth\/sessions API/).first().waitFor();
    assert.equal(await status(page, 'Revoked all other sessions').count(), 0);
  });
});

test('a record built to explode is shown within bounds, and the panel never stops', async () => {
  await withServer([], async (server, page) => {
    await server.faults({ explodeRows: 100000 });
    await signInWithBearer(page, server.url, 'docspace', 'API key', DOCSPACE.key);
    await page.getByText(/^1–25 of \d+$/).waitFor();
    await page.getByRole('button', { name: /^Details of session/ }).first().click();
    const details = page.getByRole('dialog', { name: /Session details/ });
    await details.getByText(/\d+ more fields not shown: this record is larger than sessiondeck shows/).waitFor();
    assert.equal(await page.getByRole('alert').filter({ hasText: 'sessiondeck stopped' }).count(), 0);
    const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
    assert.ok(heap < 400 * 1024 * 1024, `heap ${heap}`);
  });
});

test('after a crash the next start reconnects nothing by itself: it lists the servers, names the one that was loading, and waits', async () => {
  await withServer([], async (server, page) => {
    await page.context().addInitScript(() => {
      addEventListener('TrunkApplicationStarted', (e) => { window.__sessiondeckWasm = e.detail.wasm; });
    });
    await listed(server, page);
    // A reload under way, slowly, when the panel traps.
    await server.faults({ latencyMs: 3000 });
    await view(page).getByRole('button', { name: 'Refresh', exact: true }).click();
    await sleep(300);
    await page.evaluate(() => setTimeout(() => window.__sessiondeckWasm.__wbindgen_malloc(0xfffffff0, 8)));
    const notice = page.getByRole('alert').filter({ hasText: 'sessiondeck stopped — reload' });
    await notice.waitFor();
    await server.faults({ latencyMs: 0 });
    page.errors.length = 0; // the trap this test causes
    await sleep(3500);
    const before = (await server.stats()).requests;
    await notice.getByRole('button', { name: 'Reload' }).click();
    const panel = page.getByRole('region', { name: 'sessiondeck stopped last time — nothing was reconnected' });
    await panel.waitFor();
    await panel.getByText(/It stopped while loading Rocket\.Chat · this origin/).waitFor();
    await panel.getByText('was loading').waitFor();
    await sleep(500);
    assert.equal((await server.stats()).requests, before, 'nothing was asked of any server');
    await panel.getByRole('button', { name: 'Reconnect Rocket.Chat · this origin' }).click();
    await page.getByText(/^1–25 of \d+$/).or(page.getByRole('dialog', { name: /Two-factor/ })).first().waitFor();
    assert.equal(await panel.count(), 0);
  });
});

test('the own session is unknown from the start of every reload: sweeps are refused until the new list marks it', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await listed(server, page, { twoFactor: false });
    // A quiet reload of every server, slowly: the table stays, its rows
    // arrive unmarked.
    await server.faults({ latencyMs: 2000 });
    await page.getByRole('button', { name: 'Everywhere' }).click();
    await page.getByRole('button', { name: 'Refresh every server' }).click();
    await page.getByRole('button', { name: /^Rocket\.Chat/ }).click();
    await page.getByText('Revoke by criteria').click();
    await view(page).getByRole('button', { name: /^Select all \d+ matching$/ }).click();
    await alert(page, /Nothing was selected: sessiondeck does not know yet which of this server's sessions is its own/).waitFor();
    await view(page).getByRole('checkbox', { name: 'Select all sessions on this page' }).click();
    assert.equal(await page.getByRole('button', { name: /^Revoke selected \([1-9]/ }).count(), 0, 'nothing selected');
    assert.equal(await view(page).getByRole('checkbox', { name: 'Select all sessions on this page' }).isChecked(), false);
    // Once the new list marks it, they may run again.
    await server.faults({ latencyMs: 0 });
    await page.waitForFunction(() => performance.getEntriesByName('sessiondeck:own-session').length > 1, null, { timeout: 20000 });
    await view(page).getByRole('checkbox', { name: 'Select all sessions on this page' }).check();
    await page.getByRole('button', { name: /^Revoke selected \(2[45]\)$/ }).waitFor();
  });
});

test('a failed lookup of the own session turns sweeps off visibly, says what failed, and is asked again', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await server.faults({ failOwnList: true });
    await listed(server, page, { twoFactor: false });
    const note = status(page, 'Revoke selected and sweeps are off on this server');
    await note.getByText(/the call that tells which of this server's sessions is sessiondeck's own failed.*What failed: 502/).waitFor();
    // What it says is what the panel does: the page's ticks are refused.
    await view(page).getByRole('checkbox', { name: 'Select all sessions on this page' }).click();
    await alert(page, /the call that tells which of this server's sessions is sessiondeck's own failed/).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Revoke selected \([1-9]/ }).count(), 0, 'nothing selected');
    // Asked again with the next load: once it answers, the note goes and sweeps run.
    await server.faults({ failOwnList: false });
    await note.getByRole('button', { name: 'Reload and ask again' }).click();
    await page.waitForFunction(() => performance.getEntriesByName('sessiondeck:own-session').length > 1);
    await note.waitFor({ state: 'detached' });
    await view(page).getByRole('checkbox', { name: 'Select all sessions on this page' }).check();
    await page.getByRole('button', { name: /^Revoke selected \(2[45]\)$/ }).waitFor();
  });
});

test('Stop keeps what the checks made before it found: those no longer listed are confirmed gone, the rest not checked', async () => {
  // Among 2,400 sessions, a few are checked by a lookup each, made as each
  // revoke is answered.
  await withServer(['--2fa', 'none', '--sessions', '2400'], async (server, page) => {
    await listed(server, page, { twoFactor: false });
    // Fewer than the list's 24 pages: a lookup each is the cheaper check.
    for (const id of (await rowIds(page)).slice(0, 12)) {
      await page.getByRole('checkbox', { name: new RegExp(`^Select session ${id} `) }).check();
    }
    await server.faults({ latencyMs: 400 });
    await page.getByRole('button', { name: 'Revoke selected (12)' }).click();
    await confirmWith(page, 'Revoke 12 sessions');
    const progress = page.getByRole('progressbar', { name: 'Revoking and checking sessions' });
    // A session counts once its check is in.
    await page.waitForFunction(() => {
      const bar = document.querySelector('[role=progressbar][aria-label="Revoking and checking sessions"]');
      return bar && Number(bar.getAttribute('aria-valuenow')) >= 1;
    });
    await page.getByRole('region', { name: 'Revocation progress' }).getByRole('button', { name: 'Stop' }).click();
    await progress.waitFor({ state: 'detached' });
    const summary = page.getByRole('region', { name: 'Revocation report' }).locator('.report-summary');
    await summary.getByText(/^Stopped: revoked/).waitFor();
    const text = await summary.textContent();
    const [, revoked, gone, unchecked, notSent] = text
      .match(/^Stopped: revoked (\d+) of 12 sessions \((\d+) confirmed gone, 0 still listed(?:, (\d+) not checked)?\); (\d+) not sent\.$/)
      .map((n) => Number(n ?? 0));
    assert.ok(gone >= 1, `a check that came in before Stop stands: ${text}`);
    assert.equal(gone + unchecked, revoked, text);
    assert.equal(revoked + notSent, 12, text);
    // What the panel calls gone is gone; each one was ended by the panel.
    await server.faults({ latencyMs: 0 });
    const { sessionIds, logoutCalls } = await server.stats();
    const left = new Set(sessionIds);
    assert.equal(logoutCalls.length, revoked, 'each revoked one was sent, nothing after Stop');
    const record = JSON.parse(await page.evaluate(() => localStorage.getItem('sessiondeck.activity')));
    const confirmed = record.entries.filter((e) => e.verified === 'confirmed gone').map((e) => e.session);
    assert.equal(confirmed.length, gone, 'the record names each one confirmed');
    assert.ok(confirmed.every((id) => logoutCalls.includes(id) && !left.has(id)), 'each one confirmed was ended by the panel and is gone');
    const stopped = record.entries.filter((e) => e.verified.startsWith('not checked: '));
    assert.equal(stopped.length, unchecked, 'the rest are said not checked, with why');
  });
});

test('Stop during a rate-limit wait: not one request of the batch leaves after it', async () => {
  await withServer(['--2fa', 'none', '--rate-limit', '4', '--rate-window-ms', '600000'], async (server, page) => {
    await listed(server, page, { twoFactor: false });
    await page.getByLabel('Rows per page').selectOption('100');
    await page.getByText('1–100 of 240').waitFor();
    const ids = (await rowIds(page)).slice(1, 30);
    for (const id of ids) await page.getByRole('checkbox', { name: new RegExp(`^Select session ${id} `) }).check();
    await page.getByRole('button', { name: 'Revoke selected (29)' }).click();
    await confirmWith(page, 'Revoke 29 sessions');
    // The server's limit is reached: the batch waits (ten minutes, shown).
    await page.getByText(/rate limit/i).first().waitFor({ timeout: 20000 });
    await sleep(500);
    const progress = page.getByRole('region', { name: 'Revocation progress' });
    await progress.getByRole('button', { name: 'Stop' }).click();
    const report = page.getByRole('region', { name: 'Revocation report' });
    await report.waitFor();
    const after = (await server.stats()).requests;
    await sleep(1500);
    assert.equal((await server.stats()).requests, after, 'not one request after Stop — not even a check');
    const sent = (await server.stats()).actions.length;
    assert.ok(sent <= 10, `${sent} logouts reached the server`);
    await report.getByText(/^Stopped: revoked \d+ of 29 sessions/).waitFor();
  });
});

test('stored credentials end: a tab\'s copy after its time, and a server disconnected in one tab never comes back in a tab reopened later', async () => {
  await withServer([], async (server, page) => {
    await listed(server, page);
    const copy = await page.evaluate(() => sessionStorage.getItem('sessiondeck.connection'));
    // The tab's own copy, made 13 hours ago: past its time, not restored.
    await page.evaluate(() => {
      const all = JSON.parse(sessionStorage.getItem('sessiondeck.connection'));
      for (const c of all) c.since -= 13 * 3600 * 1000;
      sessionStorage.setItem('sessiondeck.connection', JSON.stringify(all));
    });
    const before = (await server.stats()).requests;
    await page.reload();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await sleep(300);
    assert.equal((await server.stats()).requests, before, 'nothing signed in again');
    // A fresh copy, then Disconnect here; a tab reopened later with the copy
    // it had before the Disconnect does not bring the server back.
    await page.evaluate((c) => sessionStorage.setItem('sessiondeck.connection', c), copy);
    await page.reload();
    await page.getByRole('dialog', { name: /Two-factor/ }).or(page.getByText(/^1–25 of \d+$/)).first().waitFor();
    await page.evaluate((c) => {
      const all = JSON.parse(c);
      for (const x of all) x.since = Date.now() - 1000;
      sessionStorage.setItem('sessiondeck.before-disconnect', JSON.stringify(all));
    }, copy);
    await page.keyboard.press('Escape');
    await view(page).getByRole('button', { name: /^Disconnect/ }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    const reopened = await page.context().newPage();
    await reopened.goto('about:blank');
    const old = await page.evaluate(() => sessionStorage.getItem('sessiondeck.before-disconnect'));
    await reopened.addInitScript((c) => { if (!sessionStorage.getItem('restored')) { sessionStorage.setItem('sessiondeck.connection', c); sessionStorage.setItem('restored', '1'); } }, old);
    const asked = (await server.stats()).requests;
    await reopened.goto(server.url);
    await reopened.getByRole('button', { name: 'Connect' }).waitFor();
    await sleep(300);
    assert.equal((await server.stats()).requests, asked, 'the disconnected server was not signed in again');
    await reopened.close();
  });
});

test('one server reached as this origin and by its full address is one server: Everywhere counts and revokes its sessions once', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await listed(server, page, { twoFactor: false });
    // The same server again, by its full address (another account would be
    // told apart; this is the same admin by another URL).
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByLabel('Server URL').fill(server.url);
    await page.getByLabel('Backend').selectOption('rocketchat');
    await page.getByLabel('User ID').fill('AdminDemoUser0001');
    await page.getByLabel('Auth token').fill('demo-admin-token-3Nf8qL2xVv9Kp4Rm');
    await page.getByRole('button', { name: 'Connect' }).click();
    await view(page).getByText(/^1–25 of \d+$/).waitFor();
    await page.getByRole('button', { name: 'Everywhere' }).click();
    await page.getByRole('searchbox', { name: 'Person' }).fill('grace.kim');
    const grace = (await rcSessions(server.url)).filter((s) => s._user?.username === 'grace.kim');
    assert.ok(grace.length > 0);
    const button = page.getByRole('button', { name: /^Revoke everything of/ });
    await until('both servers ticked', async () => /\(\d+ sessions? on/.test(await button.textContent()));
    const text = await button.textContent();
    const n = Number(text.match(/\((\d+) sessions? on/)[1]);
    assert.equal(n, grace.length, `counted once: ${text}`);
  });
});

test('a browser without modal dialogs is told so, and nothing is sent from it', async () => {
  await withServer([], async (server, page) => {
    await page.context().addInitScript(() => { delete HTMLDialogElement.prototype.showModal; });
    await page.goto(server.url);
    await page.getByRole('alert').filter({ hasText: 'This browser cannot run sessiondeck safely' }).waitFor();
    const sent = await page.evaluate(() => fetch('/api/v1/me').then(() => 'sent', () => 'refused'));
    assert.equal(sent, 'refused');
    await sleep(500);
    assert.equal((await server.stats()).requests, 0, 'nothing was sent');
    // The panel's own start-up fetch (its presets), refused as it should be.
    page.errors = page.errors.filter((e) => !/sessiondeck stopped: nothing more is sent/.test(e));
  });
});

test('a list over the panel\'s limit is loaded up to it and said so — never "the list changed" — and the limit can be raised', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await page.context().addInitScript(() => localStorage.setItem('sessiondeck.max-sessions', '100'));
    await signInWithToken(page, server.url);
    await page.getByText('Loaded 100 sessions of 240: the panel\'s limit of 100 sessions per server.').waitFor();
    await page.getByText('1–25 of 100').waitFor();
    assert.equal(await page.getByText(/The list changed while loading/).count(), 0);
    await page.getByRole('button', { name: 'Raise the limit to 200 and reload' }).click();
    await page.getByText('Loaded 200 sessions of 240: the panel\'s limit of 200 sessions per server.').waitFor();
    await page.getByText('1–25 of 200').waitFor();
  });
});
