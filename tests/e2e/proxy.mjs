// The deploy/ recipes run for real, for the end-to-end test and the
// benchmark: Debian's nginx or Caddy on 127.0.0.1 (a free port) with TLS — a
// certificate made here — and HTTP/2, serving the release build and proxying
// every API path to one reference server.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, root, sleep } from './helpers.mjs';

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

/** A self-signed certificate for 127.0.0.1, made now (no CA vouches for it). */
export function certificate(dir) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key };
}

/**
 * The recipe's placeholders filled for this machine (the same for both
 * servers): every upstream is `api`, but those `upstreams` names otherwise
 * (`{ chat: 'https://127.0.0.1:9443' }`).
 */
function fill(recipe, { api, csp, upstreams = {} }) {
  let t = put(recipe, '$CSP', csp);
  t = put(t, '/srv/sessiondeck/dist', DIST);
  for (const host of ['chat', 'docs', 'admin', 'accounts']) {
    t = put(t, `https://${host}.internal.example.com`, upstreams[host] ?? api);
  }
  return t;
}

const kinds = {
  nginx({ dir, port, api, csp, cert, key, upstreams }) {
    let site = fill(readFileSync(join(root, 'deploy', 'nginx.conf'), 'utf8'), { api, csp, upstreams });
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
events { worker_connections 4096; }
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
    return spawn(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  },
  caddy({ dir, port, api, csp, cert, key, upstreams }) {
    let site = fill(readFileSync(join(root, 'deploy', 'Caddyfile'), 'utf8'), { api, csp, upstreams });
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

/** The web servers the recipes are for. */
export const PROXIES = Object.keys(kinds);

/**
 * Starts `kind` ('nginx' or 'caddy') from its deploy/ recipe in front of the
 * reference server at `api` (or, for the APIs `upstreams` names, another
 * upstream); resolves with its https origin and a stop().
 */
export async function startProxy(kind, api, upstreams = {}) {
  const dir = mkdtempSync(join(tmpdir(), `sessiondeck-${kind}-`));
  const { cert, key } = certificate(dir);
  const port = await freePort();
  const csp = readFileSync(join(DIST, 'csp.txt'), 'utf8').trim();
  const proc = kinds[kind]({ dir, port, api, csp, cert, key, upstreams });
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  const errors = () => log + (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
  try {
    await listening(port, kind, errors);
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
  return {
    origin: `https://127.0.0.1:${port}`,
    csp,
    stop: () => new Promise((r) => {
      proc.once('exit', () => { rmSync(dir, { recursive: true, force: true }); r(); });
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 3000);
    }),
  };
}

/**
 * An https server on 127.0.0.1 whose certificate no CA vouches for (as an
 * impostor on an upstream's address would have): `seen` holds every HTTP
 * request it got — a token, a code — none if the proxy checks certificates.
 */
export async function untrustedUpstream() {
  const { createServer: createHttps } = await import('node:https');
  const dir = mkdtempSync(join(tmpdir(), 'sessiondeck-impostor-'));
  const { cert, key } = certificate(dir);
  const seen = [];
  const server = createHttps({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"_id":"AdminDemoUser0001","username":"admin","name":"Impostor"}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${server.address().port}`,
    seen,
    stop: () => new Promise((r) => {
      server.closeAllConnections?.();
      server.close(() => { rmSync(dir, { recursive: true, force: true }); r(); });
    }),
  };
}
