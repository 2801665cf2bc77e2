// Shared by the end-to-end tests and the screenshot script: start the
// reference server (on 127.0.0.1, a free port) and Debian's headless Chromium.
import { spawn } from 'node:child_process';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..', '..');
export const DIST = process.env.SESSIONDECK_DIST || join(root, 'dist');
export const REFSERVER = process.env.REFSERVER_BIN || join(root, 'target', 'release', 'refserver');

export const ADMIN = {
  userId: 'AdminDemoUser0001',
  token: 'demo-admin-token-3Nf8qL2xVv9Kp4Rm',
  username: 'admin',
  password: 'sessiondeck-demo',
};
export const USER = { username: 'ursula', password: 'sessiondeck-user' };
export const HOSTILE = '<img src=x onerror=alert(1)>';

export const sha256 = (s) => createHash('sha256').update(s).digest('hex');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check()` holds (polling), or fails naming `what`. */
export async function until(what, check, ms = 10000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The first success message (role status) containing `text`. */
export const status = (page, text) => page.getByRole('status').filter({ hasText: text }).first();
/** The first error message (role alert) containing `text`. */
export const alert = (page, text) => page.getByRole('alert').filter({ hasText: text }).first();
/** Presses `name` in the open confirmation. */
export const confirmWith = (page, name) => page.getByRole('alertdialog').getByRole('button', { name }).click();

const running = new Set();

/** Kills every server this process started (for an aborted run). */
export function stopAllServers() {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
}

/**
 * Starts the reference server; resolves once it prints its URL. Every test
 * server serves the test hooks (/__ref/*) and the panel's strict CSP, so
 * every test also proves the panel works under it.
 */
export function startServer(args = [], { hooks = true, csp = true } = {}) {
  const flags = [...(hooks ? ['--test-hooks'] : []), ...(csp ? ['--csp'] : [])];
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(REFSERVER, ['--port', '0', '--static-dir', DIST, '--quiet', ...flags, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(proc);
    proc.on('exit', () => running.delete(proc));
    let out = '';
    let log = '';
    const timer = setTimeout(() => reject(new Error(`refserver did not start:\n${out}${log}`)), 15000);
    proc.stderr.on('data', (d) => { log += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/LISTENING (http:\/\/127\.0\.0\.1:\d+)/);
      if (m && !proc.started) {
        proc.started = true;
        clearTimeout(timer);
        const url = m[1];
        resolvePromise({
          url,
          log: () => log,
          stats: async () => (await fetch(`${url}/__ref/stats`)).json(),
          faults: async (body) => fetch(`${url}/__ref/faults`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
          }),
          expireTokens: async () => fetch(`${url}/__ref/expire-tokens`, { method: 'POST' }),
          remove: async (ids) => fetch(`${url}/__ref/remove`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids }),
          }),
          addSessions: async (body) => fetch(`${url}/__ref/add-sessions`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
          }),
          stop: () => new Promise((r) => { proc.once('exit', r); proc.kill('SIGINT'); setTimeout(() => proc.kill('SIGKILL'), 3000); }),
        });
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); if (!proc.started) reject(new Error(`refserver exited ${code}:\n${out}${log}`)); });
  });
}

/** Debian's Chromium, and the flags every run of it here takes (no network beyond the tests'). */
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Headless Debian Chromium; Playwright gives it a fresh temporary profile. */
export async function launch() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const close = () => browser.close();
  return { browser, close };
}

/**
 * A page that fails the test on any uncaught error, dialog (alert()) or
 * Content-Security-Policy violation.
 */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  await context.addInitScript(() => {
    addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  const page = await context.newPage();
  watch(page);
  return page;
}

/** Records a page's uncaught errors, dialogs and CSP violations or errors in `page.errors`. */
export function watch(page) {
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('dialog', async (d) => { page.errors.push(`unexpected dialog: ${d.message()}`); await d.dismiss(); });
  // A violation, and a policy the browser finds invalid in part (it ignores
  // that part, with a console error).
  page.on('console', (m) => {
    if (m.text().startsWith('CSP violation') || /Content Security Policy/.test(m.text())) page.errors.push(m.text());
  });
  return page;
}

/** Every Rocket.Chat session, read straight from the reference server (a test's oracle). */
export async function rcSessions(url) {
  const headers = {
    'x-user-id': ADMIN.userId, 'x-auth-token': ADMIN.token,
    'x-2fa-code': sha256(ADMIN.password), 'x-2fa-method': 'password',
  };
  const all = [];
  for (let offset = 0; ; offset += 100) {
    const r = await fetch(`${url}/api/v1/sessions/list.all?offset=${offset}&count=100`, { headers });
    if (r.status !== 200) throw new Error(`list.all answered ${r.status}: ${await r.text()}`);
    const body = await r.json();
    all.push(...body.sessions);
    if (offset + 100 >= body.total) return all;
  }
}

/** The admin's token headers, for calls the tests make themselves. */
export const ADMIN_AUTH = { 'X-User-Id': ADMIN.userId, 'X-Auth-Token': ADMIN.token };

/**
 * The browser's own fetch, no panel code, as run in the page: `urls`,
 * `inFlight` at a time, each answer read as JSON; `init.bodies[i]` is the
 * i-th body. `follow[i]`, if given, is then read (GET, same headers) in the
 * same place, its answer read whatever its status (a lookup that finds
 * nothing says 404). Resolves with the time taken and the requests lost (no
 * answer, or not 2xx). Resource Timing keeps an entry for every one of them.
 */
export async function plainFetchInPage({ urls, inFlight, init, follow }) {
  performance.setResourceTimingBufferSize(urls.length * (follow ? 2 : 1) + 1000);
  const t0 = performance.now();
  const lost = [];
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const i = next++;
      const body = init.bodies ? init.bodies[i] : undefined;
      try {
        const r = await fetch(urls[i], { method: init.method, headers: init.headers, body });
        const text = await r.text();
        if (r.ok) JSON.parse(text);
        else lost.push(`${urls[i]} ${body ?? ''}: ${r.status} ${text.slice(0, 80)}`);
        if (follow) JSON.parse(await (await fetch(follow[i], { headers: init.headers })).text());
      } catch (e) {
        lost.push(`${urls[i]} ${body ?? ''}: ${e.message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { ms: performance.now() - t0, lost };
}

