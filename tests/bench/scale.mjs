// sessiondeck at scale: 100,000 / 300,000 / 1,000,000 sessions on one
// Rocket.Chat (the reference server, 2FA off), loaded in headless Chromium.
// For each: the load (untraced, beside the browser's own plain fetch of the
// same pages), whether it loaded completely, memory (JS heap + wasm) and
// bytes a session, the long tasks while it loaded, and filter / sort /
// page-flip / criterion / select-all times. Writes bench-results/scale.{json,md};
// asserts no timing (exits non-zero only when it cannot measure).
//
//   SCALE_SIZES=100000,300000 node tests/bench/scale.mjs   (after bash .ci/build)
//   SCALE_VIA=h2 SCALE_LATENCY_MS=50 …   through deploy/nginx.conf, 50 ms an answer
//   SCALE_EVERYWHERE=300000 …   then Everywhere over three servers of 300,000
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, ADMIN_AUTH, root, stopAllServers } from '../e2e/helpers.mjs';
import { startProxy } from '../e2e/proxy.mjs';
import { launchUntraceable } from '../e2e/untraced.mjs';
import { median, harness, timeAction, memoryOf, listPages, revokeTimed, openEverywhere } from './shared.mjs';
import { logoutsOf, checkedLogoutsOf } from '../e2e/helpers.mjs';

const SIZES = (process.env.SCALE_SIZES ?? '100000,300000,1000000').split(',').filter(Boolean).map(Number);
// Served straight over HTTP/1.1, or through deploy/nginx.conf (TLS, HTTP/2).
const VIA = process.env.SCALE_VIA || 'http/1.1';
// Added to every API answer by the reference server (a far-away server).
const LATENCY = Number(process.env.SCALE_LATENCY_MS || 0);
// Also revoke 1,000 of the list (verified by fresh reads) beside the
// browser's plain fetch of 1,000 logouts: what verification costs at scale.
const VERIFY = process.env.SCALE_VERIFY === '1';
const BULK = 1000;
const REPS = Number(process.env.BENCH_ACTION_REPS || 11);
const out = join(root, 'bench-results');
const log = (...a) => console.error('[scale]', ...a);
process.on('exit', stopAllServers);

const chrome = await launchUntraceable();
const { signedIn, navigateAndTime, floor } = harness(chrome);

const rows = [];
for (const n of SIZES) {
  const server = await startServer(['--sessions', String(n), '--2fa', 'none', '--rate-limit', '100000000', '--latency-ms', String(LATENCY)]);
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
  // Where in the load each long task fell: beside the panel's own marks.
  const marks = await page.evaluate(() => Object.fromEntries(['sessiondeck:first-page', 'sessiondeck:loaded', 'sessiondeck:own-session']
    .map((m) => [m, performance.getEntriesByName(m).pop()?.startTime ?? null])));
  log(n, 'long tasks at', JSON.stringify(long.map(([s, d]) => [Math.round(s), Math.round(d)])), 'marks', JSON.stringify(marks));
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

  let verify = null;
  if (VERIFY) {
    const requestsBefore = (await server.stats()).requests;
    const bulk = await revokeTimed(chrome, page, BULK);
    page = bulk.page;
    const requests = (await server.stats()).requests - requestsBefore;
    // 2 × 1,000 other sessions, logged out by the browser's own fetch
    // alone: the first thousand as they are, the second each followed by
    // its lookup by ID (the floor of a checked revoke).
    const others = [];
    for (let offset = 0; others.length < 2 * BULK; offset += 100) {
      const r = await fetch(`${server.url}/api/v1/sessions/list.all?offset=${offset}&count=100`, { headers: ADMIN_AUTH });
      const ids = (await r.json()).sessions.map((s) => s.sessionId ?? s._id).filter((id) => !bulk.chosen.includes(id));
      others.push(...ids.slice(0, 2 * BULK - others.length));
    }
    const inFlight = VIA === 'h2' ? 48 : 6;
    const plainBulk = await floor(page, logoutsOf(others.slice(0, BULK), inFlight));
    const plainChecked = await floor(plainBulk.page, checkedLogoutsOf(others.slice(BULK), inFlight));
    page = plainChecked.page;
    verify = { n: BULK, panelMs: bulk.panelMs, revokedMs: bulk.revokedMs, verifiedMs: bulk.verifiedMs, plainMs: plainBulk.ms, plainCheckedMs: plainChecked.ms, requests, listPages: Math.ceil(n / 100) };
    log(n, 'verified bulk', JSON.stringify(verify));
  }

  const plain = await floor(page, { urls: listPages(n), inFlight: VIA === 'h2' ? 48 : 6, init: { method: 'GET', headers: ADMIN_AUTH } });
  page = plain.page;
  log(n, 'plain fetch', plain.ms);
  rows.push({
    n, via: VIA, latencyMs: LATENCY, verify, loadMs: load.ms, plainMs: plain.ms, complete, shown, memory,
    bytesPerSession: memory.total / n,
    longTasks: { count: long.length, maxMs: Math.max(0, ...long.map(([, d]) => d)), totalMs: long.reduce((a, [, d]) => a + d, 0), at: long, marks },
    timings: Object.fromEntries(Object.entries(t).map(([k, xs]) => [k, { median: median(xs), first: xs[0], runs: xs }])),
  });
  await page.close();
  await proxy?.stop();
  await server.stop();
}
// Everywhere over three servers of EVERYWHERE sessions each: a person typed,
// one character at a time, → the next frame (every server's list searched).
const EVERYWHERE = Number(process.env.SCALE_EVERYWHERE || 0);
let everywhere = null;
if (EVERYWHERE) {
  const servers = [];
  for (let i = 0; i < 3; i++) servers.push(await startServer(['--sessions', String(EVERYWHERE), '--2fa', 'none', '--rate-limit', '100000000']));
  const page = await signedIn(servers[0].url, {
    before: (p) => p.evaluate((m) => localStorage.setItem('sessiondeck.max-sessions', String(m)), EVERYWHERE * 2),
  });
  await openEverywhere(page, servers.map((s) => s.url), EVERYWHERE);
  const keystrokes = [];
  for (let r = 0; r < Math.max(1, Math.ceil(REPS / 4)); r++) {
    for (const typed of ['d', 'da', 'dan', 'dana']) keystrokes.push(await timeAction(page, { kind: 'filter', value: typed }));
    await timeAction(page, { kind: 'filter', value: '' });
  }
  const memory = await memoryOf(page);
  everywhere = { servers: 3, each: EVERYWHERE, keystroke: { median: median(keystrokes), max: Math.max(...keystrokes), runs: keystrokes }, memory };
  log('everywhere', JSON.stringify(everywhere));
  await page.close();
  for (const s of servers) await s.stop();
}

