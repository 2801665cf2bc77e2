// End to end: trust under hostile and faulty servers (issue 9). Each test
// makes the reference server misbehave the way a real one or a proxy can,
// and checks that nothing outside the admin's choice is sent, that no
// secret leaves, and that no outcome is silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  browserForFile, startServer, watch, signInWithToken, signInWithPassword,
  signInWithBearer, answerPassword, ADMIN, HENSHIN, SELF, sleep, until, status, alert, confirmWith,
} from './helpers.mjs';

const { withServer } = browserForFile();
const rowIds = (page) => page.getByRole('checkbox', { name: /^Select session/ }).evaluateAll(
  (els) => els.map((e) => e.getAttribute('aria-label').split(' ')[2]));
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const revokeButton = (page, id) => page.getByRole('button', { name: new RegExp(`^Revoke session ${escapeRe(id)} `) });

async function listed(server, page, flags = {}) {
  await signInWithToken(page, server.url);
  if (!flags.noTwoFactor) await answerPassword(page);
  await page.getByText(/^1–25 of \d+$/).waitFor();
  // The load is over once the admin's own session was looked up.
  await page.waitForFunction(() => performance.getEntriesByName('sessiondeck:own-session').length > 0);
}

/** A server elsewhere that records every request it gets. */
async function recorder() {
  const seen = [];
  const srv = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'content-type': 'application/json' });
    res.end('{"sessions":[],"total":0,"success":true}');
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${srv.address().port}`, seen, close: () => new Promise((r) => srv.close(r)) };
}

test('a redirect is an error that names it, and no credential follows it', async () => {
  const elsewhere = await recorder();
  try {
    await withServer([], async (server, page) => {
      await listed(server, page);
      const [id] = await rowIds(page);
      await server.faults({ redirectTo: elsewhere.url });
      await revokeButton(page, id).click();
      await confirmWith(page, 'Revoke 1 session');
      await alert(page, new RegExp(`Could not revoke session ${id}.*3xx Redirect: .* answered with a redirect. sessiondeck does not follow redirects, so the credentials were not sent anywhere else`)).waitFor();
      await page.getByRole('button', { name: 'Refresh' }).click();
      await alert(page, /3xx Redirect/).waitFor();
      await sleep(500);
      assert.deepEqual(elsewhere.seen, [], 'X-Auth-Token, X-User-Id and X-2fa-Code never reached the other port');
      assert.ok(!(await server.stats()).logoutCalls.includes(id));
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    });
  } finally {
    await elsewhere.close();
  }
});

test('a 2xx web page is never taken as revoked', async () => {
  await withServer([], async (server, page) => {
    await listed(server, page);
    const [id] = await rowIds(page);
    await server.faults({ htmlActions: true });
    await revokeButton(page, id).click();
    await confirmWith(page, 'Revoke 1 session');
    await alert(page, new RegExp(`Could not revoke session ${id}.*200 OK: the server answered with a web page, not the API's answer`)).waitFor();
    const stats = await server.stats();
    assert.equal(stats.htmlAnswers, 1);
    assert.ok(stats.sessionIds.includes(id), 'still there on the server');
    assert.equal(await status(page, `Revoked session ${id}`).count(), 0);
    await revokeButton(page, id).waitFor();
  });
  // One call for many: "Revoke all other sessions" under a web page.
  await withServer([], async (server, page) => {
    await signInWithBearer(page, server.url, 'selfservice', 'Access token', SELF.jwt);
    await page.getByText('1–8 of 8').waitFor();
    await server.faults({ htmlActions: true });
    await page.getByRole('button', { name: 'Revoke all other sessions' }).click();
    await confirmWith(page, 'Revoke all other sessions');
    // The report on screen says it (no message repeats it).
    const report = page.getByRole('region', { name: 'Revocation report' });
    await report.getByText('Revoked 0 of 7 sessions (0 confirmed gone, 7 still listed); 7 failed.').waitFor();
    await report.getByText(/^200 OK: the server answered with a web page/).first().waitFor();
    assert.equal(await status(page, 'Revoked all other sessions').count(), 0);
  });
});

