// Takes screenshots of the panel against the reference server:
//   node tests/e2e/screenshot.mjs [out-dir]   (after bash .ci/build; default tests/e2e/screenshots)
import {
  startServer, launch, newPage, signInWithToken, answerPassword, signInWithBearer, DOCSPACE, HENSHIN, SELF,
} from './helpers.mjs';

const out = process.argv[2] || 'tests/e2e/screenshots';
const server = await startServer();
const { browser, close } = await launch();
try {
  for (const [name, width, scheme] of [['wide', 1280, 'light'], ['narrow', 360, 'dark']]) {
    const page = await newPage(browser, { viewport: { width, height: 860 }, colorScheme: scheme });
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
} finally {
  await close();
  await server.stop();
}
