// The deployment's own policy: connect-src is built from the servers its
// config.json names (`node .ci/csp.mjs dist`), with `https:` only when it asks
// for free-form servers. No browser needed: the policy is a file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST, root } from './helpers.mjs';

/** Runs csp.mjs on a copy of the release build with `config` (or none). */
function policyFor(config) {
  const dir = mkdtempSync(join(tmpdir(), 'sessiondeck-csp-'));
  try {
    cpSync(DIST, dir, { recursive: true });
    rmSync(join(dir, 'config.json'), { force: true });
    if (config !== undefined) writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    const run = spawnSync('node', [join(root, '.ci', 'csp.mjs'), dir], { encoding: 'utf8' });
    if (run.status !== 0) return { error: run.stderr };
    const csp = readFileSync(join(dir, 'csp.txt'), 'utf8').trim();
    const meta = readFileSync(join(dir, 'index.html'), 'utf8').match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)[1];
    const headers = readFileSync(join(dir, '_headers'), 'utf8');
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src '));
    return { csp, meta, headers, connect };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('connect-src names exactly the servers config.json lists', () => {
  const p = policyFor({
    presets: [
      { name: 'Chat', backend: 'rocketchat', serverUrl: 'https://chat.example.com/' },
      { name: 'Here', backend: 'rocketchat', serverUrl: '' },
      { name: 'Incident', servers: [
        { backend: 'docspace', serverUrl: 'https://docs.example.com:8443/portal' },
        { backend: 'henshin', serverUrl: 'https://chat.example.com' },
      ] },
    ],
  });
  assert.equal(p.connect, "connect-src 'self' https://chat.example.com https://docs.example.com:8443");
  assert.ok(p.meta.includes(p.connect), 'the <meta> says the same');
  assert.ok(p.headers.includes(p.connect), '_headers says the same');
});

test('https: (and this machine) only when the deployment asks for free-form servers', () => {
  const p = policyFor({ allowAnyServer: true, presets: [{ name: 'Chat', backend: 'rocketchat', serverUrl: 'https://chat.example.com' }] });
  assert.equal(p.connect, "connect-src 'self' https://chat.example.com https: http://localhost:* http://127.0.0.1:*");
  // No config.json: the admin types any server.
  assert.equal(policyFor(undefined).connect, "connect-src 'self' https: http://localhost:* http://127.0.0.1:*");
});

test('a config.json that would weaken the policy stops the build', () => {
  assert.match(policyFor('{ not json').error, /config\.json is not valid JSON/);
  assert.match(policyFor({ presets: [{ serverUrl: 'http://chat.example.com' }] }).error, /only https:\/\/ servers/);
  assert.match(policyFor({ presets: [{ serverUrl: 'chat.example.com; script-src *' }] }).error, /is not a URL/);
});

test('the build in dist/ is the free-form policy (no config.json there)', () => {
  const csp = readFileSync(join(DIST, 'csp.txt'), 'utf8');
  assert.match(csp, /connect-src 'self' https: http:\/\/localhost:\* http:\/\/127\.0\.0\.1:\*;/);
  assert.doesNotThrow(() => execFileSync('node', ['--check', join(root, '.ci', 'csp.mjs')]));
});
