// What a verified bulk revoke sends, in order and over time: signs in to a
// reference server of SESSIONS sessions (2FA off, LATENCY ms an answer),
// revokes the first BULK by "Revoke selected", and prints when each kind of
// request left (logouts, lookups, list reads) beside the panel's phase
// marks. TRACE_VIA=h2: through deploy/nginx.conf. TRACE_PROFILE=1: also a
// CPU profile of the bulk, its functions by self time (with a build that
// keeps names: PROFILE_DIST, see names-build.sh).
//
//   TRACE_SESSIONS=100000 TRACE_BULK=1000 TRACE_VIA=h2 node tests/bench/trace-bulk.mjs
process.env.SESSIONDECK_DIST ||= process.env.PROFILE_DIST || '';
const { startServer, stopAllServers, launch } = await import('../e2e/helpers.mjs');
const { startProxy } = await import('../e2e/proxy.mjs');
const { readyMarks, revokeTimed, selfTimeLines, signedInWhole } = await import('./shared.mjs');
const { plainFetchInPage, checkedLogoutsOf, ADMIN_AUTH } = await import('../e2e/helpers.mjs');

const N = Number(process.env.TRACE_SESSIONS || 20000);
const BULK = Number(process.env.TRACE_BULK || 300);
const LATENCY = process.env.TRACE_LATENCY_MS || '50';
process.on('exit', stopAllServers);

const server = await startServer(['--sessions', String(N), '--2fa', 'none', '--rate-limit', '100000000', '--latency-ms', LATENCY]);
const proxy = process.env.TRACE_VIA === 'h2' ? await startProxy('nginx', server.url) : null;
const url = proxy ? `${proxy.origin}/` : server.url;
const { browser, close } = await launch();
const page = await browser.newPage({ ignoreHTTPSErrors: true });
await page.addInitScript(readyMarks);
await signedInWhole(page, url, N);
const kind = (u) => (u.includes('/logout') ? 'logout' : u.includes('info.admin') ? 'lookup' : u.includes('list.all') ? 'list' : 'other');
await page.evaluate(() => { performance.setResourceTimingBufferSize(100000); performance.clearResourceTimings(); });
let cdp = null;
if (process.env.TRACE_PROFILE === '1') {
  cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}
// revokeTimed's untraced run is not used here: the page is traced anyway.
const bulk = await revokeTimed({ untraced: async (p, fn, arg) => ({ value: await p.evaluate(fn, arg), page: p }) }, page, BULK);
const profile = cdp ? (await cdp.send('Profiler.stop')).profile : null;
const entries = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => [e.startTime, e.name]));
const marked = await page.evaluate(() => performance.getEntriesByName('sessiondeck:revoked').pop().startTime);
const t0 = marked - bulk.revokedMs;
const rel = entries.filter(([t]) => t >= t0).map(([t, u]) => [t - t0, kind(u)]);
const of = (k) => rel.filter(([, x]) => x === k);
for (const k of ['logout', 'lookup', 'list', 'other']) {
  const xs = of(k);
  if (xs.length) console.log(`${k}: ${xs.length} sent, first at ${xs[0][0].toFixed(0)} ms, last at ${xs[xs.length - 1][0].toFixed(0)} ms`);
}
console.log(`panel: revoked at ${bulk.revokedMs?.toFixed(0)} ms, verified at ${bulk.verifiedMs?.toFixed(0)} ms, report at ${bulk.panelMs.toFixed(0)} ms (from the click)`);
console.log('first 12:', rel.slice(0, 12).map(([t, k]) => `${k}@${t.toFixed(0)}`).join(' '));
const top = (p, n) => console.log(selfTimeLines(p, n).join('\n'));
if (profile) top(profile, 40);
if (process.env.TRACE_PLAIN === '1') {
  // The browser's own fetch of as many other logouts, each followed by its
  // lookup, in the same page: the floor, profiled the same way.
  const ids = await page.getByRole('checkbox', { name: /^Select session/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label').split(' ')[2]));
  const others = [];
  for (let offset = 0; others.length < BULK; offset += 100) {
    const r = await fetch(`${server.url}/api/v1/sessions/list.all?offset=${offset}&count=100`, { headers: ADMIN_AUTH });
    others.push(...(await r.json()).sessions.map((x) => x.sessionId ?? x._id).filter((id) => !ids.includes(id)).slice(0, BULK - others.length));
  }
  if (cdp) await cdp.send('Profiler.start');
  const plain = await page.evaluate(plainFetchInPage, checkedLogoutsOf(others, proxy ? 48 : 6));
  console.log(`plain fetch of ${BULK} logouts each followed by its lookup: ${plain.ms.toFixed(0)} ms, ${plain.lost.length} lost`);
  if (cdp) top((await cdp.send('Profiler.stop')).profile, 15);
}
await close();
process.exit(0);
