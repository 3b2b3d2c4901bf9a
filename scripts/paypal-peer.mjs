// PayPal's REST API as the tests meet it: Prism (npm @stoplight/prism-cli) mocks PayPal's own
// OpenAPI files (../shared/specs/paypal, or TRADEWIND_PAYPAL_SPECS) and checks every request
// the store sends against them; this script sits in front of it and adds what a mock made
// from a spec cannot have:
// - the OAuth token endpoint (not in the specs): client credentials checked, tokens counted;
// - state: an order created is approved on a page of its own (the shopper's step at PayPal,
//   a plain form, no JavaScript), captured once, refunded up to its amount; the same
//   PayPal-Request-Id gets the same answer;
// - webhooks: `/__sign` gives a test the transmission headers of an event, and
//   verify-webhook-signature says SUCCESS only for an event signed so, with the webhook id.
//
// A request Prism finds invalid (`sl-violations` about the request) is answered 422 with the
// violations and kept: `/__violations` lists them, and the tests require none.
//
// Prism skips body validation altogether when a schema in the file has a pattern JavaScript
// cannot compile in unicode mode (PayPal's e-mail pattern): such patterns are dropped from a
// copy of each spec first, so that everything else is checked.
//
// Usage: node scripts/paypal-peer.mjs PORT CLIENT_ID CLIENT_SECRET WEBHOOK_ID
// Stops when its standard input closes (the test process ended) or on SIGTERM.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [port, clientId, clientSecret, webhookId] = process.argv.slice(2);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const specs = process.env.TRADEWIND_PAYPAL_SPECS || path.join(root, '..', 'shared', 'specs', 'paypal');
const nodeDir = process.env.TRADEWIND_NODE || path.join(os.homedir(), '.cache', 'tradewind', 'node');
const prismBin = path.join(nodeDir, 'node_modules', '.bin', 'prism');
const base = `http://127.0.0.1:${port}`;

// Which spec serves which path.
const apis = [
  { file: 'checkout_orders_v2.json', prefix: '/v2/checkout/' },
  { file: 'payments_payment_v2.json', prefix: '/v2/payments/' },
  { file: 'notifications_webhooks_v1.json', prefix: '/v1/notifications/' },
];

const children = [];
function stop() {
  for (const c of children) c.kill('SIGTERM');
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function dropUncompilablePatterns(node) {
  if (Array.isArray(node)) return node.forEach(dropUncompilablePatterns);
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'pattern' && typeof v === 'string') {
      try {
        new RegExp(v, 'u');
      } catch {
        delete node[k];
      }
    } else {
      dropUncompilablePatterns(v);
    }
  }
}

