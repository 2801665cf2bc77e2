// The benchmark's browser: Debian's headless Chromium, driven by Playwright
// over the DevTools protocol — which lets go of the browser while a figure is
// timed. Playwright records every request of a page it drives (the DevTools
// Network domain); measured on 2 cores, that alone made 1,000 logouts over
// HTTP/2 at 48 in flight take 2.83 s instead of 1.79 s. An admin's browser
// records nothing, so timed runs go through a bare DevTools session that
// only evaluates script (Runtime, and Page for a navigation).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { watch, CHROMIUM, CHROMIUM_ARGS } from './helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts Chromium (self-signed certificates accepted: the test proxies make
 * theirs at test time) and connects Playwright to it. Pages come from
 * `newPage()`: the browser's own context, which outlives a disconnection.
 */
export async function launchUntraceable() {
  const dir = mkdtempSync(join(tmpdir(), 'sessiondeck-bench-'));
  const proc = spawn(CHROMIUM, [
    '--headless', ...CHROMIUM_ARGS, '--ignore-certificate-errors', '--window-size=1280,900',
    `--user-data-dir=${dir}`, '--remote-debugging-port=0', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${err}`)), 20000);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/DevTools listening on ws:\/\/[^:]+:(\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => reject(new Error(`Chromium exited (${code}):\n${err}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let browser = await chromium.connectOverCDP(endpoint);

  /** A bare DevTools session on the page target showing `url`. */
  async function bare(url) {
    const targets = await (await fetch(`${endpoint}/json/list`)).json();
    const target = targets.find((t) => t.type === 'page' && t.url === url);
    if (!target) throw new Error(`no page at ${url} among ${targets.map((t) => t.url).join(', ')}`);
    const ws = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    let id = 0;
    const pending = new Map();
    ws.on('message', (m) => {
      const d = JSON.parse(m);
      const p = d.id && pending.get(d.id);
      if (!p) return;
      pending.delete(d.id);
      if (d.error) p.reject(new Error(`${d.error.message} (${JSON.stringify(d.error)})`));
      else p.resolve(d.result);
    });
    const send = (method, params = {}) => new Promise((resolve, reject) => {
      const i = ++id;
      pending.set(i, { resolve, reject });
      ws.send(JSON.stringify({ id: i, method, params }));
    });
    /** `expression`'s value (awaited); a thrown error fails the run. */
    const evaluate = async (expression) => {
      const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      return r.result.value;
    };
    return { send, evaluate, close: () => ws.close() };
  }

  return {
    get browser() { return browser; },
    /** A page of the browser's own context (1280 × 900), its errors watched. */
    async newPage() {
      return watch(await browser.contexts()[0].newPage());
    },
    /**
     * Lets go of the browser, runs `fn(arg)` in `page` through a bare
     * session, connects again; resolves with its value and the page (a new
     * handle). With `navigate`, instead loads that URL (after `initScript`)
     * and waits until the page's `window[until]` is a positive number, its
     * value. Nothing the driver does touches the page meanwhile.
     */
    async untraced(page, fn, arg, { navigate, initScript, until, timeout = 300000 } = {}) {
      const url = page.url();
      await browser.close();
      let value;
      let at = url;
      const s = await bare(url);
      try {
        if (navigate) {
          // The script runs in new documents only once the session enabled Page.
          await s.send('Page.enable');
          if (initScript) await s.send('Page.addScriptToEvaluateOnNewDocument', { source: initScript });
          // Until the new document answers, the old one reads 0.
          await s.evaluate(`window[${JSON.stringify(until)}] = 0`);
          await s.send('Page.navigate', { url: navigate });
          const end = Date.now() + timeout;
          for (;;) {
            value = await s.evaluate(`window[${JSON.stringify(until)}]`).catch(() => null);
            if (value > 0) break;
            if (Date.now() > end) throw new Error(`timed out waiting for ${until} at ${navigate}`);
            await sleep(100);
          }
          at = await s.evaluate('location.href');
        } else {
          value = await s.evaluate(`(${fn})(${JSON.stringify(arg)})`);
        }
      } finally {
        s.close();
        browser = await chromium.connectOverCDP(endpoint);
      }
      const again = browser.contexts()[0].pages().find((p) => p.url() === at);
      if (!again) throw new Error(`the page at ${at} is gone`);
      return { value, page: watch(again) };
    },
    async close() {
      await browser.close().catch(() => {});
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await gone;
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
