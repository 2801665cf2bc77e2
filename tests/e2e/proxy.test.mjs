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
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  launch, newPage, startServer, stopAllServers, signInWithToken, answerPassword, DIST, root, sleep,
} from './helpers.mjs';

let browser;
test.before(async () => { ({ browser } = await launch()); });
test.after(async () => { await browser?.close(); stopAllServers(); });

/**
 * Selects every listed session but the panel's own and revokes them, each
 * answer held up 150 ms by the server so that requests overlap; resolves
 * with how many were revoked.
 */
async function revokeAllButOwn(page, ref) {
  await ref.faults({ latencyMs: 150 });
  await page.getByRole('searchbox', { name: 'Filter' }).fill('');
  await page.getByText('Revoke by criteria').click();
  await page.getByRole('button', { name: /^Select all \d+ matching$/ }).click();
  const n = Number((await page.getByRole('button', { name: /^Revoke selected \(\d+\)$/ }).textContent()).match(/\d+/)[0]);
  await page.getByRole('button', { name: `Revoke selected (${n})` }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: `Revoke ${n} sessions` }).click();
  await page.getByRole('region', { name: 'Revocation report' })
    .getByText(`Revoked ${n} of ${n} sessions.`).waitFor({ timeout: 60000 });
  await ref.faults({ latencyMs: 0 });
  return n;
}

/** A port nothing listens on now. */
function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Resolves once 127.0.0.1:`port` accepts connections. */
async function listening(port, what, log) {
  for (let i = 0; i < 150; i += 1) {
    const ok = await new Promise((r) => {
      const c = connect(port, '127.0.0.1', () => { c.end(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${what} did not start:\n${log()}`);
}

/** `text` with `from` replaced by `to`; fails if the recipe no longer says `from`. */
function put(text, from, to) {
  assert.ok(text.includes(from), `the recipe no longer contains ${JSON.stringify(from)}`);
  return text.split(from).join(to);
}

/** A self-signed certificate for 127.0.0.1, made now. */
function certificate(dir) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

/** The recipe's placeholders filled for this machine (the same for both servers). */
function fill(recipe, { api, csp }) {
  let t = put(recipe, '$CSP', csp);
  t = put(t, '/srv/sessiondeck/dist', DIST);
  for (const host of ['chat', 'docs', 'admin', 'accounts']) {
    t = put(t, `https://${host}.internal.example.com`, api);
  }
  return t;
}

const servers = {
  async nginx({ dir, port, api, csp, cert, key }) {
    let site = fill(readFileSync(join(root, 'deploy', 'nginx.conf'), 'utf8'), { api, csp });
    site = put(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${port} ssl http2;`);
    site = put(site, '/etc/ssl/sessions.example.com/fullchain.pem', cert);
    site = put(site, '/etc/ssl/sessions.example.com/privkey.pem', key);
    writeFileSync(join(dir, 'site.conf'), site);
    writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
worker_processes 1;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/site.conf;
}
`);
    const nginx = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
    const proc = spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    return proc;
  },
  async caddy({ dir, port, api, csp, cert, key }) {
    let site = fill(readFileSync(join(root, 'deploy', 'Caddyfile'), 'utf8'), { api, csp });
    site = put(site, 'sessions.example.com {', `{
\tadmin off
\tauto_https disable_redirects
\tstorage file_system ${dir}/data
}

https://127.0.0.1:${port} {
\ttls ${cert} ${key}`);
    writeFileSync(join(dir, 'Caddyfile'), site);
    const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
    return spawn('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
      stdio: ['ignore', 'pipe', 'pipe'], env,
    });
  },
};

for (const name of Object.keys(servers)) {
  test(`behind ${name} (TLS, HTTP/2): connect, list, two-factor, revoke; the recipe's headers`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `sessiondeck-${name}-`));
    const ref = await startServer([], { csp: false });
    let proc;
    let log = '';
    const page = await newPage(browser, { ignoreHTTPSErrors: true });
    try {
      const { cert, key } = certificate(dir);
      const port = await freePort();
      const csp = readFileSync(join(DIST, 'csp.txt'), 'utf8').trim();
      proc = await servers[name]({ dir, port, api: ref.url, csp, cert, key });
      proc.stdout.on('data', (d) => { log += d; });
      proc.stderr.on('data', (d) => { log += d; });
      await listening(port, name, () => log + (name === 'nginx' ? readFileSync(join(dir, 'error.log'), 'utf8') : ''));
      const origin = `https://127.0.0.1:${port}`;

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

      // A bulk revoke over HTTP/2: more than HTTP/1.1's 6 in flight, within 24.
      const n = await revokeAllButOwn(page, ref);
      assert.ok(n > 200, `${n} revoked`);
      const { peakInFlight, sessions } = await ref.stats();
      assert.equal(sessions, 239 - n, 'every selected session ended');
      assert.ok(peakInFlight > 6 && peakInFlight <= 24, `peak in flight over h2: ${peakInFlight}`);
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
      proc?.kill('SIGTERM');
      await ref.stop();
      rmSync(dir, { recursive: true, force: true });
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
