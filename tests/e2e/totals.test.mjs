// Honest totals: a server that lists more sessions than the panel's limit.
// The panel loads up to the limit and says exactly that — never that "the
// list changed" — and every count (the header, a filter, the criteria
// preview, Everywhere) says it is of the sessions loaded; raising the limit
// loads more, and a limit above the list loads all of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserForFile, signInWithToken, answerPassword } from './helpers.mjs';

const { withServer } = browserForFile();

test('a server over the limit: "Loaded 200 sessions of 450", every count "of the 200 loaded", then raised until all are in', async () => {
  await withServer(['--sessions', '450'], async (server, page) => {
    await page.goto(server.url);
    await page.evaluate(() => localStorage.setItem('sessiondeck.max-sessions', '200'));
    await signInWithToken(page, server.url);
    await answerPassword(page);
    const notice = page.getByRole('status').filter({ hasText: "the panel's limit of" });
    await notice.getByText("Loaded 200 sessions of 450: the panel's limit of 200 sessions per server.").waitFor();
    await notice.getByText('The rest are not shown, searched, swept by criteria or included under Everywhere.').waitFor();
    const summary = page.locator('.server-view:not([hidden]) .summary');
    await summary.getByText("200 sessions loaded of 450 active on the server — the panel's limit").waitFor();
    await page.getByText('1–25 of 200').waitFor();
    assert.equal(await page.getByText('The list changed while loading').count(), 0, 'the list did not change');

    // A filter's count and the criteria preview: of the 200 loaded.
    await page.getByRole('searchbox', { name: 'Filter' }).fill('Firefox');
    await summary.getByText(/^\d+ shown of the 200 loaded \(450 on the server\)/).waitFor();
    await page.getByText('Revoke by criteria').click();
    await page.getByRole('status').filter({ hasText: /^\d+ sessions? of the 200 loaded \(450 on the server\) match(es)? the filter and criteria\.$/ }).waitFor();

    // Everywhere: the server's part and the page's summary say so too.
    await page.getByRole('navigation', { name: 'Servers' }).getByRole('button', { name: 'Everywhere' }).click();
    await page.locator('.everywhere-page .summary').getByText("only 200 of 450 loaded (the panel's limit)").waitFor();
    await page.getByRole('searchbox', { name: 'Person' }).fill('Chrome');
    await page.locator('.sweep-servers').getByText(/sessions? of the 200 loaded \(450 on the server\)/).waitFor();

    // Raised: 400, still short and said so; then past the list: all of it.
    await page.getByRole('navigation', { name: 'Servers' }).getByRole('button', { name: /^Rocket\.Chat/ }).click();
    await page.getByRole('button', { name: 'Raise the limit to 400 and reload' }).click();
    await notice.getByText("Loaded 400 sessions of 450: the panel's limit of 400 sessions per server.").waitFor();
    await page.getByRole('button', { name: 'Raise the limit to 800 and reload' }).click();
    await page.getByRole('searchbox', { name: 'Filter' }).fill('');
    await summary.getByText(/^450 sessions active/).waitFor();
    assert.equal(await notice.count(), 0, 'no limit notice once everything is loaded');
    assert.equal(await page.evaluate(() => localStorage.getItem('sessiondeck.max-sessions')), '800');
  });
});