test("a proxy's 404 page is a failure of its own, never \"already gone\"", async () => {
  await withServer([], async (server, page) => {
    await listed(server, page);
    const [id] = await rowIds(page);
    await server.faults({ notFoundHtml: true });
    await revokeButton(page, id).click();
    await confirmWith(page, 'Revoke 1 session');
    await alert(page, new RegExp(`Could not revoke session ${id}.*404 Not Found: the server answered with a web page, not the API's answer`)).waitFor();
    assert.equal(await page.getByText(/already (gone|ended)/).count(), 0);
    assert.ok((await server.stats()).sessionIds.includes(id), 'still there on the server');
    await revokeButton(page, id).waitFor();
  });
});

test('a failing page is tried again, then named with Retry; a huge answer is refused unread', async () => {
  await withServer(['--sessions', '1000', '--2fa', 'none'], async (server, page) => {
    await server.faults({ failListOffset: 600 });
    await signInWithToken(page, server.url);
    await alert(page, /Could not load page 7 of 10 \(sessions 601–700\): 502 Bad Gateway/).waitFor({ timeout: 20000 });
    await server.faults({ failListOffset: null });
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('1–25 of 1000').waitFor({ timeout: 20000 });
    for (const hugeBodyLength of [false, true]) {
      await server.faults({ hugeBodyMb: 200, hugeBodyLength });
      await page.getByRole('toolbar', { name: 'Session actions' }).getByRole('button', { name: 'Refresh' }).click();
      await alert(page, /Answer too large: .* sent more than 32 MB, so sessiondeck stopped reading it/).waitFor({ timeout: 20000 });
      // The server could not send it all: the panel stopped reading at the cap
      // (what it sent beyond 32 MB sat in the network's buffers).
      const sent = (await server.stats()).hugeBytesSent;
      assert.ok(sent < 100 * 1024 * 1024, `the panel stopped reading (${sent} of 200 MB were sent)`);
      await server.faults({ hugeBodyMb: 0 });
      await page.getByRole('button', { name: 'Retry' }).click();
      await page.getByText('1–25 of 1000').waitFor({ timeout: 20000 });
    }
  });
});

test('a browser storage that refuses the connection is said, not ignored', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await page.goto(server.url);
    // This origin's localStorage, full to its quota.
    const filled = await page.evaluate(() => {
      let i = 0;
      // Large blocks, then smaller ones, until not even one character fits.
      for (let size = 256 * 1024; size >= 1; size = Math.floor(size / 4)) {
        const block = 'x'.repeat(size);
        try {
          for (;;) localStorage.setItem(`f${i++}`, block);
        } catch {
          // full at this size: try a smaller one
        }
      }
      return i;
    });
    assert.ok(filled > 1, 'the storage was filled');
    await signInWithToken(page, server.url, { remember: true });
    await alert(page, /This browser refused to store the connection \(its storage is full or disabled\)/).waitFor();
    // It still works in this tab.
    await page.getByText('1–25 of 240').waitFor();
    page.errors = page.errors.filter((e) => !/QuotaExceeded|exceeded the quota/i.test(e));
  });
});

test('a browser without AbortSignal.timeout / AbortSignal.any (older Safari, Firefox) works', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await page.addInitScript(() => {
      delete AbortSignal.timeout;
      delete AbortSignal.any;
    });
    await signInWithToken(page, server.url);
    await page.getByText('1–25 of 240').waitFor();
    assert.equal(await page.evaluate(() => typeof AbortSignal.any), 'undefined');
    // A load replaced half-way cancels what it still asked for, without an error.
    await server.faults({ latencyMs: 300 });
    const refresh = page.locator('.server-view:not([hidden])').getByRole('button', { name: 'Refresh', exact: true });
    await refresh.click();
    await sleep(100);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await server.faults({ latencyMs: 0 });
  });
});

