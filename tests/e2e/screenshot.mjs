// Takes screenshots of the panel against the reference server:
//   node tests/e2e/screenshot.mjs [out-dir]   (after bash .ci/build; default tests/e2e/screenshots)
import {
  startServer, launch, newPage, signInWithToken, answerPassword, signInWithBearer, DOCSPACE, HENSHIN, SELF,
} from './helpers.mjs';

const out = process.argv[2] || 'tests/e2e/screenshots';
const server = await startServer();
const { browser, close } = await launch();
try {
  for (const [name, width, scheme] of [['wide', 1280, 'light'], ['narrow', 360, 'dark'], ['phone', 390, 'light']]) {
    const page = await newPage(browser, { viewport: { width, height: name === 'phone' ? 844 : 860 }, colorScheme: scheme });
    await page.goto(server.url);
    await page.screenshot({ path: `${out}/connect-${name}.png` });
    await signInWithToken(page, server.url);
    // The server remembers a passed check per token and browser: ask only if asked.
    const tfa = page.getByRole('dialog', { name: /Two-factor/ });
    const first = page.getByRole('button', { name: /^Revoke session/ }).first();
    await tfa.or(first).first().waitFor();
    if (await tfa.isVisible()) await answerPassword(page);
    await page.getByRole('table').waitFor();
    await page.getByRole('button', { name: /^Revoke session/ }).first().waitFor();
    await page.screenshot({ path: `${out}/sessions-${name}.png`, fullPage: name === 'wide' });
    await page.getByRole('button', { name: /^Details of session/ }).first().click();
    await page.getByRole('dialog', { name: /Session details/ }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${out}/details-${name}.png` });
    if (page.errors.length) console.error(page.errors);
  }
  for (const [backend, label, token] of [
    ['docspace', 'API key', DOCSPACE.key], ['henshin', 'Token', HENSHIN.token], ['selfservice', 'Access token', SELF.jwt],
  ]) {
    const page = await newPage(browser, { viewport: { width: 1280, height: 860 } });
    await signInWithBearer(page, server.url, backend, label, token);
    await page.getByRole('button', { name: /^Revoke session/ }).first().waitFor();
    await page.screenshot({ path: `${out}/sessions-${backend}.png` });
  }
  // Several servers: the combined Everywhere view of one person, then the
  // Activity record of ending her sessions (last: it changes the data).
  for (const [name, width, scheme] of [['narrow', 360, 'dark'], ['phone', 390, 'light'], ['wide', 1280, 'light']]) {
    const page = await newPage(browser, { viewport: { width, height: name === 'phone' ? 844 : 900 }, colorScheme: scheme });
    await signInWithToken(page, server.url);
    const tfa = page.getByRole('dialog', { name: /Two-factor/ });
    const first = page.getByRole('button', { name: /^Revoke session/ }).first();
    await tfa.or(first).first().waitFor();
    if (await tfa.isVisible()) await answerPassword(page);
    const tabs = page.getByRole('navigation', { name: 'Servers' });
    for (const [backend, label, token] of [['docspace', 'API key', DOCSPACE.key], ['henshin', 'Token', HENSHIN.token]]) {
      await tabs.getByRole('button', { name: 'Add server' }).click();
      await page.getByLabel('Backend').selectOption(backend);
      await page.getByLabel(label, { exact: true }).fill(token);
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.locator('.server-view:not([hidden])').getByRole('button', { name: /^Revoke session/ }).first().waitFor();
    }
    await tabs.getByRole('button', { name: 'Everywhere' }).click();
    await page.getByRole('searchbox', { name: 'Person' }).fill('grace');
    await page.getByRole('checkbox', { name: /^Grace Kim \(grace\.kim\) on DocSpace/ }).waitFor();
    for (const box of await page.getByRole('checkbox', { name: /^(Grace Kim|grace\.kim)\b/ }).all()) await box.check();
    await page.getByRole('region', { name: 'Preview' }).waitFor();
    await page.waitForTimeout(200);
    await page.screenshot({ path: `${out}/everywhere-${name}.png`, fullPage: name === 'wide' });
    if (name === 'wide') {
      await page.getByRole('button', { name: /^Revoke everything of/ }).click();
      await page.getByRole('alertdialog').getByRole('button', { name: /^Revoke \d+ sessions?$/ }).click();
      await page.getByRole('region', { name: /^Report for Henshin/ }).getByText(/^Revoked/).waitFor();
      await tabs.getByRole('button', { name: 'Activity' }).click();
      await page.getByRole('table').waitFor();
      await page.screenshot({ path: `${out}/activity-${name}.png` });
    }
    if (page.errors.length) console.error(page.errors);
  }
} finally {
  await close();
  await server.stop();
}
