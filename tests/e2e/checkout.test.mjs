// Guest checkout in real Chromium, with JavaScript and without: product -> cart -> checkout
// form -> review -> place order -> status page, and the confirmation email received by a
// real SMTP server (scripts/smtp-sink.py, PyPI aiosmtpd). Cards are paid through localstripe
// (scripts/stripe-peer.py, PyPI), whose Stripe.js the order page loads and whose webhooks
// reach the store signed; PayPal through Prism mocking PayPal's own API files
// (scripts/paypal-peer.mjs, npm), whose approval page the shopper is sent to and back from.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { launchBrowser, startStore, stopStore } from './support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'tradewind-checkout-'));
const mailDir = join(dataDir, 'mail');
let server;
let sink;
let stripe;
let paypal;
let paypalBase;
let browser;
let base;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A test peer (scripts/<script> PORT ...: python3 for PyPI's, node for npm's), once it
// listens on `port`.
async function startPeer(script, port, args = []) {
  const node = script.endsWith('.mjs');
  const child = spawn(node ? process.execPath : 'python3', [join(root, 'scripts', script), String(port), ...args], {
    env: {
      ...process.env,
      PYTHONPATH: process.env.TRADEWIND_PYTHON || join(homedir(), '.cache/tradewind/python'),
      TRADEWIND_NODE: process.env.TRADEWIND_NODE || join(homedir(), '.cache/tradewind/node'),
    },
    // The node peer stops when its input closes.
    stdio: [node ? 'pipe' : 'ignore', 'ignore', 'inherit'],
  });
  // Prism reads PayPal's large files before it listens.
  for (let i = 0; i < 600; i++) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${script} did not start (scripts/setup.sh --browser installs it)`);
}

const webhookSecret = 'whsec_tradewind_e2e';
let stripeBase;

before(async () => {
  const smtpPort = await freePort();
  sink = await startPeer('smtp-sink.py', smtpPort, [mailDir]);
  const stripePort = await freePort();
  stripe = await startPeer('stripe-peer.py', stripePort);
  stripeBase = `http://127.0.0.1:${stripePort}/`;
  const paypalPort = await freePort();
  paypal = await startPeer('paypal-peer.mjs', paypalPort, ['tradewind-e2e-client', 'tradewind-e2e-secret', 'WH7TRADEWINDE2E']);
  paypalBase = `http://127.0.0.1:${paypalPort}`;
  ({ base, server } = await startStore({
    bin: process.env.TRADEWIND_BIN,
    env: {
      ...process.env,
      TRADEWIND_DATA_DIR: dataDir,
      TRADEWIND_SMTP_HOST: '127.0.0.1',
      TRADEWIND_SMTP_PORT: String(smtpPort),
      TRADEWIND_SMTP_TLS: 'none',
      TRADEWIND_STRIPE_SECRET_KEY: 'sk_test_tradewind',
      TRADEWIND_STRIPE_PUBLISHABLE_KEY: 'pk_test_tradewind',
      TRADEWIND_STRIPE_WEBHOOK_SECRET: webhookSecret,
      TRADEWIND_STRIPE_API_BASE: stripeBase,
      TRADEWIND_STRIPE_JS_URL: `${stripeBase}js.stripe.com/v3/`,
      TRADEWIND_PAYPAL_CLIENT_ID: 'tradewind-e2e-client',
      TRADEWIND_PAYPAL_CLIENT_SECRET: 'tradewind-e2e-secret',
      TRADEWIND_PAYPAL_WEBHOOK_ID: 'WH7TRADEWINDE2E',
      TRADEWIND_PAYPAL_API_BASE: paypalBase,
    },
  }));
  // localstripe signs and delivers its events to the store, as Stripe would.
  const hook = await fetch(`${stripeBase}_config/webhooks/store`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${base}/webhooks/stripe`, secret: webhookSecret }),
  });
  assert.ok(hook.ok, 'the webhook is registered with localstripe');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopStore(server);
  sink?.kill();
  stripe?.kill();
  paypal?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

// The decoded email sent to `to` (the `nth`, from 0), once the store's outbox job has sent it.
async function mailTo(to, nth = 0) {
  for (let i = 0; i < 150; i++) {
    let files = [];
    try {
      files = readdirSync(mailDir).filter((f) => f.endsWith('.json')).sort();
    } catch {}
    const found = files
      .map((f) => JSON.parse(readFileSync(join(mailDir, f), 'utf8')))
      .filter((m) => m.to.includes(to));
    if (found.length > nth) return found[nth];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email ${nth + 1} to ${to}`);
}

