// WebKit — Safari's engine — for the WebKit subset of the end-to-end suite
// (webkit.test.mjs): Debian's WebKitGTK MiniBrowser, driven by its own
// WebKitWebDriver over classic W3C WebDriver (plain HTTP, no client
// library), inside a virtual X display (xvfb-run). Elements are found as in
// the other suites — by role and accessible name, computed in the page from
// the same ARIA rules (roles of the tags the panel uses, aria-labelledby,
// aria-label, <label>, text) — or by the text a person reads.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { sleep } from './helpers.mjs';

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** A free loopback port. */
const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/**
 * WebKitWebDriver on a free loopback port inside its own virtual display.
 * `newPage()` starts a fresh MiniBrowser (a new WebDriver session: its own
 * ephemeral storage); `close()` ends the driver and the display.
 */
export async function launchWebKit() {
  const port = await freePort();
  const proc = spawn('xvfb-run', ['-a', '-s', '-screen 0 1400x1000x24', WEBKIT_DRIVER, `--port=${port}`, '--host=127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'], detached: true,
  });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${base}/status`).then((r) => r.json()).then((j) => j.value?.ready, () => false);
    if (ready) break;
    if (i > 100 || proc.exitCode !== null) throw new Error(`WebKitWebDriver did not start: ${log}`);
    await sleep(100);
  }
  const close = async () => {
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ }
  };
  return { newPage: () => newWebKitPage(base), close };
}

/** One WebDriver command; its `value`, or an Error naming WebDriver's own error. */
async function command(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json();
  if (!r.ok) {
    const e = new Error(`WebDriver ${method} ${path}: ${j.value?.error}: ${j.value?.message}`);
    e.webdriver = j.value?.error;
    throw e;
  }
  return j.value;
}

// In the page: the role and accessible name of an element, by the ARIA rules
// for the tags and attributes the panel uses; which elements are visible.
const IN_PAGE = `
const clean = (s) => (s || '').replace(/\\s+/g, ' ').trim();
const roleOf = (el) => {
  const explicit = el.getAttribute('role');
  if (explicit) return explicit.split(' ')[0];
  const tag = el.tagName.toLowerCase();
  const type = (el.getAttribute('type') || 'text').toLowerCase();
  if (tag === 'button' || (tag === 'input' && ['button', 'submit', 'reset'].includes(type))) return 'button';
  if (tag === 'a' && el.hasAttribute('href')) return 'link';
  if (tag === 'input') return { checkbox: 'checkbox', radio: 'radio', search: 'searchbox', number: 'spinbutton' }[type]
    ?? (['text', 'email', 'url', 'tel'].includes(type) ? 'textbox' : null);
  if (tag === 'textarea') return 'textbox';
  if (tag === 'select') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
  if (/^h[1-6]$/.test(tag)) return 'heading';
  return { table: 'table', nav: 'navigation', dialog: 'dialog', summary: 'button', option: 'option' }[tag] ?? null;
};
const nameOf = (el) => {
  const by = el.getAttribute('aria-labelledby');
  if (by) return clean(by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
  const label = el.getAttribute('aria-label');
  if (label) return clean(label);
  // A label's text, without the controls inside it (a <select> in its
  // <label> is named by the label's own words).
  const text = (l) => { const c = l.cloneNode(true); c.querySelectorAll('select, input, textarea').forEach((x) => x.remove()); return c.textContent; };
  if (el.labels && el.labels.length) return clean([...el.labels].map(text).join(' '));
  if (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) return clean(el.getAttribute('title') || el.getAttribute('placeholder'));
  return clean(el.textContent) || clean(el.getAttribute('title'));
};
const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
  && !el.closest('[hidden], [inert]');
`;

/** A fresh MiniBrowser session, with the helpers the WebKit tests use. */
async function newWebKitPage(base) {
  const session = await command(base, 'POST', '/session', {
    capabilities: {
      alwaysMatch: {
        browserName: 'MiniBrowser',
        acceptInsecureCerts: true,
        // An alert() is an error the test sees, never dismissed silently.
        unhandledPromptBehavior: 'ignore',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      },
    },
  });
  const at = `/session/${session.sessionId}`;
  const wd = (method, path, body) => command(base, method, at + path, body);
  await wd('POST', '/window/rect', { width: 1280, height: 900 }).catch(() => {});

  /** Runs `fn(...args)` in the page; its (JSON) result. */
  const evaluate = (fn, ...args) => wd('POST', '/execute/sync', {
    script: `${IN_PAGE}; return (${fn}).apply(null, arguments);`, args,
  });
  /** Polls `fn(...args)` in the page until it answers something truthy. */
  const waitFor = async (what, fn, args = [], ms = 15000) => {
    const end = Date.now() + ms;
    let last;
    for (;;) {
      try {
        const v = await evaluate(fn, ...args);
        if (v) return v;
      } catch (e) {
        // An alert() open in the page: the test fails at once, naming it.
        if (e.webdriver === 'unexpected alert open') throw new Error(`unexpected dialog while waiting for ${what}`);
        last = e;
      }
      if (Date.now() > end) throw new Error(`WebKit: no ${what} in ${ms} ms${last ? ` (${last.message})` : ''}`);
      await sleep(60);
    }
  };
  /** The visible element with `role` and exactly the accessible `name`, optionally inside `within` (CSS). */
  const byRole = (role, name, within = '', ms) => waitFor(`${role} "${name}"${within ? ` in ${within}` : ''}`, (r, n, w) => {
    const roots = w ? [...document.querySelectorAll(w)] : [document];
    for (const root of roots) {
      for (const el of root.querySelectorAll('*')) {
        if (roleOf(el) === r && visible(el) && nameOf(el) === n) return el;
      }
    }
    return null;
  }, [role, name, within], ms);
  /** The visible element matching `css`, waited for. */
  const find = (css, ms) => waitFor(css, (s) => [...document.querySelectorAll(s)].find(visible) ?? null, [css], ms);
  /** The control whose <label> reads exactly `name` (a password field has no role). */
  const labelled = (name, ms) => waitFor(`field labelled "${name}"`, (n) => [...document.querySelectorAll('label')]
    .find((l) => clean(l.textContent) === n && l.control && visible(l.control))?.control ?? null, [name], ms);
  const id = (el) => el[ELEMENT];
  const click = (el) => wd('POST', `/element/${id(el)}/click`, {});
  const type = (el, text) => wd('POST', `/element/${id(el)}/value`, { text });

  // Errors after a load are caught here (WebDriver classic has no hook
  // before the page's own scripts; a failure to start shows as the panel
  // never appearing).
  const hooks = () => evaluate(() => {
    window.__errors = [];
    addEventListener('error', (e) => window.__errors.push(String(e.message)));
    addEventListener('unhandledrejection', (e) => window.__errors.push(String(e.reason)));
    addEventListener('securitypolicyviolation', (e) => window.__errors.push(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
  });

  const page = {
    evaluate,
    waitFor,
    find,
    labelled,
    click,
    type,
    byRole,
    async goto(url) {
      await wd('POST', '/url', { url });
      await hooks();
    },
    async reload() {
      await wd('POST', '/refresh', {});
      await hooks();
    },
    url: () => wd('GET', '/url'),
    /** Uncaught errors and CSP violations since the last navigation. */
    errors: () => evaluate(() => window.__errors ?? []),
    async press(role, name, within) { await click(await byRole(role, name, within)); },
    /** Puts `value` in the control as a person would: an option chosen, or the text replaced by typing. */
    async fillIn(role, name, value, within) {
      const el = await byRole(role, name, within);
      const tag = await evaluate((e) => e.tagName, el);
      if (tag === 'SELECT') {
        await click(el);
        const option = await waitFor(`option ${value}`, (s, v) => [...s.options].find((o) => o.value === v) ?? null, [el, value]);
        await click(option);
        // MiniBrowser's native menu may stay open: the choice is made.
        await waitFor(`${name} = ${value}`, (s, v) => s.value === v, [el, value]);
        return;
      }
      await click(el);
      // Select all and delete, as keys (an input event each, as typed).
      await type(el, '\uE009a\uE009');
      await type(el, '\uE003');
      if (value) await type(el, value);
    },
    /** Waits until an element matching `selector` has text `text` describes (a string: contained; a RegExp: matched). */
    waitForText(text, { selector = 'body', ms = 15000 } = {}) {
      const src = text instanceof RegExp ? text.source : null;
      const flags = text instanceof RegExp ? text.flags : '';
      const plain = text instanceof RegExp ? null : text;
      return waitFor(`text ${text} in ${selector}`, (sel, s, f, str) => {
        for (const el of document.querySelectorAll(sel)) {
          const t = el.innerText ?? el.textContent;
          if (s !== null ? new RegExp(s, f).test(t) : t.includes(str)) return t;
        }
        return null;
      }, [selector, src, flags, plain], ms);
    },
    /** `fn` over every element matching `selector`, as an array. */
    all: (selector, fn) => evaluate(`(s) => [...document.querySelectorAll(s)].map(${fn})`, selector),
    async screenshot(path) {
      await writeFile(path, Buffer.from(await wd('GET', '/screenshot'), 'base64'));
    },
    close: () => command(base, 'DELETE', at).catch(() => {}),
  };
  return page;
}
