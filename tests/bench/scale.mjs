// sessiondeck at scale: 100,000 / 300,000 / 1,000,000 sessions on one
// Rocket.Chat (the reference server, 2FA off), loaded in headless Chromium.
// For each: the load (untraced, beside the browser's own plain fetch of the
// same pages), whether it loaded completely, memory (JS heap + wasm) and
// bytes a session, the long tasks while it loaded, and filter / sort /
// page-flip / criterion / select-all times. Writes bench-results/scale.{json,md};
// asserts no timing (exits non-zero only when it cannot measure).
//
//   SCALE_SIZES=100000,300000 node tests/bench/scale.mjs   (after bash .ci/build)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, ADMIN_AUTH, root, stopAllServers } from '../e2e/helpers.mjs';
import { startProxy } from '../e2e/proxy.mjs';
import { launchUntraceable } from '../e2e/untraced.mjs';
import { median, harness, timeAction, memoryOf, listPages } from './shared.mjs';

const SIZES = (process.env.SCALE_SIZES || '100000,300000,1000000').split(',').map(Number);
// Served straight over HTTP/1.1, or through deploy/nginx.conf (TLS, HTTP/2).
const VIA = process.env.SCALE_VIA || 'http/1.1';
const REPS = Number(process.env.BENCH_ACTION_REPS || 11);
const out = join(root, 'bench-results');
const log = (...a) => console.error('[scale]', ...a);
process.on('exit', stopAllServers);

const chrome = await launchUntraceable();
const { signedIn, navigateAndTime, floor } = harness(chrome);

const rows = [];
for (const n of SIZES) {
  const server = await startServer(['--sessions', String(n), '--2fa', 'none', '--rate-limit', '100000000']);
  const proxy = VIA === 'h2' ? await startProxy('nginx', server.url) : null;
  const url = proxy ? `${proxy.origin}/` : server.url;
  // The panel's limit raised past the list: this measures a complete load.
  let page = await signedIn(url, {
    before: (p) => p.evaluate((m) => localStorage.setItem('sessiondeck.max-sessions', String(m)), n * 2),
  });
  const load = await navigateAndTime(page, url, '__ready');
  page = load.page;
  const shown = await page.evaluate(() => document.querySelector('.server-view:not([hidden]) .range')?.textContent);
  const complete = shown === `1–25 of ${n}`;
  const long = await page.evaluate(() => window.__long.filter(([start]) => start <= window.__ready));
  const memory = await memoryOf(page);
  log(n, 'load', load.ms, shown, 'memory', memory, 'long tasks', long.length);

  const measure = async (action, reset) => {
    const xs = [];
    for (let i = 0; i < REPS; i++) {
      xs.push(await timeAction(page, action));
      if (reset) await timeAction(page, reset);
    }
    return xs;
  };
  const narrowId = await page.evaluate(() => document.querySelector('input[type=checkbox][aria-label^="Select session"]').getAttribute('aria-label').split(' ')[2]);
  const t = {};
  t.filterNarrow = await measure({ kind: 'filter', value: narrowId }, { kind: 'filter', value: '' });
  t.filterBroad = await measure({ kind: 'filter', value: 'e' }, { kind: 'filter', value: '' });
  t.sort = await measure({ kind: 'click', button: 'Client' });
  t.pageFlip = await measure({ kind: 'click', button: 'Next page' });
  await page.getByText('Revoke by criteria').click();
  t.criterion = await measure({ kind: 'criterion', label: 'OS', value: 'windows' }, { kind: 'criterion', label: 'OS', value: '' });
  await timeAction(page, { kind: 'criterion', label: 'OS', value: 'windows' });
  t.selectMatching = await measure({ kind: 'click', button: 'Select all' }, { kind: 'click', button: 'Clear selection' });
  await timeAction(page, { kind: 'criterion', label: 'OS', value: '' });
  t.noopFrame = await measure({ kind: 'noop' });

  const plain = await floor(page, { urls: listPages(n), inFlight: VIA === 'h2' ? 48 : 6, init: { method: 'GET', headers: ADMIN_AUTH } });
  page = plain.page;
  log(n, 'plain fetch', plain.ms);
  rows.push({
    n, via: VIA, loadMs: load.ms, plainMs: plain.ms, complete, shown, memory,
    bytesPerSession: memory.total / n,
    longTasks: { count: long.length, maxMs: Math.max(0, ...long.map(([, d]) => d)), totalMs: long.reduce((a, [, d]) => a + d, 0) },
    timings: Object.fromEntries(Object.entries(t).map(([k, xs]) => [k, { median: median(xs), first: xs[0], runs: xs }])),
  });
  await page.close();
  await proxy?.stop();
  await server.stop();
}
// A profile folder still being written to may refuse removal: the figures stand.
await chrome.close().catch((e) => log('closing Chromium:', e.message));

const ms = (x) => `${x.toFixed(1)} ms`;
const md = [
  `Scale, served over ${VIA}; ${new Date().toISOString()}; interactions: medians of ${REPS} (sort: first click, cold, and the median, warm).`,
  '',
  '| Sessions | Loaded | Load (plain fetch) | Memory (JS + wasm) | Bytes a session (held by the allocator; its peak) | Long tasks while loading (max) | Filter narrow / broad | Sort cold / warm | Page flip | Criterion | Select all matching |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.n.toLocaleString('en')} | ${r.complete ? 'all' : `**${r.shown}**`} | ${(r.loadMs / 1000).toFixed(1)} s (${(r.plainMs / 1000).toFixed(1)} s, ${(r.loadMs / r.plainMs).toFixed(2)}×) | ${(r.memory.total / 2 ** 20).toFixed(0)} MB (${(r.memory.jsHeap / 2 ** 20).toFixed(0)} + ${(r.memory.wasm / 2 ** 20).toFixed(0)}) | ${r.bytesPerSession.toFixed(0)} (${r.memory.heapLive ? (r.memory.heapLive / r.n).toFixed(0) : '?'}; peak ${r.memory.heapPeak ? (r.memory.heapPeak / r.n).toFixed(0) : '?'}) | ${r.longTasks.count} (${r.longTasks.maxMs.toFixed(0)} ms) | ${ms(r.timings.filterNarrow.median)} / ${ms(r.timings.filterBroad.median)} | ${ms(r.timings.sort.first)} / ${ms(r.timings.sort.median)} | ${ms(r.timings.pageFlip.median)} | ${ms(r.timings.criterion.median)} | ${ms(r.timings.selectMatching.median)} |`),
  '',
  `(context) an event nothing handles → next frame: ${rows.map((r) => ms(r.timings.noopFrame.median)).join(' / ')}.`,
  '',
].join('\n');
mkdirSync(out, { recursive: true });
const tag = VIA === 'h2' ? '-h2' : '';
writeFileSync(join(out, `scale${tag}.json`), JSON.stringify(rows, null, 2));
writeFileSync(join(out, `scale${tag}.md`), md);
console.log(md);
