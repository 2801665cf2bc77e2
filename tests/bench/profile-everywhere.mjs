// A CPU profile of Everywhere's keystrokes over three servers of N
// sessions each (Chromium, CDP Profiler): each keystroke's time to the next
// frame and its top functions by self time, written to
// bench-results/profile-everywhere.txt. Use a build that keeps function
// names (tests/bench/names-build.sh).
//
//   PROFILE_DIST=/tmp/dist-names PROFILE_SESSIONS=300000 node tests/bench/profile-everywhere.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

process.env.SESSIONDECK_DIST ||= process.env.PROFILE_DIST || '';
const { startServer, root, stopAllServers, launch, signInWithToken } = await import('../e2e/helpers.mjs');
const { timeAction, openEverywhere, selfTimes } = await import('./shared.mjs');

const N = Number(process.env.PROFILE_SESSIONS || 300000);
process.on('exit', stopAllServers);
const servers = [];
for (let i = 0; i < 3; i++) servers.push(await startServer(['--sessions', String(N), '--2fa', 'none', '--rate-limit', '100000000']));
const { browser, close } = await launch();
const page = await browser.newPage();
await page.goto(servers[0].url);
await page.evaluate((m) => localStorage.setItem('sessiondeck.max-sessions', String(m)), N * 2);
await signInWithToken(page, servers[0].url);
await openEverywhere(page, servers.map((s) => s.url), N);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
const lines = [`Everywhere over 3 servers of ${N}`];
for (const typed of ['d', 'da', 'dan', 'dana', '']) {
  await cdp.send('Profiler.start');
  const ms = await timeAction(page, { kind: 'filter', value: typed });
  const { profile } = await cdp.send('Profiler.stop');
  lines.push(`"${typed}": ${ms.toFixed(1)} ms to the next frame`,
    ...selfTimes(profile).filter(([k]) => k !== '(idle)').slice(0, 14)
      .map(([k, v]) => `    ${(v / 1000).toFixed(1).padStart(6)} ms  ${k.slice(0, 170)}`));
  await new Promise((r) => setTimeout(r, 1500));
}
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(join(root, 'bench-results', 'profile-everywhere.txt'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
await close();
for (const s of servers) await s.stop();