test('IDs that could widen a revoke are refused before any request', async () => {
  await withServer([], async (server, page) => {
    const hostile = ['all', '..', '%2e%2e', 'x%2Fy'];
    await server.addSessions({ selfService: hostile });
    await signInWithBearer(page, server.url, 'selfservice', 'Access token', SELF.jwt);
    await page.getByText('1–12 of 12').waitFor();
    for (const id of hostile) {
      await page.getByRole('checkbox', { name: new RegExp(`^Select session ${escapeRe(id)} of`) }).check();
    }
    const before = await server.stats();
    await page.getByRole('button', { name: 'Revoke selected (4)' }).click();
    await confirmWith(page, 'Revoke 4 sessions');
    const report = page.getByRole('region', { name: 'Revocation report' });
    await report.getByText('Revoked 0 of 4 sessions; 4 failed.').waitFor();
    await report.getByText(/Not sent: the ID “all” is a word the API uses for its own paths/).waitFor();
    await report.getByText(/Not sent: the ID “%2e%2e” is a path step/).waitFor();
    // The panel would refuse them again: no "Retry failed" for them.
    assert.equal(await report.getByRole('button', { name: /Retry failed/ }).count(), 0);
    const after = await server.stats();
    assert.equal(after.requests, before.requests, 'not one request was sent');
    assert.deepEqual(after.selfServiceIds, before.selfServiceIds);
  });
});

test('a revoke confirmed while a batch runs waits its turn; Stop sends nothing more, and the rest is retryable', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await listed(server, page, { noTwoFactor: true });
    await page.getByLabel('Rows per page').selectOption('100');
    await page.getByText('1–100 of 240').waitFor();
    const ids = (await rowIds(page)).slice(0, 40);
    const single = (await rowIds(page))[60];
    for (const id of ids) await page.getByRole('checkbox', { name: new RegExp(`^Select session ${id} `) }).check();
    await server.faults({ latencyMs: 500 });
    await page.getByRole('button', { name: 'Revoke selected (40)' }).click();
    await confirmWith(page, 'Revoke 40 sessions');
    const progress = page.getByRole('region', { name: 'Revocation progress' });
    await progress.waitFor();
    // Another revoke while it runs: queued, and said so.
    await revokeButton(page, single).click();
    await confirmWith(page, 'Revoke 1 session');
    await status(page, /Queued: 1 session will be revoked when the revocation running now is done/).waitFor();
    await progress.getByText('1 more confirmed action waits behind this one.').waitFor();
    await progress.getByRole('button', { name: 'Stop' }).click();
    const report = page.getByRole('region', { name: 'Revocation report' });
    const summary = report.locator('.report-summary');
    await summary.getByText(/^Stopped: revoked \d+ of 41 sessions \(0 confirmed gone, 0 still listed(?:, \d+ not checked)?\); \d+ not sent\.$/).waitFor();
    await sleep(1200);
    const [, revoked, notSent] = (await summary.textContent()).match(/revoked (\d+) of 41 sessions \(0 confirmed gone, 0 still listed(?:, \d+ not checked)?\); (\d+) not sent/).map(Number);
    const calls = (await server.stats()).logoutCalls;
    assert.equal(calls.length, revoked, 'nothing was sent after Stop beyond what was in flight');
    assert.ok(revoked < 40 && revoked + notSent === 41, `${revoked} + ${notSent}`);
    assert.ok(!calls.includes(single), 'the queued revoke was not sent');
    await report.getByRole('button', { name: `Retry failed (${notSent})` }).click();
    await page.getByRole('region', { name: 'Revocation report' }).getByText(`Revoked ${notSent} of ${notSent} sessions (${notSent} confirmed gone, 0 still listed).`).waitFor({ timeout: 20000 });
    const final = (await server.stats()).logoutCalls;
    assert.deepEqual([...final].sort(), [...ids, single].sort(), 'each chosen session exactly once, nothing else');
  });
});

