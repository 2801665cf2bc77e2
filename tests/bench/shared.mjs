// What the benchmark scripts share: the marks every measured page sets, the
// untraced sign-in, navigation and plain-fetch floor, the time from an input
// to the frame that paints its result, and the memory a page holds.
import { signInWithToken, ADMIN, ADMIN_AUTH, plainFetchInPage } from '../e2e/helpers.mjs';

/** The pages of `n` sessions, as the panel asks Rocket.Chat for them (100 a page). */
export const listPages = (n) => Array.from({ length: Math.ceil(n / 100) }, (_, i) => `./api/v1/sessions/list.all?offset=${i * 100}&count=100&sort=%7B%22loginAt%22%3A-1%7D`);

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/**
 * In every page: `window.__firstRow` and `__ready`, ms from navigation
 * start; `__long`, every long task (over 50 ms: the page could not answer
 * an input) as [start, duration].
 */
export function readyMarks() {
  addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; });
  window.__long = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch { /* no long-task timing in this browser */ }
  // First data row in the DOM, then the frame that paints it.
  window.__firstRow = null;
  window.__ready = null;
  const watch = () => {
    const row = document.querySelector('table.sessions tbody tr');
    if (row && window.__firstRow === null) {
      window.__firstRow = -1;
      requestAnimationFrame(() => { window.__firstRow = performance.now(); });
    }
    if (row && !document.querySelector('[role=progressbar]') && window.__ready === null) {
      window.__ready = -1;
      requestAnimationFrame(() => { window.__ready = performance.now(); });
    }
  };
  new MutationObserver(watch).observe(document, { childList: true, subtree: true });
}

/** The sign-in, navigation and floor of `chrome` (tests/e2e/untraced.mjs). */
export function harness(chrome) {
  return {
    /** Signs in once at `url` (2FA off, or answered; `before(page)` first) and returns the page, signed in. */
    async signedIn(url, { answer2fa = false, before } = {}) {
      const page = await chrome.newPage();
      await page.addInitScript(readyMarks);
      if (before) {
        await page.goto(url);
        await before(page);
      }
      await signInWithToken(page, url);
      if (answer2fa) {
        const dialog = page.getByRole('dialog', { name: /Two-factor/ });
        await dialog.getByLabel('Password').fill(ADMIN.password);
        await dialog.getByRole('button', { name: 'Verify' }).click();
      }
      await page.waitForFunction(() => window.__ready > 0, null, { timeout: 600000 });
      return page;
    },
    /** Loads `url` in `page`, untraced, until `window[what]` is set: its value and the page. */
    async navigateAndTime(page, url, what) {
      const { value, page: again } = await chrome.untraced(page, null, null, { navigate: url, initScript: `(${readyMarks})()`, until: what, timeout: 900000 });
      return { ms: value, page: again };
    },
    /** This browser's own floor, untraced: `plainFetchInPage(arg)` in `page`; a lost request means no measure. */
    async floor(page, arg) {
      const { value: { ms, lost }, page: again } = await chrome.untraced(page, plainFetchInPage, arg);
      if (lost.length) throw new Error(`plain fetch lost ${lost.length} requests, first: ${lost[0]}`);
      return { ms, page: again };
    },
  };
}

/**
 * Time from an input event to the next animation frame: the panel's filter /
 * sort / render all run before that frame (microtasks), so this is the time
 * until the changed table can be painted.
 */
