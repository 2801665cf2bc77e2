// The way it is deployed: deploy/nginx.conf and deploy/Caddyfile, as README
// shows them, run for real — Debian's nginx and Caddy on 127.0.0.1 with TLS
// (a certificate made here) and HTTP/2, serving the release build and
// proxying the APIs to the reference server — and the panel used through
// them: connect, list, the password second factor, revoke. The headers
// the recipes promise are checked on the wire, and a bulk revoke keeps as
// many requests in flight as the protocol allows (the reference server
// counts them): more than 6 over HTTP/2, never more than 6 over HTTP/1.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, startServer, stopAllServers, signInWithToken, answerPassword, until, sleep, plainLogouts,
} from './helpers.mjs';
import { PROXIES, startProxy, untrustedUpstream } from './proxy.mjs';

let browser;
test.before(async () => { ({ browser } = await launch()); });
test.after(async () => { await browser?.close(); stopAllServers(); });

/**
 * Selects every listed session but the panel's own and revokes them, each
 * answer held up `latencyMs` by the server (so that requests overlap);
 * resolves with how many were revoked — all of them, or the test fails.
 */
async function revokeAllButOwn(page, ref, latencyMs = 150) {
  await ref.faults({ latencyMs });
  await page.getByRole('searchbox', { name: 'Filter' }).fill('');
  await page.getByText('Revoke by criteria').click();
  // A sweep is refused until the panel knows which session is its own (it
  // asks once the list is in); the admin would try again, so does the test.
  const selected = page.getByRole('button', { name: /^Revoke selected \([1-9]\d*\)$/ });
  await until('the selection lands', async () => {
    await page.getByRole('button', { name: /^Select all \d+ matching$/ }).click();
    await sleep(250);
    return selected.isVisible();
  }, 20000);
  const n = Number((await selected.textContent()).match(/\d+/)[0]);
  await page.getByRole('button', { name: `Revoke selected (${n})` }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: `Revoke ${n} sessions` }).click();
  await page.getByRole('region', { name: 'Revocation report' })
    .getByText(`Revoked ${n} of ${n} sessions (${n} confirmed gone, 0 still listed).`).waitFor({ timeout: 120000 });
  await ref.faults({ latencyMs: 0 });
  return n;
}

for (const name of PROXIES) {
  test(`behind ${name} (TLS, HTTP/2): connect, list, two-factor, revoke; the recipe's headers`, async () => {
    const ref = await startServer([], { csp: false });
    const proxy = await startProxy(name, ref.url);
    const page = await newPage(browser, { ignoreHTTPSErrors: true });
    try {
      const { origin, csp } = proxy;
      const answers = new Map();
      page.on('response', async (r) => {
        const path = new URL(r.url()).pathname;
        answers.set(path === '/' ? '/index.html' : path, await r.allHeaders());
      });
      // The panel on the proxy's origin, the APIs through it (Server URL empty).
      await signInWithToken(page, `${origin}/`);
      await answerPassword(page);
      await page.getByText(/^1–25 of 240$/).waitFor();
      await page.getByRole('searchbox', { name: 'Filter' }).fill('o94SveQp6fyPsoiNC');
      await page.getByText('1–1 of 1').waitFor();
      await page.getByRole('button', { name: /^Revoke session o94SveQp6fyPsoiNC/ }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: /^Revoke/ }).click();
      await page.getByRole('status').filter({ hasText: /Revoked session o94SveQp6fyPsoiNC/ }).first().waitFor();
      const stats = await ref.stats();
      assert.deepEqual(stats.logoutCalls, ['o94SveQp6fyPsoiNC']);

      // A bulk revoke over HTTP/2: more than HTTP/1.1's 6 in flight, within 48.
      const n = await revokeAllButOwn(page, ref);
      assert.ok(n > 200, `${n} revoked`);
      const { peakInFlight, sessions } = await ref.stats();
      assert.equal(sessions, 239 - n, 'every selected session ended');
      assert.ok(peakInFlight > 6 && peakInFlight <= 48, `peak in flight over h2: ${peakInFlight}`);
      assert.deepEqual(page.errors, []);

      // HTTP/2, for the page and for the API calls through the proxy.
      const protocols = await page.evaluate(() => performance.getEntries()
        .filter((e) => e.nextHopProtocol !== undefined)
        .map((e) => [new URL(e.name).pathname, e.nextHopProtocol]));
      assert.ok(protocols.some(([p]) => p.startsWith('/api/v1/sessions/list.all')), JSON.stringify(protocols));
      for (const [path, protocol] of protocols) assert.equal(protocol, 'h2', `${path} came over ${protocol}`);

      // The recipe's headers.
      const index = answers.get('/index.html');
      const wasm = [...answers.keys()].find((p) => p.endsWith('.wasm'));
      const js = [...answers.keys()].find((p) => /sessiondeck-[0-9a-f]+\.js$/.test(p));
      assert.ok(index && wasm && js, [...answers.keys()].join(' '));
      assert.equal(index['content-security-policy'], csp);
      assert.equal(index['cache-control'], 'no-cache');
      assert.equal(index['x-content-type-options'], 'nosniff');
      for (const asset of [wasm, js]) {
        const h = answers.get(asset);
        assert.match(h['cache-control'], /max-age=31536000, immutable/, `${asset}: ${h['cache-control']}`);
        assert.match(h['content-encoding'] ?? '', /gzip|zstd|br/, `${asset} is compressed`);
        assert.equal(h['content-security-policy'], csp, `${asset} carries the policy`);
      }
      assert.equal(answers.get(wasm)['content-type'], 'application/wasm');
    } finally {
      await page.context().close();
      await proxy.stop();
      await ref.stop();
    }
  });
}