async function startPrism(api, dir) {
  const spec = JSON.parse(fs.readFileSync(path.join(specs, api.file), 'utf8'));
  dropUncompilablePatterns(spec);
  const file = path.join(dir, api.file);
  fs.writeFileSync(file, JSON.stringify(spec));
  api.port = await freePort();
  const child = spawn(prismBin, ['mock', '--host', '127.0.0.1', '-p', String(api.port), file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  for (let i = 0; i < 600; i++) {
    if (await new Promise((r) => net.connect(api.port, '127.0.0.1').on('connect', function () { this.end(); r(true); }).on('error', () => r(false)))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prism did not start for ${api.file}`);
}

// What Prism says of a request: null when valid, else its violations.
function validate(api, req, body) {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    delete headers.host;
    const r = http.request(
      { host: '127.0.0.1', port: api.port, method: req.method, path: req.url, headers },
      (res) => {
        res.resume();
        // Prism answers a request that breaks the spec with 4xx; the header then lists why.
        // (On a valid request it also lists its own placeholder answer's faults: not ours.)
        if (res.statusCode < 400) return resolve(null);
        let found;
        try {
          found = JSON.parse(res.headers['sl-violations'] || '[]');
        } catch {
          found = [{ location: ['request'], message: String(res.headers['sl-violations']).slice(0, 2000) }];
        }
        resolve({ status: res.statusCode, request: found.filter((v) => (v.location || [])[0] === 'request') });
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

// State.
const tokens = new Set();
let tokensIssued = 0;
const violations = [];
const orders = new Map(); // id -> order
const captures = new Map(); // capture id -> { order, refunded (minor) }
const byRequestId = new Map(); // PayPal-Request-Id + path -> [status, body]
const signed = new Map(); // transmission id -> { sig, event }

const id = (n) => randomBytes(n).toString('hex').toUpperCase().slice(0, n);
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
// A transmission signature as PayPal's spec writes its pattern (`^(?!\d+$)\w+\S+`): base64
// that starts with a word character. One starting with `+` or `/` (one in 32) would be
// refused by Prism as the store passes it on, failing a test by chance.
const signature = () => {
  for (;;) {
    const sig = randomBytes(64).toString('base64');
    if (/^(?!\d+$)\w+\S+$/.test(sig)) return sig;
  }
};
const decimals = (code) => (['JPY', 'HUF', 'TWD'].includes(code) ? 0 : 2);
const minor = (m) => Math.round(Number(m.value) * 10 ** decimals(m.currency_code));
const money = (code, units) => ({ currency_code: code, value: (units / 10 ** decimals(code)).toFixed(decimals(code)) });

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json', ...headers });
  res.end(text);
}

function problem(name, issue, status = 422) {
  return [status, { name, message: issue, debug_id: id(12).toLowerCase(), details: [{ issue }] }];
}

function orderBody(o) {
  const links = [{ href: `${base}/v2/checkout/orders/${o.id}`, rel: 'self', method: 'GET' }];
  if (o.status === 'PAYER_ACTION_REQUIRED') {
    links.push({ href: `${base}/checkoutnow?token=${o.id}`, rel: 'payer-action', method: 'GET' });
  }
  const units = o.request.purchase_units.map((u, i) => ({
    reference_id: u.reference_id || 'default',
    amount: u.amount,
    custom_id: u.custom_id,
    invoice_id: u.invoice_id,
    ...(i === 0 && o.capture ? { payments: { captures: [o.capture] } } : {}),
  }));
  return {
    id: o.id,
    intent: o.request.intent,
    status: o.status,
    create_time: o.created,
    purchase_units: units,
    ...(o.status !== 'PAYER_ACTION_REQUIRED' ? { payer: { payer_id: 'TESTBUYER2345', email_address: 'buyer@example.com' } } : {}),
    links,
  };
}

// The answer to a valid API call, from the state.
function answer(req, url, json) {
  const parts = url.pathname.split('/').filter(Boolean);
  const key = req.headers['paypal-request-id'];
  if (req.method === 'POST' && key && byRequestId.has(`${key} ${url.pathname}`)) {
    return byRequestId.get(`${key} ${url.pathname}`);
  }
  let out;
  if (req.method === 'POST' && url.pathname === '/v2/checkout/orders') {
    const o = { id: id(17), status: 'PAYER_ACTION_REQUIRED', request: json, created: now() };
    const ctx = json.payment_source?.paypal?.experience_context || json.application_context || {};
    o.returnUrl = ctx.return_url;
    o.cancelUrl = ctx.cancel_url;
    orders.set(o.id, o);
    out = [201, orderBody(o)];
  } else if (parts[0] === 'v2' && parts[1] === 'checkout' && parts[2] === 'orders' && parts.length >= 4) {
    const o = orders.get(parts[3]);
    if (!o) {
      out = problem('RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', 404);
    } else if (req.method === 'GET' && parts.length === 4) {
      out = [200, orderBody(o)];
    } else if (req.method === 'POST' && parts[4] === 'capture') {
      if (o.status === 'COMPLETED') out = problem('UNPROCESSABLE_ENTITY', 'ORDER_ALREADY_CAPTURED');
      else if (o.status !== 'APPROVED') out = problem('UNPROCESSABLE_ENTITY', 'ORDER_NOT_APPROVED');
      else {
        const unit = o.request.purchase_units[0];
        o.capture = {
          id: id(17),
          status: 'COMPLETED',
          amount: { currency_code: unit.amount.currency_code, value: unit.amount.value },
          custom_id: unit.custom_id,
          invoice_id: unit.invoice_id,
          final_capture: true,
          create_time: now(),
          update_time: now(),
        };
        o.status = 'COMPLETED';
        captures.set(o.capture.id, { order: o, refunded: 0 });
        out = [201, orderBody(o)];
      }
    } else {
      out = problem('NOT_SUPPORTED', 'the test peer does not answer this call', 501);
    }
  } else if (req.method === 'POST' && parts[1] === 'payments' && parts[2] === 'captures' && parts[4] === 'refund') {
    const c = captures.get(parts[3]);
    if (!c) out = problem('RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID', 404);
    else {
      const captured = c.order.capture.amount;
      const asked = json.amount || captured;
      const units = minor(asked);
      if (json.invoice_id && (c.invoices ||= new Set()).has(json.invoice_id)) out = problem('UNPROCESSABLE_ENTITY', 'DUPLICATE_INVOICE_ID');
      else if (asked.currency_code !== captured.currency_code) out = problem('UNPROCESSABLE_ENTITY', 'REFUND_CURRENCY_MISMATCH');
      else if (c.refunded + units > minor(captured)) out = problem('UNPROCESSABLE_ENTITY', 'REFUND_AMOUNT_EXCEEDED');
      else {
        c.refunded += units;
        if (json.invoice_id) c.invoices.add(json.invoice_id);
        out = [201, { id: id(17), status: 'COMPLETED', amount: asked, invoice_id: json.invoice_id, create_time: now() }];
      }
    }
  } else if (req.method === 'POST' && url.pathname === '/v1/notifications/verify-webhook-signature') {
    const s = signed.get(json.transmission_id);
    const ok =
      s && json.webhook_id === webhookId && s.sig === json.transmission_sig && s.algo === json.auth_algo &&
      s.certUrl === json.cert_url && s.time === json.transmission_time &&
      JSON.stringify(s.event) === JSON.stringify(json.webhook_event);
    out = [200, { verification_status: ok ? 'SUCCESS' : 'FAILURE' }];
  } else {
    out = problem('NOT_SUPPORTED', 'the test peer does not answer this call', 501);
  }
  // A repeat of a request that succeeded gets its answer again (one that failed is tried anew).
  if (req.method === 'POST' && key && out[0] < 300) byRequestId.set(`${key} ${url.pathname}`, out);
  return out;
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function handle(req, res) {
  const url = new URL(req.url, base);
  const body = await readBody(req);
  if (req.method === 'POST' && url.pathname === '/v1/oauth2/token') {
    const expected = 'Basic ' + Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    if (req.headers.authorization !== expected || !/grant_type=client_credentials/.test(body.toString())) {
      return send(res, 401, { error: 'invalid_client', error_description: 'Client Authentication failed' });
    }
    const token = `A21AA${id(40)}`;
    tokens.add(token);
    tokensIssued += 1;
    return send(res, 200, { scope: 'https://uri.paypal.com/services/payments/payment', access_token: token, token_type: 'Bearer', app_id: 'APP-TRADEWIND', expires_in: 32400, nonce: id(20) });
  }
  // The shopper's step at PayPal: approve or cancel, then back to the store.
  if (url.pathname === '/checkoutnow' || url.pathname === '/checkoutnow/approve' || url.pathname === '/checkoutnow/cancel') {
    const o = orders.get(url.searchParams.get('token') || '');
    if (!o) return send(res, 404, '<!doctype html><title>PayPal</title><p>No such order.</p>');
    if (req.method === 'POST' && url.pathname === '/checkoutnow/approve') {
      if (o.status === 'PAYER_ACTION_REQUIRED') o.status = 'APPROVED';
      res.writeHead(303, { location: `${o.returnUrl}${o.returnUrl.includes('?') ? '&' : '?'}token=${o.id}&PayerID=TESTBUYER2345` });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/checkoutnow/cancel') {
      res.writeHead(303, { location: `${o.cancelUrl}${o.cancelUrl.includes('?') ? '&' : '?'}token=${o.id}` });
      return res.end();
    }
    const amount = o.request.purchase_units[0].amount;
    return send(res, 200, `<!doctype html><html lang="en"><meta charset="utf-8"><title>PayPal (test)</title>
<main><h1>Pay ${amount.value} ${amount.currency_code}</h1>
<form method="post" action="/checkoutnow/approve?token=${o.id}"><button>Pay now</button></form>
<form method="post" action="/checkoutnow/cancel?token=${o.id}"><button>Cancel and return to the store</button></form></main></html>`);
  }
  // For the tests.
  if (url.pathname === '/__violations') return send(res, 200, violations);
  if (url.pathname === '/__stats') return send(res, 200, { tokens: tokensIssued, orders: orders.size });
  if (url.pathname === '/__order') {
    const o = orders.get(url.searchParams.get('id') || '');
    if (!o) return send(res, 404, {});
    const refunded = o.capture ? captures.get(o.capture.id).refunded : 0;
    return send(res, 200, { ...orderBody(o), request: o.request, refunded });
  }
  if (req.method === 'POST' && url.pathname === '/__sign') {
    const event = JSON.parse(body.toString() || '{}');
    const t = { id: randomBytes(16).toString('hex'), sig: signature(), algo: 'SHA256withRSA', certUrl: `${base}/v1/notifications/certs/CERT-TRADEWIND`, time: now(), event };
    signed.set(t.id, t);
    return send(res, 200, {
      'paypal-transmission-id': t.id,
      'paypal-transmission-sig': t.sig,
      'paypal-transmission-time': t.time,
      'paypal-auth-algo': t.algo,
      'paypal-cert-url': t.certUrl,
    });
  }
  const api = apis.find((a) => url.pathname.startsWith(a.prefix));
  if (!api) return send(res, 404, { name: 'RESOURCE_NOT_FOUND', message: `no route ${url.pathname}` });
  const auth = (req.headers.authorization || '').replace(/^Bearer /, '');
  if (!tokens.has(auth)) {
    return send(res, 401, { error: 'invalid_token', error_description: 'Token signature verification failed' });
  }
  const invalid = await validate(api, req, body);
  if (invalid) {
    const entry = { method: req.method, path: url.pathname, status: invalid.status, violations: invalid.request };
    violations.push(entry);
    console.error(`paypal-peer: Prism refused ${req.method} ${url.pathname}: ${JSON.stringify(invalid.request)}`);
    return send(res, 422, { name: 'INVALID_REQUEST', message: 'Request is not well-formed (Prism)', details: invalid.request });
  }
  let json = {};
  try {
    json = body.length ? JSON.parse(body.toString()) : {};
  } catch {
    return send(res, 400, { name: 'INVALID_REQUEST', message: 'not JSON' });
  }
  const [status, out] = answer(req, url, json);
  send(res, status, out);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paypal-peer-'));
await Promise.all(apis.map((a) => startPrism(a, dir)));
http
  .createServer((req, res) =>
    handle(req, res).catch((e) => {
      console.error('paypal-peer:', e);
      send(res, 500, { name: 'INTERNAL_SERVER_ERROR', message: String(e) });
    }),
  )
  .listen(Number(port), '127.0.0.1');
