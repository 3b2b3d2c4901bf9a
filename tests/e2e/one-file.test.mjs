// The binary alone serves a working store: copied by itself into an empty directory, with no
// site dir anywhere, it serves product pages whose variant picker hydrates from the browser
// bundle built into it (the server's `embed-site` feature, which scripts/test.sh turns on).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startStore, stopStore } from './support.mjs';

const alone = mkdtempSync(join(tmpdir(), 'tradewind-one-file-'));
let server;
let browser;
let base;

before(async () => {
  const bin = join(alone, 'tradewind');
  copyFileSync(process.env.TRADEWIND_BIN, bin);
  const env = { ...process.env };
  delete env.TRADEWIND_SITE_DIR;
  delete env.TRADEWIND_DATA_DIR;
  ({ base, server } = await startStore({ bin, env, cwd: alone, args: ['--metrics-listen', 'off'] }));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopStore(server);
  rmSync(alone, { recursive: true, force: true });
});

test('the binary alone serves a store whose islands work', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${base}/en/products/lotus-teapot`);
  // Hydrated from the embedded bundle: the no-JS button hides itself, a change updates in place.
  await page.getByRole('button', { name: 'Show this option' }).waitFor({ state: 'hidden', timeout: 30_000 });
  const url = page.url();
  await page.getByLabel('Colour').selectOption({ label: 'Ink black' });
  await page.locator('.stock', { hasText: 'Sold out' }).waitFor();
  assert.equal(page.url(), url, 'no navigation when hydrated');
  assert.deepEqual(errors, [], 'no console or page errors');
  await page.close();
});
