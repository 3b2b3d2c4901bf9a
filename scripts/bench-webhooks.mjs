// Delivers signed Stripe webhook events to a store as fast as CONCURRENCY senders can, for
// SECONDS, and prints deliveries per second and their latency (p50, p99). Every tenth
// delivery repeats an earlier event, as Stripe's retries do. The events are of a type the
// store acknowledges and keeps without acting on (customer.created): signature check, the
// event id claimed and recorded, one transaction each. With INTENTS (a JSON file of
// [PaymentIntent id, amount, currency] of card orders waiting for their payment), each event
// is instead `payment_intent.succeeded` for the next of them: every delivery pays an order
// (the order, its payment, its history and the "payment received" email, one transaction),
// and the run ends when all are paid.
//
//   node scripts/bench-webhooks.mjs BASE_URL SECRET [CONCURRENCY] [SECONDS] [INTENTS]
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { readFileSync } from 'node:fs';

const [base, secret, concurrencyArg = '8', secondsArg = '15', intentsFile] = process.argv.slice(2);
const intents = intentsFile ? JSON.parse(readFileSync(intentsFile, 'utf8')) : null;
if (!base || !secret) {
  console.error('usage: bench-webhooks.mjs BASE_URL SECRET [CONCURRENCY] [SECONDS] [INTENTS]');
  process.exit(2);
}
const until = performance.now() + Number(secondsArg) * 1000;
const latencies = [];
const answers = new Map();
let next = 0;
// Ids unique to this run, so that a second run on the same store is not all duplicates.
const run = Date.now().toString(36);

function event(n) {
  if (intents) {
    const [pi, amount, currency] = intents[n];
    return {
      id: `evt_bench_${run}_paid_${n}`,
      object: 'event',
      type: 'payment_intent.succeeded',
      data: { object: { id: pi, object: 'payment_intent', amount, amount_received: amount, currency } },
    };
  }
  return {
    id: `evt_bench_${run}_${n % 10 === 9 ? n - 9 : n}`,
    object: 'event',
    type: 'customer.created',
    data: { object: { id: `cus_${n}`, object: 'customer' } },
  };
}

async function deliver(n) {
  const body = JSON.stringify(event(n));
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  const started = performance.now();
  const res = await fetch(`${base}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` },
    body,
  });
  const answer = `${res.status} ${await res.text()}`;
  latencies.push(performance.now() - started);
  answers.set(answer, (answers.get(answer) ?? 0) + 1);
}

const started = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrencyArg) }, async () => {
    while (performance.now() < until && (!intents || next < intents.length)) await deliver(next++);
  }),
);
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(
  `${latencies.length} webhook deliveries from ${concurrencyArg} senders in ${seconds.toFixed(1)} s: ` +
    `${Math.round(latencies.length / seconds)}/s; p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms; ` +
    [...answers].map(([a, n]) => `${n}× ${a}`).join(', '),
);
