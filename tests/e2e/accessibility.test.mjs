// Accessibility checked by a machine: axe-core scans of every screen and
// dialog — Connect, Sessions, Session details, Two-factor, Everywhere,
// Activity — in light and dark, under the release build's CSP. Serious and
// critical violations fail the test (with what and where).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import {
  browserForFile, signInWithToken, answerPassword, DOCSPACE,
} from './helpers.mjs';

const { withServer } = browserForFile();

/** Scans the page as it is now; returns the serious and critical findings, worded. */
async function scan(page, what) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${what}: ${v.id} (${v.impact}) — ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

for (const scheme of ['light', 'dark']) {
  test(`axe: no serious or critical violations on any screen, ${scheme}`, async () => {
    await withServer([], async (server, page) => {
      await page.emulateMedia({ colorScheme: scheme });
      const found = [];
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Connect' }).waitFor();
      found.push(...await scan(page, 'Connect'));
      // The scanner itself can fail: a planted nameless button is found.
      await page.evaluate(() => { const b = document.createElement('button'); b.id = 'planted'; document.body.append(b); });
      assert.match((await scan(page, 'planted')).join('\n'), /button-name \(critical\)/);
      await page.evaluate(() => document.getElementById('planted').remove());

      await signInWithToken(page, server.url);
      await page.getByRole('dialog', { name: /Two-factor/ }).getByLabel('Password').waitFor();
      found.push(...await scan(page, 'Two-factor dialog'));
      await answerPassword(page);
      await page.getByText('1–25 of 240').waitFor();
      found.push(...await scan(page, 'Sessions'));

      await page.getByRole('button', { name: /^Details of session/ }).first().click();
      const details = page.getByRole('dialog', { name: /Session details/ });
      await details.getByRole('button', { name: 'Close' }).waitFor();
      found.push(...await scan(page, 'Session details'));
      await details.getByRole('button', { name: 'Close' }).click();

      await page.getByText('Revoke by criteria').click();
      await page.getByLabel('IP or subnet').fill('10.0.0.0/8');
      found.push(...await scan(page, 'Sessions with criteria'));

      const tabs = page.getByRole('navigation', { name: 'Servers' });
      await tabs.getByRole('button', { name: 'Add server' }).click();
      await page.getByLabel('Backend').selectOption('docspace');
      await page.getByLabel('API key', { exact: true }).fill(DOCSPACE.key);
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.getByText('Signed in as').getByText('Dora Admin').waitFor();

      await tabs.getByRole('button', { name: 'Everywhere' }).click();
      await page.getByRole('searchbox', { name: 'Person' }).fill('grace');
      await page.getByRole('region', { name: 'People found' }).getByRole('checkbox').first().check();
      await page.getByRole('region', { name: 'Preview' }).waitFor();
      found.push(...await scan(page, 'Everywhere'));

      // Activity with a record in it.
      await tabs.getByRole('button', { name: /^DocSpace/ }).click();
      await page.locator('.server-view:not([hidden])').getByRole('button', { name: /^Revoke session/ }).first().click();
      await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke 1 session' }).waitFor();
      found.push(...await scan(page, 'Confirmation'));
      await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke 1 session' }).click();
      await tabs.getByRole('button', { name: 'Activity' }).click();
      await page.getByRole('table').locator('tbody tr').first().waitFor();
      found.push(...await scan(page, 'Activity'));

      assert.deepEqual(found, [], found.join('\n'));
    });
  });
}