// Pays on the order page with localstripe's card field; `secure`: the bank asks for 3-D
// Secure and the shopper confirms in its dialog. The page reloads, paid.
async function payByCard(page, number, secure) {
  const field = (name) => page.locator(`#card-element input[placeholder="${name}"]`);
  await field('number').waitFor({ timeout: 30_000 });
  await field('number').fill(number);
  await field('exp_month').fill('12');
  await field('exp_year').fill('34');
  await field('cvc').fill('123');
  await field('postal_code').fill('10115');
  const pay = page.locator('.card-pay button[type="submit"]');
  await pay.click();
  if (secure) await page.getByRole('button', { name: 'Complete authentication' }).click();
  await page.locator('.card-payment').waitFor({ state: 'detached', timeout: 30_000 });
}

// The slip on the order page is emailed; then the shopper pays it at the till (the peer says
// so, and Stripe's webhook tells the store), and the page shows the order paid.
async function payVoucher(page, email, paidAs) {
  const reference = (await page.locator('.voucher-reference').textContent()).trim();
  const intent = (await page.locator('.voucher a.button').getAttribute('href')).split('/').pop();
  let slip;
  for (let nth = 0; !slip?.text.includes(reference); nth++) slip = await mailTo(email, nth);
  assert.ok(slip.text.includes(reference), 'the slip is emailed');
  const till = await fetch(`${stripeBase}__voucher/${intent}/paid`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk_test_tradewind' },
  });
  assert.ok(till.ok, await till.text());
  for (let i = 0; i < 50; i++) {
    await page.reload();
    if (paidAs.test(await page.locator('main strong').first().textContent())) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function checkout({ javaScriptEnabled, language, address, payment, card, paypal: viaPaypal, voucher, expect, product = 'lotus-teapot', quantity }) {
  const context = await browser.newContext({ javaScriptEnabled, locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(`${base}/en/products/${product}`);
  if (language) {
    await page.locator('.locale-switcher summary').click();
    await page.getByRole('link', { name: language }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/en/'));
  }
  const lang = await page.locator('html').getAttribute('lang');
  if (quantity) await page.locator('#buy-quantity').fill(String(quantity));
  await page.locator('.buy-form button[type="submit"]').click();
  if (javaScriptEnabled) {
    // Hydrated, the product page stays: the header counts the cart, a status line confirms.
    await page.locator('.cart-link', { hasText: String(quantity || 1) }).waitFor({ timeout: 30_000 });
    assert.ok((await page.locator('.buy-status').textContent()).length > 0);
    await page.locator('.cart-link').click();
  }
  await page.waitForURL(new RegExp(`/${lang}/cart`));
  assert.equal(await page.locator('.cart-lines tbody tr').count(), 1);
  await page.locator('.cart-actions a.button').click();
  await page.waitForURL(new RegExp(`/${lang}/checkout$`));

  // First without a postcode where one is needed: the form comes back, input kept.
  for (const [field, value] of Object.entries(address)) {
    if (field === 'country') {
      await page.locator('#field-country').selectOption(value);
    } else if (field !== 'postcode') {
      await page.locator(`#field-${field}`).fill(value);
    }
  }
  if (!javaScriptEnabled) {
    // Cards need the page's JavaScript: without it the choice is not offered, and the page
    // says why.
    assert.ok(!(await page.locator('#pay-card').isVisible()), 'no card payment without JavaScript');
  }
  if (payment) await page.locator(`#pay-${payment}`).check();
  if (address.postcode) {
    await page.locator('.checkout-form button[type="submit"]').click();
    await page.waitForURL(new RegExp(`/${lang}/checkout$`));
    await page.locator('.error-summary').waitFor();
    assert.equal(await page.locator('#field-email').inputValue(), address.email, 'what was typed is kept');
    await page.locator('#field-postcode').fill(address.postcode);
  }
  await page.locator('.checkout-form button[type="submit"]').click();
  await page.waitForURL(new RegExp(`/${lang}/checkout/review$`));
  const totals = await page.locator('.totals').textContent();
  assert.match(totals, expect.total, 'the review itemizes the money');
  await page.locator('form[action$="/checkout/place"] button').click();
  if (viaPaypal) {
    // Placing the order goes on to PayPal (the CSP lets the form's redirect go there), where
    // the shopper approves and is sent back.
    await page.waitForURL((url) => url.href.startsWith(`${paypalBase}/checkoutnow`));
    await page.getByRole('button', { name: 'Pay now' }).click();
  }
  await page.waitForURL(new RegExp(`/${lang}/orders/`));
  const heading = await page.locator('h1').textContent();
  const number = heading.match(/TW-\d+/)?.[0];
  assert.ok(number, `the order number is shown: ${heading}`);
  const mail = await mailTo(address.email);
  assert.ok(mail.subject.includes(number), mail.subject);
  assert.ok(mail.text.includes(page.url()), 'the email links to the status page');
  assert.match(mail.text, expect.total);
  if (card) await payByCard(page, card.number, card.secure);
  if (voucher) await payVoucher(page, address.email, voucher.paid);
  const paidAs = card?.paid ?? viaPaypal?.paid ?? voucher?.paid;
  if (paidAs) {
    assert.match(await page.locator('main strong').first().textContent(), paidAs);
    // The "payment received" email, once: whether the shopper's return or the provider's
    // webhook told the store first (after the slip's own email for a voucher).
    const paid = await mailTo(address.email, voucher ? 2 : 1);
    assert.ok(paid.subject.includes(number), paid.subject);
    assert.notEqual(paid.subject, mail.subject);
  }
  if (lang === 'ar') assert.match(mail.html, /dir="rtl"/);
  assert.deepEqual(errors, [], 'no page errors');
  await context.close();
}

const berlin = (email) => ({
  email,
  name: 'Max Müller',
  line1: 'Hauptstraße 1',
  city: 'Berlin',
  country: 'DE',
  phone: '030 1234567',
  postcode: '10115',
});

test('de/EUR to Germany by bank transfer, without JavaScript', async () => {
  await checkout({
    javaScriptEnabled: false,
    language: 'Deutsch',
    address: berlin('max.nojs@example.de'),
    expect: { total: /MwSt\./ },
  });
});

test('de/EUR to Germany by bank transfer, with JavaScript', async () => {
  await checkout({
    javaScriptEnabled: true,
    language: 'Deutsch',
    address: berlin('max.js@example.de'),
    expect: { total: /MwSt\./ },
  });
});

test('de/EUR to Germany by card', async () => {
  await checkout({
    javaScriptEnabled: true,
    language: 'Deutsch',
    address: berlin('max.card@example.de'),
    payment: 'card',
    card: { number: '4242424242424242', paid: /Bezahlt/ },
    expect: { total: /MwSt\./ },
  });
});

test('de/EUR to Germany with PayPal, without JavaScript', async () => {
  await checkout({
    javaScriptEnabled: false,
    language: 'Deutsch',
    address: berlin('max.paypal@example.de'),
    payment: 'paypal',
    paypal: { paid: /Bezahlt/ },
    expect: { total: /MwSt\./ },
  });
});

test('es/MXN to Mexico by OXXO, without JavaScript: the slip, then paid at the till', async () => {
  await checkout({
    javaScriptEnabled: false,
    language: 'Español',
    address: {
      email: 'ana@example.mx',
      name: 'Ana López',
      line1: 'Av. Paseo de la Reforma 222',
      city: 'Ciudad de México',
      region: 'CDMX',
      country: 'MX',
      phone: '55 1234 5678',
      postcode: '06600',
    },
    payment: 'oxxo',
    voucher: { paid: /Pagado/ },
    expect: { total: /\$/ },
  });
});

test('ja/JPY to Japan by card with 3-D Secure', async () => {
  await checkout({
    javaScriptEnabled: true,
    language: '日本語',
    payment: 'card',
    card: { number: '4000002760003184', secure: true, paid: /支払い済み|お支払い済み/ },
    address: {
      email: 'mai@example.jp',
      name: '山田 舞',
      line1: '丸の内1-1',
      city: '千代田区',
      region: '東京都',
      country: 'JP',
      phone: '090-1234-5678',
      postcode: '100-0005',
    },
    expect: { total: /￥|¥/ },
  });
});

test('en/USD to California, sales tax added', async () => {
  await checkout({
    javaScriptEnabled: true,
    address: {
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      line1: '1 Market St',
      city: 'San Francisco',
      region: 'CA',
      country: 'US',
      phone: '(415) 555-0100',
      postcode: '94103',
    },
    expect: { total: /Tax 7\.25%/ },
  });
});

test('en/USD to California with PayPal, without JavaScript', async () => {
  await checkout({
    javaScriptEnabled: false,
    address: {
      email: 'grace.paypal@example.com',
      name: 'Grace Hopper',
      line1: '1 Market St',
      city: 'San Francisco',
      region: 'CA',
      country: 'US',
      phone: '(415) 555-0101',
      postcode: '94103',
    },
    payment: 'paypal',
    paypal: { paid: /Paid/ },
    expect: { total: /Tax 7\.25%/ },
  });
});

test('fr/EUR to France above 150 €: duties shown and collected', async () => {
  await checkout({
    javaScriptEnabled: false,
    language: 'Français',
    product: 'lantern-bowl',
    quantity: 9,
    address: {
      email: 'chloe@example.fr',
      name: 'Chloé Martin',
      line1: '12 rue de Rivoli',
      city: 'Paris',
      country: 'FR',
      phone: '01 23 45 67 89',
      postcode: '75001',
    },
    expect: { total: /Droits de douane/ },
  });
});

test('ar/AED to the Emirates, cash on delivery, right to left, without JavaScript', async () => {
  await checkout({
    javaScriptEnabled: false,
    language: 'العربية',
    address: {
      email: 'fatima@example.ae',
      name: 'فاطمة الزهراء',
      line1: 'شارع الشيخ زايد ١',
      city: 'دبي',
      region: 'DU',
      country: 'AE',
      phone: '050 123 4567',
    },
    payment: 'cash_on_delivery',
    expect: { total: /د\.إ/ },
  });
});
