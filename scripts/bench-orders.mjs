// Places orders from concurrent clients, each as a browser without JavaScript would:
// first page (CSRF cookie and token), add to cart, checkout form, review, place order.
// Prints orders per minute and the latency of "place order" (p50, p99, max).
//
// Without RATE the clients buy as fast as they can (the store's capacity: each latency then
// includes the queue of the other 49 journeys). With RATE (orders per minute) journeys start
// on a fixed schedule, at most CLIENTS at a time, and the latency is that of a store serving
// that many orders a minute.
//
//   node scripts/bench-orders.mjs BASE_URL CLIENTS ORDERS VARIANT_ID [RATE]
import { performance } from 'node:perf_hooks';

const [base, clientsArg = '50', ordersArg = '1000', variant, rateArg] = process.argv.slice(2);
if (!base || !variant) {
  console.error('usage: bench-orders.mjs BASE_URL CLIENTS ORDERS VARIANT_ID');
  process.exit(2);
}
const clients = Number(clientsArg);
const orders = Number(ordersArg);
// Milliseconds between the starts of two journeys, when paced.
const every = rateArg ? 60_000 / Number(rateArg) : 0;

class Browser {
  constructor() {
    this.cookies = new Map();
  }
  keep(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async get(path) {
    const res = await fetch(base + path, { headers: { cookie: this.header() }, redirect: 'manual' });
    this.keep(res);
    return res;
  }
  async post(path, fields) {
    const res = await fetch(base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.header(), origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    this.keep(res);
    await res.arrayBuffer();
    return res;
  }
}

const field = (html, name) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];

async function buy(n) {
  const b = new Browser();
  const home = await (await b.get('/de')).text();
  const csrf = field(home, 'csrf');
  await b.post('/de/cart/add', { csrf, variant, quantity: '1' });
  const details = await b.post('/de/checkout', {
    csrf,
    email: `bench${n}@example.de`,
    name: 'Bench Käufer',
    line1: 'Hauptstraße 1',
    city: 'Berlin',
    postcode: '10115',
    country: 'DE',
    phone: '030 1234567',
    shipping: 'standard',
    // BENCH_PAYMENT=card: card orders (placed, not paid), for the webhook benchmark.
    payment: process.env.BENCH_PAYMENT || 'bank_transfer',
  });
  if (!details.headers.get('location')?.endsWith('/checkout/review')) {
    throw new Error(`checkout form refused: ${details.headers.get('location')}`);
  }
  const review = await (await b.get('/de/checkout/review')).text();
  const total = field(review, 'total');
  const started = performance.now();
  const placed = await b.post('/de/checkout/place', { csrf, total });
  const ms = performance.now() - started;
  const to = placed.headers.get('location') || '';
  if (placed.status !== 303 || !to.includes('/orders/')) {
    throw new Error(`order not placed: ${placed.status} ${to}`);
  }
  return ms;
}

const latencies = [];
let next = 0;
let failed = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (next < orders) {
      const n = next++;
      const due = started + n * every - performance.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      try {
        latencies.push(await buy(n));
      } catch (e) {
        failed++;
        if (failed <= 3) console.error(String(e));
      }
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(
  `${latencies.length} orders (${failed} failed) from ${clients} clients in ${seconds.toFixed(1)} s: ` +
    `${Math.round((latencies.length / seconds) * 60)} orders/min (whole journeys` +
    `${rateArg ? `, paced at ${rateArg}/min` : ', as fast as they go'}); ` +
    `place order p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
);
