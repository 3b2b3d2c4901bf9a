// The shopper's journey in real Chromium, with JavaScript and without:
// home -> collection -> product -> change the variant -> Arabic (rtl) -> yen.
//
// Starts its own store (TRADEWIND_BIN, fresh data dir, free port) and drives
// /usr/bin/chromium through playwright-core from the tools cache (scripts/setup.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startStore, stopStore } from './support.mjs';

let server;
let browser;
let base;
const dataDir = mkdtempSync(join(tmpdir(), 'tradewind-e2e-'));

before(async () => {
  ({ base, server } = await startStore({
    bin: process.env.TRADEWIND_BIN,
    env: { ...process.env, TRADEWIND_DATA_DIR: dataDir },
  }));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopStore(server);
  rmSync(dataDir, { recursive: true, force: true });
});

async function journey(javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled, locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await page.goto(`${base}/`);
  assert.match(page.url(), /\/en$/, 'the bare domain picks the browser language');
  await page.getByRole('navigation', { name: 'Collections' }).getByRole('link', { name: 'Tea time' }).click();
  await page.waitForURL(/\/en\/collections\/tea-time$/);
  await page.getByRole('link', { name: /Lotus Teapot/ }).click();
  await page.waitForURL(/\/en\/products\/lotus-teapot$/);
  assert.equal(await page.locator('h1').textContent(), 'Lotus Teapot');
  assert.equal(await page.locator('.stock').textContent(), 'Only 5 left');
  assert.equal(await page.locator('.price .amount').textContent(), '$47.99');
  const firstImage = await page.locator('.gallery img').getAttribute('src');

  const button = page.getByRole('button', { name: 'Show this option' });
  if (javaScriptEnabled) {
    // Hydrated: the no-JS button hides itself and a change updates the page in place.
    await button.waitFor({ state: 'hidden', timeout: 30_000 });
    const url = page.url();
    await page.getByLabel('Colour').selectOption({ label: 'Ink black' });
    await page.locator('.stock', { hasText: 'Sold out' }).waitFor();
    assert.equal(page.url(), url, 'no navigation when hydrated');
  } else {
    await page.getByLabel('Colour').selectOption({ label: 'Ink black' });
    await button.click();
    await page.waitForURL(/\?o1=\d+$/);
    assert.equal(await page.locator('.stock').textContent(), 'Sold out');
  }
  assert.match(await page.locator('.sku').textContent(), /TW-LOTUS-TEAPOT-INK/);
  assert.notEqual(await page.locator('.gallery img').getAttribute('src'), firstImage, 'the picture follows the colour');

  // Arabic, right to left, the same product under its Arabic URL.
  await page.locator('.locale-switcher summary').click();
  await page.getByRole('link', { name: 'العربية' }).click();
  await page.waitForURL(/\/ar\/products\//);
  assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
  assert.equal(await page.locator('html').getAttribute('lang'), 'ar');
  assert.equal(await page.locator('h1').textContent(), 'إبريق شاي اللوتس');
  assert.match(await page.locator('.price .amount').textContent(), /د\.إ/, 'Arabic shoppers see dirhams');

  // Switch the market to Japan: prices in yen, back on the same page.
  const arUrl = page.url();
  await page.getByLabel('البلد أو المنطقة').selectOption('JP');
  await page.getByRole('button', { name: 'تحديث' }).click();
  await page.waitForURL(arUrl);
  assert.match(await page.locator('.price .amount').textContent(), /7,200/);
  assert.match(await page.locator('.price .amount').textContent(), /¥/);

  assert.deepEqual(errors, [], 'no console or page errors');
  await context.close();
}

test('journey with JavaScript (islands hydrated)', async () => {
  await journey(true);
});

test('journey without JavaScript (plain forms)', async () => {
  await journey(false);
});

async function searchJourney(javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${base}/en`);
  // The header's box, on every page.
  await page.locator('#site-search-q').fill('teapto');
  await page.locator('.site-search').getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/\/en\/search\?q=teapto$/);
  assert.equal(await page.locator('h1').textContent(), 'Results for “teapto”');
  assert.match(await page.locator('.count').textContent(), /^5 products found$/, 'one typo is forgiven');
  assert.equal(await page.locator('.result-title mark').first().textContent(), 'Teapot');
  // A facet is a plain link: narrow to one colour, then clear it again.
  await page.getByRole('link', { name: /Ink black \(\d+\)/ }).click();
  await page.waitForURL(/option=colour%3Dink\+black/);
  const narrowed = await page.locator('.result').count();
  assert.ok(narrowed > 0 && narrowed < 5, `ink black narrows the teapots (${narrowed})`);
  await page.getByRole('link', { name: /Ink black/ }).click();
  await page.waitForURL((url) => !url.search.includes('option='));
  assert.equal(await page.locator('.result').count(), 5);
  // Japanese, in the Japanese store.
  await page.goto(`${base}/ja/search?q=${encodeURIComponent('ティーポット')}`);
  assert.match(await page.locator('.count').textContent(), /5 件/);
  await context.close();
}

test('search without JavaScript: header box, typo, facet on and off', async () => {
  await searchJourney(false);
});

test('search with JavaScript', async () => {
  await searchJourney(true);
});

test('suggestions as you type: keyboard picks a product', async () => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/en/collections/tea-time`);
  const box = page.locator('.site-search').getByRole('combobox', { name: 'Search the store' });
  await box.click(); // the first focus loads the island
  await box.pressSequentially('lotus tea', { delay: 60 });
  const list = page.getByRole('listbox');
  await list.getByRole('option').first().waitFor();
  assert.ok((await list.getByRole('option').count()) <= 10);
  assert.match(await list.getByRole('option').first().textContent(), /Lotus Teapot/);
  await box.press('ArrowDown');
  assert.equal(await box.getAttribute('aria-activedescendant'), 'suggestion-0');
  await box.press('Enter');
  await page.waitForURL(/\/en\/products\/lotus-teapot$/);
  // Collections are suggested too, in the shopper's language.
  await page.goto(`${base}/de`);
  const de = page.locator('.site-search').getByRole('combobox');
  await de.click();
  await de.pressSequentially('teez', { delay: 60 });
  await page.getByRole('option', { name: /Teezeit/ }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