// A profile folder still being written to may refuse removal: the figures stand.
await chrome.close().catch((e) => log('closing Chromium:', e.message));

const ms = (x) => `${x.toFixed(1)} ms`;
const md = [
  `Scale, served over ${VIA}${LATENCY ? `, ${LATENCY} ms an answer` : ''}; ${new Date().toISOString()}; interactions: medians of ${REPS} (sort: first click, cold, and the median, warm).`,
  '',
  ...(rows.length ? [
  '| Sessions | Loaded | Load (plain fetch) | Memory (JS + wasm) | Bytes a session (held by the allocator; its peak) | Long tasks while loading (max) | Filter narrow / broad | Sort cold / warm | Page flip | Criterion | Select all matching |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.n.toLocaleString('en')} | ${r.complete ? 'all' : `**${r.shown}**`} | ${(r.loadMs / 1000).toFixed(1)} s (${(r.plainMs / 1000).toFixed(1)} s, ${(r.loadMs / r.plainMs).toFixed(2)}×) | ${(r.memory.total / 2 ** 20).toFixed(0)} MB (${(r.memory.jsHeap / 2 ** 20).toFixed(0)} + ${(r.memory.wasm / 2 ** 20).toFixed(0)}) | ${r.bytesPerSession.toFixed(0)} (${r.memory.heapLive ? (r.memory.heapLive / r.n).toFixed(0) : '?'}; peak ${r.memory.heapPeak ? (r.memory.heapPeak / r.n).toFixed(0) : '?'}) | ${r.longTasks.count} (${r.longTasks.maxMs.toFixed(0)} ms) | ${ms(r.timings.filterNarrow.median)} / ${ms(r.timings.filterBroad.median)} | ${ms(r.timings.sort.first)} / ${ms(r.timings.sort.median)} | ${ms(r.timings.pageFlip.median)} | ${ms(r.timings.criterion.median)} | ${ms(r.timings.selectMatching.median)} |`),
  '',
  `(context) an event nothing handles → next frame: ${rows.map((r) => ms(r.timings.noopFrame.median)).join(' / ')}.`,
  '',
  ] : []),
  ...(everywhere ? [`Everywhere over ${everywhere.servers} servers of ${everywhere.each.toLocaleString('en')} sessions each: a person typed one character at a time → next frame, median ${ms(everywhere.keystroke.median)}, slowest ${ms(everywhere.keystroke.max)} (${everywhere.keystroke.runs.length} keystrokes); memory ${(everywhere.memory.total / 2 ** 20).toFixed(0)} MB.`, ''] : []),
  ...rows.filter((r) => r.verify).map(({ n, verify: v }) => `Verified bulk on the ${n.toLocaleString('en')} list: ${v.n.toLocaleString('en')} revokes, confirmed gone by fresh reads, in ${(v.panelMs / 1000).toFixed(2)} s against the browser's plain fetch of ${v.n.toLocaleString('en')} logouts alone ${(v.plainMs / 1000).toFixed(2)} s (${(v.panelMs / v.plainMs).toFixed(2)}×) and of ${v.n.toLocaleString('en')} logouts each followed by its lookup ${(v.plainCheckedMs / 1000).toFixed(2)} s (${(v.panelMs / v.plainCheckedMs).toFixed(2)}×; the plain check alone costs ${(v.plainCheckedMs / v.plainMs).toFixed(2)}× the plain logouts); ${v.requests.toLocaleString('en')} requests in all (the revokes and the reads that checked them: a reload of the list would be ${v.listPages.toLocaleString('en')} pages).`),
  '',
].join('\n');
mkdirSync(out, { recursive: true });
const tag = `${VIA === 'h2' ? '-h2' : ''}${LATENCY ? `-${LATENCY}ms` : ''}${VERIFY ? '-verify' : ''}`;
writeFileSync(join(out, `scale${tag}.json`), JSON.stringify({ rows, everywhere }, null, 2));
writeFileSync(join(out, `scale${tag}.md`), md);
console.log(md);