for (const name of PROXIES) {
  test(`${name}'s recipe is safe to copy: an upstream with an untrusted certificate gets no token and the panel says why; paths off the allow-list are refused; proxied answers are sandboxed`, async () => {
    const ref = await startServer([], { csp: false });
    const impostor = await untrustedUpstream();
    // Rocket.Chat's address answered by an impostor; the other APIs real.
    const proxy = await startProxy(name, ref.url, { chat: impostor.url });
    const page = await newPage(browser, { ignoreHTTPSErrors: true });
    try {
      await signInWithToken(page, `${proxy.origin}/`);
      await page.getByRole('alert')
        .filter({ hasText: /502 Bad Gateway: the server says .sessiondeck proxy: the server behind this proxy could not be reached, or its certificate is not trusted, so nothing was sent to it/ })
        .first().waitFor({ timeout: 30000 });
      assert.deepEqual(impostor.seen, [], 'no request — no token, no code — reached the impostor');

      // Off the allow-list: the proxy answers 404; nothing reaches the server.
      const before = (await ref.stats()).requests;
      const off = [
        '/api/v1/users.list', '/api/v1/sessions/list.all/x', '/api/v1/livechat/visitor', '/api/v1/sessions',
        '/api/2.0/files/@my', '/api/2.0/security/activeconnections/logout/1/x', '/api/2.0/people',
        '/api/admin/v1/users', '/api/admin/v1/authenticated-sessions/list/x', '/auth/login', '/auth/sessions/a/b',
      ];
      const statuses = await page.evaluate(async (paths) => Promise.all(paths.map(async (p) => {
        const r = await fetch(p, { headers: { 'X-User-Id': 'u', 'X-Auth-Token': 't' } });
        return [p, r.status, r.headers.get('strict-transport-security')];
      })), off);
      for (const [path, status, hsts] of statuses) {
        assert.equal(status, 404, `${path} is off the list`);
        assert.match(hsts ?? '', /max-age=\d+/, `${path}: HSTS`);
      }
      assert.equal((await ref.stats()).requests, before, 'nothing off the list reached the server');

      // On the list: proxied, with answers that can neither run nor be framed.
      const h = await page.evaluate(async () => {
        const r = await fetch('/api/2.0/people/@self', { headers: { Authorization: 'Bearer nope' } });
        return { status: r.status, headers: Object.fromEntries(r.headers.entries()) };
      });
      assert.equal(h.status, 401, 'DocSpace answered (through the allow-list)');
      assert.equal(h.headers['x-content-type-options'], 'nosniff');
      assert.match(h.headers['content-security-policy'], /sandbox; default-src 'none'; frame-ancestors 'none'/);
      assert.match(h.headers['strict-transport-security'] ?? '', /max-age=\d+/);
      page.errors = page.errors.filter((e) => !/Failed to load resource/.test(e));
      assert.deepEqual(page.errors, []);
    } finally {
      await page.context().close();
      await proxy.stop();
      await impostor.stop();
      await ref.stop();
    }
  });
}