/** `plainFetchInPage`'s argument for a Rocket.Chat logout of each of `ids`. */
export const logoutsOf = (ids, inFlight) => ({
  urls: ids.map(() => './api/v1/sessions/logout'),
  inFlight,
  init: {
    method: 'POST',
    headers: { ...ADMIN_AUTH, 'content-type': 'application/json' },
    bodies: ids.map((id) => JSON.stringify({ sessionId: id })),
  },
});

/** As `logoutsOf`, each logout followed by its check (`info.admin` by ID). */
export const checkedLogoutsOf = (ids, inFlight) => ({
  ...logoutsOf(ids, inFlight),
  follow: ids.map((id) => `./api/v1/sessions/info.admin?sessionId=${encodeURIComponent(id)}`),
});

/** `plainFetchInPage` from `page`: a Rocket.Chat logout for each of `ids`. */
export const plainLogouts = (page, ids, inFlight) => page.evaluate(plainFetchInPage, logoutsOf(ids, inFlight));

/** Signs in with a username and password (Rocket.Chat's login). */
export async function signInWithPassword(page, url, { username = ADMIN.username, password = ADMIN.password } = {}) {
  await page.goto(url);
  await page.getByLabel('Backend').selectOption('rocketchat');
  await page.getByRole('radio', { name: 'Username and password' }).check();
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Connect' }).click();
}

/** Signs in with the admin's personal access token. */
export async function signInWithToken(page, url, { userId = ADMIN.userId, token = ADMIN.token, remember = false } = {}) {
  await page.goto(url);
  await page.getByLabel('Backend').selectOption('rocketchat');
  await page.getByLabel('User ID').fill(userId);
  await page.getByLabel('Auth token').fill(token);
  if (remember) await page.getByLabel('Remember on this device').check();
  await page.getByRole('button', { name: 'Connect' }).click();
}

