// The release panel's Content-Security-Policy, written after `trunk build`:
//   node .ci/csp.mjs [dist]
//
// trunk's loader is the page's only inline script; it changes with every
// build (it names the hashed wasm), so its sha256 is computed here and the
// policy allows exactly it — no 'unsafe-inline'. Writes:
//   dist/csp.txt   the policy, one line (README → Deploy; refserver --csp)
//   dist/_headers  the policy, caching and compression hints for static hosts
//                  that read this file (Netlify, Cloudflare Pages)
// and puts the policy in index.html as a <meta> too, for a host that sends
// no header (a meta cannot carry frame-ancestors; the header does).
//
// connect-src comes from the deployment: with a dist/config.json, 'self'
// plus the origins of its presets' servers, and `https:` (and this machine
// over http) only if it says "allowAnyServer": true; without one, the admin
// types any server, so any https:// server and this machine are allowed.
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const dist = process.argv[2] || 'dist';
const indexPath = join(dist, 'index.html');
const html = readFileSync(indexPath, 'utf8');

const fail = (why) => {
  console.error(`[csp] ${why}`);
  process.exit(1);
};

// Inline scripts (no src): each is allowed by its hash.
const hashes = [];
for (const [, attrs, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
  if (/\bsrc\s*=/i.test(attrs)) continue;
  hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
}
if (hashes.length !== 1) fail(`expected exactly one inline script (trunk's loader), found ${hashes.length}`);
// Anything else inline would be blocked by this policy: refuse to ship it.
if (/<style\b/i.test(html) || /\sstyle\s*=/i.test(html)) fail('inline style in index.html');
if (/\son[a-z]+\s*=/i.test(html)) fail('inline event handler in index.html');

// The session APIs the deployment names (see the top of this file).
function connectSources() {
  // Free-form: any https:// server, and http:// only on this machine — the
  // rule the Connect screen applies to Server URL, but for [::1]: a CSP
  // source cannot name an IPv6 address (Chromium drops `http://[::1]:*`).
  const anyServer = ['https:', 'http://localhost:*', 'http://127.0.0.1:*'];
  const configPath = join(dist, 'config.json');
  if (!existsSync(configPath)) return ["'self'", ...anyServer];
  let config;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    fail(`config.json is not valid JSON: ${e.message}`);
  }
  const origins = new Set();
  const add = (url) => {
    if (typeof url !== 'string' || url.trim() === '') return; // '' = this origin
    let u;
    try {
      u = new URL(url.trim());
    } catch {
      fail(`config.json: "${url}" is not a URL`);
    }
    if (u.protocol !== 'https:' && !['localhost', '127.0.0.1'].includes(u.hostname)) {
      fail(`config.json: ${url} — only https:// servers (http:// only on this machine)`);
    }
    origins.add(u.origin);
  };
  for (const p of Array.isArray(config.presets) ? config.presets : []) {
    add(p?.serverUrl);
    for (const s of Array.isArray(p?.servers) ? p.servers : []) add(s?.serverUrl);
  }
  return ["'self'", ...[...origins].sort(), ...(config.allowAnyServer === true ? anyServer : [])];
}

const directives = [
  "default-src 'none'",
  // The loader by hash; the app's own files; compiling its WebAssembly.
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`,
  "style-src 'self'",
  "img-src 'self'",
  `connect-src ${connectSources().join(' ')}`,
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
];
const policy = directives.join('; ');
const metaPolicy = directives.filter((d) => !d.startsWith('frame-ancestors')).join('; ');

writeFileSync(join(dist, 'csp.txt'), `${policy}\n`);

// Drop an earlier run's meta (re-running is harmless), then add it right
// after the charset (the minified page has no <head> tag), before any script.
const cleaned = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/i, '');
const withMeta = cleaned.replace(/<meta charset[^>]*>/i, (m) => `${m}<meta http-equiv="Content-Security-Policy" content="${metaPolicy}">`);
if (withMeta === cleaned) fail('no <meta charset> in index.html');
writeFileSync(indexPath, withMeta);

// Hashed assets never change: cache them for good. index.html, config.json
// and csp.txt must be fetched fresh, or a deploy keeps serving old names.
const hashed = readdirSync(dist).filter((f) => /-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/.test(f));
if (!hashed.some((f) => f.endsWith('.wasm'))) fail('no hashed .wasm in dist');
const security = [
  `  Content-Security-Policy: ${policy}`,
  '  X-Content-Type-Options: nosniff',
  '  Referrer-Policy: no-referrer',
];
const headers = [
  '/*', ...security,
  '/', '  Cache-Control: no-cache',
  '/index.html', '  Cache-Control: no-cache',
  '/config.json', '  Cache-Control: no-cache',
  ...hashed.flatMap((f) => [`/${f}`, '  Cache-Control: public, max-age=31536000, immutable']),
];
writeFileSync(join(dist, '_headers'), `${headers.join('\n')}\n`);
console.log(`[csp] ${policy}`);
