// The binary alone serves a working store: copied by itself into an empty directory, with no
// site dir anywhere, it serves product pages whose variant picker hydrates from the browser
// bundle built into it (the server's `embed-site` feature, which scripts/test.sh turns on).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const require = createRequire(join(process.env.TRADEWIND_NODE, 'package.json'));
const { chromium } = require('playwright-core');

const alone = mkdtempSync(join(tmpdir(), 'tradewind-one-file-'));
let server;
let browser;
let base;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  const bin = join(alone, 'tradewind');
  copyFileSync(process.env.TRADEWIND_BIN, bin);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, RUST_LOG: 'warn' };
  delete env.TRADEWIND_SITE_DIR;
  delete env.TRADEWIND_DATA_DIR;
  server = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--public-url', base, '--metrics-listen', 'off'], {
    cwd: alone,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const until = Date.now() + 180_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    if (Date.now() > until) throw new Error('the lone binary did not start');
    await new Promise((r) => setTimeout(r, 250));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
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