export const DOCSPACE = { key: 'demo-docspace-admin-key-Qx7Lm2', userKey: 'demo-docspace-user-key-Bv4Rt9' };
export const HENSHIN = { token: 'demo-henshin-token-Kp3Vw8' };
export const SELF = {
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEiLCJlbWFpbCI6ImFkYUBzZXNzaW9uZGVjay50ZXN0Iiwic2lkIjoiYWRhLTdmM2s5cTJtNHg4dyJ9.ZGVtby1zaWduYXR1cmU',
  // The same session's token without a `sid` claim: which session it is cannot be told.
  jwtNoSid: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZGEiLCJlbWFpbCI6ImFkYUBzZXNzaW9uZGVjay50ZXN0In0.ZGVtby1zaWduYXR1cmU',
  current: 'ada-7f3k9q2m4x8w',
};

export const KEYCLOAK = {
  realm: 'demo',
  clientId: 'sessiondeck',
  secret: 'sessiondeck-secret',
  viewer: { clientId: 'auditor', secret: 'auditor-secret' },
  admin: { username: 'admin', password: 'admin' },
};

/**
 * Fills Keycloak's Connect form (on the Connect screen or "Add server"):
 * the service account by default, or `password` for the admin's password
 * grant; presses Connect.
 */
export async function fillKeycloak(page, { password = false, clientId = KEYCLOAK.clientId, secret = KEYCLOAK.secret } = {}) {
  await page.getByLabel('Backend').selectOption('keycloak');
  await page.getByLabel('Realm').fill(KEYCLOAK.realm);
  if (password) {
    await page.getByRole('radio', { name: 'Username and password' }).check();
    await page.getByLabel('Username', { exact: true }).fill(KEYCLOAK.admin.username);
    await page.getByLabel('Password', { exact: true }).fill(KEYCLOAK.admin.password);
  } else {
    await page.getByLabel('Client ID').fill(clientId);
    await page.getByLabel('Client secret').fill(secret);
  }
  await page.getByRole('button', { name: 'Connect' }).click();
}

/** Signs in to a Bearer-token backend: `backend` is the select's value. */
export async function signInWithBearer(page, url, backend, label, token) {
  await page.goto(url);
  await page.getByLabel('Backend').selectOption(backend);
  await page.getByLabel(label, { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Connect' }).click();
}

/** Answers the password second factor in the two-factor dialog. */
export async function answerPassword(page, password = ADMIN.password) {
  const dialog = page.getByRole('dialog', { name: /Two-factor/ });
  await dialog.waitFor();
  await dialog.getByLabel('Password').fill(password);
  await dialog.getByRole('button', { name: 'Verify' }).click();
  // The dialog stays (modal: the page behind it is inert) until the call
  // it answers comes back; whatever a test types next must wait for that.
  await dialog.waitFor({ state: 'detached' });
  return dialog;
}

/**
 * Runs `fn(server, page)` with a fresh reference server (extra `flags`) and a
 * fresh page; fails on any uncaught error or alert(); always cleans up.
 */
export async function withServerPage(browser, flags, fn) {
  const server = await startServer(flags);
  const page = await newPage(browser);
  try {
    await fn(server, page);
    if (page.errors.length) throw new Error(`page errors or dialogs: ${page.errors.join('; ')}`);
  } finally {
    await page.context().close();
    await server.stop();
  }
}

/**
 * One test file's browser: launched before its tests, closed after them with
 * every reference server they started. `withServer(flags, fn)` runs `fn` with a
 * fresh server and page.
 */
export function browserForFile() {
  let browser;
  let close;
  before(async () => { ({ browser, close } = await launch()); });
  after(async () => { await close?.(); stopAllServers(); });
  return { withServer: (flags, fn) => withServerPage(browser, flags, fn) };
}