export const timeAction = (page, action) => page.evaluate(async (act) => new Promise((resolve) => {
  const t0 = performance.now();
  if (act.kind === 'noop') {
    // Calibration: an event nothing listens to, then the same wait.
    document.body.dispatchEvent(new Event('input', { bubbles: true }));
  } else if (act.kind === 'filter') {
    const input = document.querySelector('.server-view:not([hidden]) input[type=search], .everywhere-page input[type=search]');
    input.value = act.value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  } else if (act.kind === 'criterion') {
    // A revoke-by-criteria field, by its label.
    const label = [...document.querySelectorAll('label.crit-field')].find((l) => l.textContent.startsWith(act.label));
    const input = label.querySelector('input');
    input.value = act.value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  } else {
    [...document.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') || b.textContent).trim().startsWith(act.button)).click();
  }
  requestAnimationFrame(() => resolve(performance.now() - t0));
}), action);

/**
 * What `page` holds after a full garbage collection: JS heap, wasm memory
 * (its size: it never shrinks, so this is the peak), their sum, and the
 * bytes the panel's allocator has handed out and not had back (`heapLive`) and the
 * most it ever held at once (`heapPeak`).
 */
export async function memoryOf(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const jsHeap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  const [wasm, heapLive, heapPeak] = await page.evaluate(() => [
    window.__wasm?.memory?.buffer.byteLength ?? 0,
    window.__wasm?.heap_live_bytes?.() ?? null,
    window.__wasm?.heap_peak_bytes?.() ?? null,
  ]);
  return { jsHeap, wasm, total: jsHeap + wasm, heapLive, heapPeak };
}

/**
 * Chooses the first `n` sessions shown (pages of 100, "Select all sessions
 * on this page"), asks to revoke them, and times — in the page, untraced —
 * the confirming click until the report says every one ended and a fresh
 * read no longer lists it. Returns { panelMs, chosen (their IDs), page }.
 */
export async function revokeTimed(chrome, page, n) {
  await page.getByLabel('Rows per page').selectOption('100');
  const chosen = [];
  for (let p = 0; p < n / 100; p++) {
    await page.getByText(new RegExp(`^${p * 100 + 1}–${p * 100 + 100} of`)).waitFor();
    const ids = await page.getByRole('checkbox', { name: /^Select session/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label').split(' ')[2]));
    chosen.push(...ids);
    await page.getByRole('checkbox', { name: 'Select all sessions on this page' }).check();
    if (p < n / 100 - 1) await page.getByRole('button', { name: 'Next page' }).click();
  }
  await page.getByRole('button', { name: `Revoke selected (${n})` }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: `Revoke ${n} sessions` }).waitFor();
  const done = `Revoked ${n} of ${n} sessions (${n} confirmed gone, 0 still listed).`;
  const timed = await chrome.untraced(page, ([count, want]) => new Promise((resolve, reject) => {
    const confirm = [...document.querySelectorAll('[role=alertdialog] button')].find((b) => b.textContent.trim() === `Revoke ${count} sessions`);
    if (!confirm) reject(new Error('no confirming button'));
    const t0 = performance.now();
    // When the panel's phases ended (its performance marks), from the click.
    const phase = (name) => {
      const m = performance.getEntriesByName(name).filter((e) => e.startTime >= t0).pop();
      return m ? m.startTime - t0 : null;
    };
    new MutationObserver((_, mo) => {
      if (document.querySelector('[aria-label="Revocation report"]')?.textContent.includes(want)) {
        mo.disconnect();
        resolve({ ms: performance.now() - t0, revokedMs: phase('sessiondeck:revoked'), verifiedMs: phase('sessiondeck:verified') });
      }
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
    confirm.click();
  }), [n, done]);
  await timed.page.getByRole('region', { name: 'Revocation report' }).getByText(done).waitFor();
  return { panelMs: timed.value.ms, revokedMs: timed.value.revokedMs, verifiedMs: timed.value.verifiedMs, chosen, page: timed.page };
}

/**
 * In `page`, signed in to the first of the Rocket.Chat servers at `urls`
 * (each listing `n` sessions): waits for its list, connects the others one
 * by one, each loaded whole, and opens Everywhere.
 */
export async function openEverywhere(page, urls, n) {
  const loaded = () => page.locator('.server-view:not([hidden]) .range').filter({ hasText: `of ${n}` }).waitFor({ timeout: 600000 });
  await loaded();
  const tab = (name) => page.getByRole('navigation', { name: 'Servers' }).getByRole('button', { name });
  for (const url of urls.slice(1)) {
    await tab('Add server').click();
    await page.getByLabel('Backend').selectOption('rocketchat');
    await page.getByLabel('Server URL').fill(url.replace(/\/$/, ''));
    await page.getByLabel('User ID').fill(ADMIN_AUTH['X-User-Id']);
    await page.getByLabel('Auth token').fill(ADMIN_AUTH['X-Auth-Token']);
    await page.getByRole('button', { name: 'Connect' }).click();
    await loaded();
  }
  await tab('Everywhere').click();
  await page.getByRole('searchbox', { name: 'Person' }).waitFor();
}

/**
 * A DevTools CPU profile's functions by self time (µs), most first;
 * `within(t)` keeps only the samples taken at `t` (µs, the profile's clock).
 */
export function selfTimes(profile, within = () => true) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const d = profile.timeDeltas[i] || 0;
    t += d;
    if (!within(t)) return;
    const f = byId.get(id).callFrame;
    const name = f.functionName || `(anon ${f.url.split('/').pop()}:${f.lineNumber})`;
    self.set(name, (self.get(name) || 0) + d);
  });
  return [...self.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * `profile`'s `n` top functions by self time, a line each ("  1234 ms  5.6%
 * name"), after a line with the time profiled in all.
 */
export function selfTimeLines(profile, n) {
  const all = selfTimes(profile);
  const total = all.reduce((a, [, v]) => a + v, 0);
  return [`profiled ${(total / 1000).toFixed(0)} ms`,
    ...all.slice(0, n).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(7)} ms ${(100 * v / total).toFixed(1).padStart(5)}%  ${k.slice(0, 160)}`)];
}

/**
 * Opens `url` in `page` with the panel's load limit raised past `n` (a
 * complete load is measured), signs in with the admin's token, and waits
 * for the load to end.
 */
export async function signedInWhole(page, url, n) {
  await page.goto(url);
  await page.evaluate((m) => localStorage.setItem('sessiondeck.max-sessions', String(m)), n * 2);
  await signInWithToken(page, url);
  await page.waitForFunction(() => window.__ready > 0, null, { timeout: 600000 });
}