test('straight to the server over HTTP/1.1: a bulk revoke keeps at most 6 in flight', async () => {
  const ref = await startServer();
  const page = await newPage(browser);
  try {
    await signInWithToken(page, ref.url);
    await answerPassword(page);
    await page.getByText(/^1–25 of 240$/).waitFor();
    const protocol = await page.evaluate(() => performance.getEntries()
      .find((e) => e.name.includes('/api/v1/sessions/list.all')).nextHopProtocol);
    assert.equal(protocol, 'http/1.1');
    const n = await revokeAllButOwn(page, ref);
    assert.ok(n > 200, `${n} revoked`);
    const { peakInFlight } = await ref.stats();
    assert.ok(peakInFlight > 1 && peakInFlight <= 6, `peak in flight over http/1.1: ${peakInFlight}`);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.context().close();
    await ref.stop();
  }
});

test('through nginx over HTTP/2, a fresh panel loads 3,000 sessions with more than 6 pages in flight, then revokes them all on one connection', async () => {
  const ref = await startServer(['--sessions', '3000', '--2fa', 'none', '--rate-limit', '1000000']);
  const proxy = await startProxy('nginx', ref.url);
  const page = await newPage(browser, { ignoreHTTPSErrors: true });
  try {
    // Each answer held up so that pages overlap; the protocol is learnt from
    // the first page, before the other 29 are asked for.
    await ref.faults({ latencyMs: 150 });
    await signInWithToken(page, `${proxy.origin}/`);
    await page.getByText(/^1–25 of 3000$/).waitFor({ timeout: 60000 });
    const { peakInFlight } = await ref.stats();
    assert.ok(peakInFlight > 6 && peakInFlight <= 48, `pages in flight over h2: ${peakInFlight}`);
    // All of them, on the one connection, up to 48 in flight.
    await ref.faults({ resetPeak: true });
    const n = await revokeAllButOwn(page, ref, 50);
    const bulkPeak = (await ref.stats()).peakInFlight;
    assert.ok(bulkPeak > 24 && bulkPeak <= 48, `revokes in flight over h2: ${bulkPeak}`);
    assert.equal(n, 3000, 'every session (a token sign-in has none of its own)');
    assert.equal((await ref.stats()).sessions, 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.context().close();
    await proxy.stop();
    await ref.stop();
  }
});

for (const name of PROXIES) {
  test(`${name}'s recipe keeps one HTTP/2 connection past 1,000 requests: 3,000 revokes, 48 at a time (the panel's bound), none lost`, async () => {
    // The browser's own fetch, no panel code: what the recipe alone decides.
    // nginx's default closes a connection after 1,000 requests, and the ones
    // in flight then fail in the browser ("Failed to fetch").
    const ref = await startServer(['--sessions', '3000', '--2fa', 'none', '--rate-limit', '1000000', '--latency-ms', '50'], { csp: false });
    const proxy = await startProxy(name, ref.url);
    const page = await newPage(browser, { ignoreHTTPSErrors: true });
    try {
      await page.goto(`${proxy.origin}/`);
      const ids = (await ref.stats()).sessionIds;
      const { lost } = await plainLogouts(page, ids, 48);
      // A request that had to open a connection shows its handshake.
      const reconnects = await page.evaluate(() => performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/sessions/logout') && e.connectEnd > e.connectStart).length);
      assert.deepEqual(lost, [], `${lost.length} of 3,000 lost`);
      assert.equal(reconnects, 0, 'the page\'s connection carried every request');
      const protocol = await page.evaluate(() => performance.getEntriesByType('resource')
        .find((e) => e.name.includes('/sessions/logout')).nextHopProtocol);
      assert.equal(protocol, 'h2');
      assert.equal((await ref.stats()).sessions, 0);
    } finally {
      await page.context().close();
      await proxy.stop();
      await ref.stop();
    }
  });
}