test('a revoke queued behind a batch runs when the batch is done', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await listed(server, page, { noTwoFactor: true });
    const all = await rowIds(page);
    const ids = all.slice(0, 12);
    for (const id of ids) await page.getByRole('checkbox', { name: new RegExp(`^Select session ${id} `) }).check();
    await server.faults({ latencyMs: 400 });
    await page.getByRole('button', { name: 'Revoke selected (12)' }).click();
    await confirmWith(page, 'Revoke 12 sessions');
    await page.getByRole('region', { name: 'Revocation progress' }).waitFor();
    await revokeButton(page, all[20]).click();
    await confirmWith(page, 'Revoke 1 session');
    await status(page, /^Queued: 1 session/).waitFor();
    await page.getByRole('region', { name: 'Revocation report' }).getByText('Revoked 12 of 12 sessions (12 confirmed gone, 0 still listed).').waitFor();
    await status(page, `Revoked session ${all[20]}`).waitFor();
    assert.deepEqual([...(await server.stats()).logoutCalls].sort(), [...ids, all[20]].sort());
  });
});

test('after sign-out nothing more of a running batch is sent', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await listed(server, page, { noTwoFactor: true });
    const ids = (await rowIds(page)).slice(0, 25);
    for (const id of ids) await page.getByRole('checkbox', { name: new RegExp(`^Select session ${id} `) }).check();
    await server.faults({ latencyMs: 400 });
    await page.getByRole('button', { name: 'Revoke selected (25)' }).click();
    await confirmWith(page, 'Revoke 25 sessions');
    await until('the first revocations', async () => (await server.stats()).logoutCalls.length >= 2);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await sleep(300);
    const atSignOut = (await server.stats()).requests;
    await sleep(2500);
    const later = await server.stats();
    assert.equal(later.requests, atSignOut, 'no request after sign-out');
    assert.ok(later.logoutCalls.length < 25, `${later.logoutCalls.length} sent`);
  });
});

test('sign-out ends the token the panel obtained, and signs out the other tabs', async () => {
  await withServer([], async (server, page) => {
    await signInWithPassword(page, server.url);
    await answerPassword(page);
    await page.getByText(/^1–25 of \d+$/).waitFor();
    const signedIn = await server.stats();
    assert.equal(signedIn.loginTokens, 1);
    // The reference server's request log keeps no login (its body is the password).
    assert.ok(!JSON.stringify(signedIn.actions).includes(ADMIN.password), signedIn.actions.join('\n'));
    // A second tab of the panel, signed in too.
    const other = watch(await page.context().newPage());
    await signInWithToken(other, server.url);
    await other.getByText(/^1–25 of \d+$/).or(other.getByRole('dialog', { name: /Two-factor/ })).first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    await until('the login token to be logged out', async () => (await server.stats()).loginTokens === 0);
    await other.getByRole('button', { name: 'Connect' }).waitFor();
    await alert(other, /You signed out in another tab/).waitFor();
    assert.deepEqual(await other.evaluate(() => [sessionStorage.length, Object.keys(localStorage)]), [0, ['sessiondeck.signed-out-at']]);
    // A personal access token is the admin's, not the panel's: it still works.
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { 'x-user-id': ADMIN.userId, 'x-auth-token': ADMIN.token } });
    assert.equal(me.status, 200);
    if (other.errors.length) throw new Error(other.errors.join('; '));
  });
});

test('rate limits in epoch seconds and Retry-After: the wait shown is the real one', async () => {
  await withServer(['--sessions', '600', '--rate-limit', '3', '--rate-window-ms', '2500', '--2fa', 'none', '--rate-reset-unit', 's', '--retry-after'], async (server, page) => {
    await signInWithToken(page, server.url);
    await page.getByText(/continuing in/).waitFor();
    const shown = await page.locator('.countdown').first().textContent();
    const secs = Number(/^(\d+) s$/.exec(shown)?.[1]);
    // The window is 2.5 s; an epoch in whole seconds may name up to 1 s later.
    assert.ok(secs >= 1 && secs <= 5, `a real wait of a few seconds, not 0 or hours: ${shown}`);
    await page.getByText('1–25 of 600').waitFor({ timeout: 30000 });
    assert.equal(await page.getByRole('alert').filter({ hasText: /429/ }).count(), 0);
  });
});

