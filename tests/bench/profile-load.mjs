// A CPU profile of the panel loading N sessions (Chromium, CDP Profiler):
// the functions by self time, written to bench-results/profile-load.txt.
// Needs a build that keeps function names (PROFILE_DIST: tests/bench/names-build.sh;
// with the release dist/ the wasm frames are unnamed).
//
//   PROFILE_DIST=/tmp/dist-names PROFILE_SESSIONS=300000 node tests/bench/profile-load.mjs
//   PROFILE_UNTIL=first-page …   only until the first page is painted (the start-up)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

process.env.SESSIONDECK_DIST ||= process.env.PROFILE_DIST || '';
const { startServer, root, stopAllServers, launch } = await import('../e2e/helpers.mjs');
const { readyMarks, selfTimes, selfTimeLines, signedInWhole } = await import('./shared.mjs');

const N = Number(process.env.PROFILE_SESSIONS || 300000);
const UNTIL = process.env.PROFILE_UNTIL || 'ready';
process.on('exit', stopAllServers);
const server = await startServer(['--sessions', String(N), '--2fa', 'none', '--rate-limit', '100000000']);
const { browser, close } = await launch();
const page = await browser.newPage();
await page.addInitScript(readyMarks);
await signedInWhole(page, server.url, N);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
await page.reload();
if (UNTIL === 'first-page') {
  await page.waitForFunction(() => window.__firstRow > 0, null, { timeout: 600000, polling: 20 });
} else {
  await page.waitForFunction(() => window.__ready > 0, null, { timeout: 600000, polling: 500 });
}
const ready = await page.evaluate(() => (window.__ready > 0 ? window.__ready : window.__firstRow));
const long = await page.evaluate(() => window.__long.map(([s, d]) => [Math.round(s), Math.round(d)]));
const nowAtStop = await page.evaluate(() => performance.now());
const { profile } = await cdp.send('Profiler.stop');
// Each long task's own top functions: samples placed on the page's clock
// (the profile ends when it was stopped, just after `nowAtStop`).
const offset = profile.endTime / 1000 - nowAtStop;
const inTasks = long.filter(([, d]) => d >= 60).map(([s, d]) => [
  `long task at ${s} ms, ${d} ms:`,
  ...selfTimes(profile, (t) => t / 1000 - offset >= s && t / 1000 - offset <= s + d).slice(0, 12)
    .map(([k, v]) => `    ${(v / 1000).toFixed(1).padStart(6)} ms  ${k.slice(0, 160)}`),
].join('\n'));
const lines = [`load of ${N} until ${UNTIL}: at ${ready.toFixed(0)} ms; long tasks ${JSON.stringify(long)}`,
  ...selfTimeLines(profile, 60), ...inTasks];
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(join(root, 'bench-results', 'profile-load.txt'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
await close();
await server.stop();
