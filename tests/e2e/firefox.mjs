// Debian's Firefox ESR, driven over WebDriver BiDi by puppeteer-core, for the
// Firefox subset of the end-to-end suite (firefox.test.mjs). Elements are
// found as in the Chromium tests — by role and accessible name, which
// puppeteer asks Firefox's own accessibility tree for (`::-p-aria`) — or by
// the text a person reads.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { sleep } from './helpers.mjs';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

/**
 * Headless Firefox with a fresh profile whose downloads land, without a
 * prompt, in a temporary folder: `downloaded(name)` reads a file from it
 * once Firefox has finished writing it.
 */
export async function launchFirefox({ acceptInsecureCerts = false } = {}) {
  const downloads = await mkdtemp(join(tmpdir(), 'sessiondeck-firefox-downloads-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    acceptInsecureCerts,
    extraPrefsFirefox: {
      // No network of its own (this machine has none beyond localhost).
      'app.update.enabled': false,
      'browser.safebrowsing.downloads.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      'toolkit.telemetry.enabled': false,
      // Downloads: straight to the folder, no dialog, no panel.
      'browser.download.folderList': 2,
      'browser.download.dir': downloads,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.alwaysOpenPanel': false,
      'browser.helperApps.neverAsk.saveToDisk': 'text/csv,application/json',
    },
  });
  /** The text of the downloaded file `name`, once it is complete. */
  async function downloaded(name, ms = 10000) {
    const end = Date.now() + ms;
    for (;;) {
      const files = await readdir(downloads);
      // Firefox writes `name.part` first and renames it when done.
      if (files.includes(name) && !files.some((f) => f.endsWith('.part'))) {
        return readFile(join(downloads, name), 'utf8');
      }
      if (Date.now() > end) throw new Error(`no download ${name} in ${ms} ms (folder: ${files.join(', ') || 'empty'})`);
      await sleep(100);
    }
  }
  const close = async () => {
    await browser.close();
    await rm(downloads, { recursive: true, force: true });
  };
  return { browser, close, downloaded };
}

/**
 * A fresh private browsing context's page that records uncaught errors,
 * dialogs (alert()) and Content-Security-Policy violations in `page.errors`.
 */
export async function newFirefoxPage(browser) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('dialog', async (d) => { page.errors.push(`unexpected dialog: ${d.message()}`); await d.dismiss(); });
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy|CSP violation/i.test(m.text())) page.errors.push(m.text());
  });
  await page.evaluateOnNewDocument(() => {
    addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  return page;
}

/**
 * The selector of the element with `role` and exactly the accessible `name`,
 * optionally inside the elements `within` (a CSS selector).
 */
export function byRole(role, name, within = '') {
  if (/["\\]/.test(name)) throw new Error(`a name with quotes cannot be selected: ${name}`);
  return `${within ? `${within} ` : ''}::-p-aria([name="${name}"][role="${role}"])`;
}

/**
 * The visible element `selector` selects, waited for. (puppeteer's Locator
 * API does not find `::-p-aria` elements in Firefox 153 over BiDi —
 * `locator().wait()` times out where `waitForSelector` finds them — so these
 * helpers wait and act on element handles.)
 */
// 20 s: an aria query in Firefox over BiDi walks the accessibility tree on
// every poll, and on a page with two servers' tables that takes seconds.
export const find = (page, selector, ms = 20000) => page.waitForSelector(selector, { visible: true, timeout: ms });

/** Clicks the element with `role` and accessible `name`, optionally inside `within`. */
export async function press(page, role, name, within) {
  await (await find(page, byRole(role, name, within))).click();
}

/**
 * The form control whose <label> reads exactly `name` — for a password
 * field, which has no ARIA role to select it by.
 */
export async function labelled(page, name, ms = 20000) {
  const handle = await page.waitForFunction((n) => [...document.querySelectorAll('label')]
    .find((l) => l.textContent.trim() === n && l.control?.checkVisibility())?.control ?? false,
  { timeout: ms, polling: 50 }, name);
  return handle.asElement();
}

/**
 * Puts `value` in the control with `role` and accessible `name` as a person
 * would: a select's option chosen, a field's text replaced by typing.
 */
export async function fillIn(page, role, name, value, within) {
  const field = await find(page, byRole(role, name, within));
  if (await field.evaluate((e) => e.tagName === 'SELECT')) {
    await field.select(value);
    return;
  }
  await field.click({ count: 3 });
  await field.press('Backspace');
  if (value) await field.type(value);
}

/**
 * Waits until some element matching `selector` has text that `text` (a
 * string: contained; a RegExp: matched) describes; resolves with that text.
 */
export async function waitForText(page, text, { selector = 'body', ms = 20000 } = {}) {
  const source = text instanceof RegExp ? text.source : null;
  const flags = text instanceof RegExp ? text.flags : '';
  const plain = text instanceof RegExp ? null : text;
  const handle = await page.waitForFunction((sel, src, fl, str) => {
    for (const el of document.querySelectorAll(sel)) {
      const t = el.innerText ?? el.textContent;
      if (src !== null ? new RegExp(src, fl).test(t) : t.includes(str)) return t;
    }
    return false;
  }, { timeout: ms, polling: 50 }, selector, source, flags, plain);
  return handle.jsonValue();
}

/** The `attribute` of every element matching `selector`, in document order. */
export const attributes = (page, selector, attribute) =>
  page.$$eval(selector, (els, a) => els.map((e) => e.getAttribute(a)), attribute);