test('a long rate-limit wait is shown as it is and can be stopped', async () => {
  // A ten-minute window: the wait is never shortened; Stop fails the load with Retry.
  await withServer(['--sessions', '600', '--rate-limit', '3', '--rate-window-ms', '600000', '--2fa', 'none', '--retry-after'], async (server, page) => {
    await signInWithToken(page, server.url);
    const banner = page.getByRole('status').filter({ hasText: /429 Too Many Requests from/ });
    await banner.waitFor();
    assert.match(await banner.locator('.countdown').textContent(), /^(9|10) min \d\d s$/);
    const sent = (await server.stats()).requests;
    await banner.getByRole('button', { name: /^Stop waiting for / }).click();
    await banner.waitFor({ state: 'detached' });
    await page.getByRole('alert').filter({ hasText: /you stopped waiting for the server's rate limit/ }).first().waitFor();
    await page.getByRole('button', { name: 'Retry' }).first().waitFor();
    assert.equal((await server.stats()).requests, sent, 'nothing more sent after Stop');
  });
});

test('a list that changes while it is paged says so; Refresh loads it whole', async () => {
  await withServer(['--2fa', 'none'], async (server, page) => {
    await server.faults({ churn: 5 });
    await signInWithToken(page, server.url);
    const notice = page.getByRole('status').filter({ hasText: 'The list changed while loading — Refresh' });
    await notice.waitFor();
    await server.faults({ churn: 0 });
    await notice.getByRole('button', { name: 'Refresh' }).click();
    const total = (await server.stats()).sessions;
    await page.getByText(`1–25 of ${total}`).waitFor();
    await notice.waitFor({ state: 'detached' });
  });
});

test('Henshin: per-user lists are followed page by page; a user whose sessions ended is empty, not an error', async () => {
  await withServer(['--henshin-page-size', '2'], async (server, page) => {
    await signInWithBearer(page, server.url, 'henshin', 'Token', HENSHIN.token);
    const total = (await server.stats()).henshinIds.length;
    await page.getByText(`1–25 of ${total}`).waitFor();
    await server.faults({ henshinVanish: ['90b10bb2-8c70-456f-b960-2251ae6d8778'] });
    await page.getByRole('button', { name: 'Refresh' }).click();
    const left = (await server.stats()).henshinIds.length;
    assert.ok(left < total, 'user2 had sessions');
    await page.getByText(`1–25 of ${left}`).waitFor();
    assert.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 0, 'no error');
  });
});

test('Cancel while a code is being verified closes the dialog for good', async () => {
  await withServer(['--latency-ms', '700'], async (server, page) => {
    await signInWithToken(page, server.url);
    const dialog = page.getByRole('dialog', { name: /Two-factor/ });
    await dialog.getByLabel('Password').fill('not-the-password');
    await dialog.getByRole('button', { name: 'Verify' }).click();
    await dialog.getByRole('button', { name: 'Verifying…' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await sleep(1500);
    assert.equal(await page.getByRole('dialog', { name: /Two-factor/ }).count(), 0, 'the late wrong-code answer does not reopen it');
    await alert(page, /two-factor verification was cancelled/).waitFor();
  });
});

test('http:// Server URLs only for this machine', async () => {
  await withServer([], async (server, page) => {
    await page.goto(server.url);
    await page.getByLabel('Server URL').fill('http://chat.example');
    await page.getByLabel('User ID').fill(ADMIN.userId);
    await page.getByLabel('Auth token').fill(ADMIN.token);
    await page.getByRole('button', { name: 'Connect' }).click();
    await alert(page, /must use https:\/\/ — http:\/\/ would send the token unencrypted/).waitFor();
    assert.equal((await server.stats()).requests, 0);
  });
});

test('a server the page\'s Content-Security-Policy does not allow is named as such', async () => {
  await withServer([], async (server, page) => {
    await page.goto(server.url);
    // This machine by its IPv6 address: the Connect screen allows it, the
    // release policy cannot name it.
    await page.getByLabel('Server URL').fill(`http://[::1]:${new URL(server.url).port}`);
    await page.getByLabel('User ID').fill(ADMIN.userId);
    await page.getByLabel('Auth token').fill(ADMIN.token);
    await page.getByRole('button', { name: 'Connect' }).click();
    await alert(page, /Content-Security-Policy does not allow connections to http:\/\/\[::1\]:\d+ \(connect-src\), so the browser did not send the request/).waitFor();
    assert.equal(await alert(page, /CORS/).count(), 0, 'not guessed as CORS');
    assert.equal((await server.stats()).requests, 0);
    // The refusal this test caused on purpose.
    page.errors = page.errors.filter((e) => !/^(CSP violation: connect-src blocked http:\/\/\[::1\]|Fetch API cannot load http:\/\/\[::1\]|Connecting to 'http:\/\/\[::1\])/.test(e));
  });
});

test('a crash shows "sessiondeck stopped — reload" and nothing more is sent', async () => {
  await withServer([], async (server, page) => {
    // The panel's own WebAssembly, as the loader hands it over.
    await page.context().addInitScript(() => {
      addEventListener('TrunkApplicationStarted', (e) => { window.__sessiondeckWasm = e.detail.wasm; });
    });
    await listed(server, page);
    const before = (await server.stats()).requests;
    // A real trap inside the release wasm: an allocation it cannot make aborts
    // (panic = immediate-abort: `unreachable`), as any panic would.
    await page.evaluate(() => {
      const w = window.__sessiondeckWasm;
      setTimeout(() => w.__wbindgen_malloc(0xfffffff0, 8));
    });
    page.errors.length = 0;
    const notice = page.getByRole('alert').filter({ hasText: 'sessiondeck stopped — reload' });
    await notice.waitFor();
    page.errors.length = 0; // the trap itself is the uncaught error this test causes
    await page.getByRole('button', { name: 'Refresh' }).click({ force: true }).catch(() => {});
    const sent = await page.evaluate(() => fetch('/api/v1/me').then(() => 'sent', () => 'refused'));
    assert.equal(sent, 'refused');
    await sleep(300);
    assert.equal((await server.stats()).requests, before, 'nothing more was sent');
    // The reload reconnects nothing by itself: it lists the server and waits.
    await notice.getByRole('button', { name: 'Reload' }).click();
    const panel = page.getByRole('region', { name: 'sessiondeck stopped last time — nothing was reconnected' });
    await panel.getByRole('button', { name: 'Reconnect all' }).click();
    await page.getByText(/^1–25 of \d+$/).or(page.getByRole('dialog', { name: /Two-factor/ })).first().waitFor();
  });
});

test('the release build carries a strict, tested Content-Security-Policy', async () => {
  await withServer([], async (server, page) => {
    const resp = await page.goto(server.url);
    const csp = resp.headers()['content-security-policy'];
    assert.ok(csp, 'sent as a header');
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    for (const d of ["frame-ancestors 'none'", "form-action 'none'", "base-uri 'none'", "default-src 'none'"]) {
      assert.ok(csp.includes(d), d);
    }
    await page.getByRole('button', { name: 'Connect' }).waitFor();
    // Injected inline script does not run.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.body.append(s);
      return window.__injected === true;
    });
    assert.equal(ran, false);
    // The violation this test caused on purpose (the event, and the browser's own words).
    page.errors = page.errors.filter((e) => !/^(CSP violation: script-src|Executing inline script violates)/.test(e));
  });
});

test('reference server: test hooks only when asked for; foreign Host refused', async () => {
  const server = await startServer([], { hooks: false });
  try {
    const hooks = await fetch(`${server.url}/__ref/stats`);
    assert.equal(hooks.status, 404);
    const { port } = new URL(server.url);
    const status = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/', headers: { host: `rebound.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    assert.equal(status, 421);
    assert.equal((await fetch(`${server.url}/`)).status, 200);
  } finally {
    await server.stop();
  }
});
