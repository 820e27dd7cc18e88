/**
 * Outbox benchmark: real MongoDB-wire server and Redis (startLocalServices, own temp dir and
 * database), the tests' fake Telegram Bot API, the real producer, worker and grammY sender.
 *
 *   npm run bench:outbox            BENCH_ENQUEUE=10000 BENCH_UNLIMITED=3000 BENCH_LIMITED_SECONDS=12
 *   BENCH_JITTER=50-250             network jitter (ms) on every call to the fake in the limited run
 *
 * Prints: time to enqueue 10,000 deliveries; deliveries/s to distinct chats with every limit off;
 * the rate under Telegram's 30/s (fake enforcing it) as a share of 30/s, and the 429s; where a
 * reply produced in the middle of that (bulk) run went out; peak RSS.
 */
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/log.js';
import { DeliveryModel } from '../src/models/index.js';
import { createOutbox, produceDeliveries, type DeliveryInput } from '../src/jobs/outbox.js';
import { DEFAULT_LIMITS, NO_LIMITS } from '../src/jobs/outbox-limits.js';
import { DEFAULT_CONCURRENCY, startOutboxWorkers } from '../src/jobs/outbox-worker.js';
import { createTelegramApi, createTelegramSender } from '../src/bots/telegram/sender.js';
import { openBenchStores } from './bench-stores.js';
import { bareBullmqGrammy, fmt, sleep, verdict, waitUntil } from './bench-common.js';

const ENQUEUE = Number(process.env.BENCH_ENQUEUE ?? 10_000);
const UNLIMITED = Number(process.env.BENCH_UNLIMITED ?? 3_000);
const LIMITED_SECONDS = Number(process.env.BENCH_LIMITED_SECONDS ?? 12);
/** Each send run stops after this long, so a slow database cannot make the run endless. */
const RUN_CAP_SECONDS = Number(process.env.BENCH_RUN_CAP_SECONDS ?? 45);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
/** e.g. BENCH_LIMITER=30/1000 to try another queue limiter than the default. */
const LIMITER = process.env.BENCH_LIMITER?.split('/').map(Number);
/** e.g. BENCH_SPACING=off to see the queue limiter alone. */
const SPACING = process.env.BENCH_SPACING;
/** e.g. BENCH_JITTER=50-250: each call to the fake takes a random 50–250 ms more to arrive. */
const JITTER = process.env.BENCH_JITTER ? process.env.BENCH_JITTER.split('-').map(Number) : undefined;

const LIMITED_CHATS = 3_000_000;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const debugRss = (phase: string) => {
  if (process.env.BENCH_DEBUG) console.log(`  [after ${phase}: rss ${fmt(process.memoryUsage().rss / 2 ** 20)} MB, heap used ${fmt(process.memoryUsage().heapUsed / 2 ** 20)} MB, peak rss ${fmt(peakRss / 2 ** 20)} MB]`);
};

/** A broadcast-like batch: the `bulk` class, which every other class goes ahead of. */
function inputs(run: string, count: number, firstChat: number): DeliveryInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `bench:${run}:${i}`,
    purpose: 'bench',
    priority: 'bulk' as const,
    channel: 'telegram' as const,
    address: String(firstChat + i),
    text: `Atgādinājums Nr. ${i}: lūdzu, atjaunojiet pasākuma statusu. / Reminder ${i}: please update the measure status.`,
    choices: [
      { id: 'status:done', label: 'Pabeigts / Completed' },
      { id: 'status:later', label: 'Vēlāk / Later' },
    ],
  }));
}


async function main() {
  const started = performance.now();
  const stores = await openBenchStores('outbox');
  const { redis, fake, prefix } = stores;
  const log = createLogger('silent');
  try {
    const outbox = createOutbox({ connection: redis, prefix });
    const sender = createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot }));

    debugRss('start');
    // 1. Enqueue: insert + addBulk, no worker running.
    let t = performance.now();
    const produced = await produceDeliveries(outbox, inputs('enqueue', ENQUEUE, 1_000_000));
    const enqueueSeconds = (performance.now() - t) / 1000;
    // Every outbox job has a priority, so they wait in BullMQ's `prioritized` set.
    const queued = await outbox.queues.telegram.getJobCounts('prioritized');
    console.log(
      `\nEnqueue ${fmt(ENQUEUE)} deliveries: ${fmt(enqueueSeconds, 2)} s (${fmt(produced.created)} recorded, ${fmt(queued.prioritized ?? 0)} jobs) — goal < 2 s: ${verdict(enqueueSeconds < 2)}`,
    );
    debugRss('enqueue');
    // Clear the stage for the send runs: these were only for timing the producer.
    await outbox.queues.telegram.obliterate({ force: true });
    await DeliveryModel.collection.drop();
    await DeliveryModel.createIndexes();

    // 2. Unlimited: our limiter and pacing off, the fake answers everything at once.
    await produceDeliveries(outbox, inputs('unlimited', UNLIMITED, 2_000_000));
    let workers = startOutboxWorkers({
      connection: redis,
      prefix,
      senders: { telegram: sender },
      log,
      limits: { telegram: NO_LIMITS },
      concurrency: { telegram: CONCURRENCY },
    });
    t = performance.now();
    const capMs = RUN_CAP_SECONDS * 1000;
    let marked = 0;
    const complete = await waitUntil(async () => (marked = await DeliveryModel.countDocuments({ state: 'sent' })) >= UNLIMITED, capMs);
    const elapsed = (performance.now() - t) / 1000;
    await workers.close();
    // Jobs left over at the cap must not be sent in the next run.
    await outbox.queues.telegram.obliterate({ force: true });
    const rate = marked / elapsed;
    console.log(
      `Unlimited: ${fmt(marked)} of ${fmt(UNLIMITED)} deliveries to distinct chats sent and marked in ${fmt(elapsed, 2)} s` +
        `${complete ? '' : ' (stopped at the cap)'} = ${fmt(rate)} deliveries/s (concurrency ${CONCURRENCY}) — goal ≥ 1,000/s: ${verdict(rate >= 1000)}`,
    );
    // The ceiling, right after on the same machine and fake: BullMQ + grammY's Api without records.
    const bare = await bareBullmqGrammy(redis, fake, { count: UNLIMITED, limited: false, capMs, concurrency: CONCURRENCY, text: inputs('bare', 1, 0)[0]!.text });
    console.log(
      `  bare BullMQ + grammY Api, same fake, same count and concurrency: ${fmt(bare.sendRate)} sends/s; ours / bare = ${fmt(rate / bare.sendRate, 2)} — goal ≥ 0.6: ${verdict(rate / bare.sendRate >= 0.6)}`,
    );
    fake.calls.length = 0;
    fake.chats.clear();

    debugRss('unlimited');
    // 3. Limited: Telegram's limits enforced by the fake, ours on (30/s queue-wide, 1/s per chat).
    // The fake counts the last second's sends; let the unlimited run's fall out of its window.
    await sleep(1_100);
    fake.calls.length = 0;
    fake.limits = { perSecond: 30, perChatMs: 1000 };
    if (JITTER) fake.jitterMs = { min: JITTER[0]!, max: JITTER[1] ?? JITTER[0]! };
    const limitedCount = Math.round(30 * LIMITED_SECONDS);
    await produceDeliveries(outbox, inputs('limited', limitedCount, LIMITED_CHATS));
    const limits = {
      ...DEFAULT_LIMITS.telegram,
      ...(LIMITER ? { global: { max: LIMITER[0]!, duration: LIMITER[1]! } } : {}),
      ...(SPACING ? { spacingMs: SPACING === 'off' ? (false as const) : Number(SPACING) } : {}),
    };
    console.log(
      `  queue limiter: ${limits.global ? `${limits.global.max} per ${limits.global.duration} ms` : 'off'}, ` +
        `spacing ${limits.spacingMs === false ? 'off' : `${limits.spacingMs} ms`}, per chat ${limits.perAddressMs} ms, ` +
        `network jitter ${fake.jitterMs ? `${fake.jitterMs.min}–${fake.jitterMs.max} ms` : 'none'}`,
    );
    workers = startOutboxWorkers({ connection: redis, prefix, senders: { telegram: sender }, log, limits: { telegram: limits } });
    const limitedSent = () => fake.sent().filter((call) => Number(call.params.chat_id) >= LIMITED_CHATS);
    // A person's reply produced a third of the way into the batch: where in the send order does it
    // land? Its chat is outside the batch's range, so the batch's figures leave it out.
    const REPLY_CHAT = LIMITED_CHATS - 1;
    await waitUntil(() => limitedSent().length >= limitedCount / 3, capMs);
    await produceDeliveries(outbox, [
      { key: 'bench:reply', purpose: 'bench.reply', priority: 'reply', channel: 'telegram', address: String(REPLY_CHAT), text: 'Saglabāts. / Saved.' },
    ]);
    const sentBeforeReply = fake.sent().length;
    const limitedComplete = await waitUntil(() => limitedSent().length >= limitedCount, Math.max(capMs, LIMITED_SECONDS * 2_000));
    await workers.close();
    if (!limitedComplete) console.log(`  (stopped at the cap after ${fmt(limitedSent().length)} of ${fmt(limitedCount)} sends)`);
    // Arrival order, which jitter may have changed.
    const sends = limitedSent().map((call) => call.at).sort((a, b) => a - b);
    const windowSeconds = (sends.at(-1)! - sends[0]!) / 1000;
    // n sends span n-1 intervals of the rate.
    const limitedRate = (sends.length - 1) / windowSeconds;
    const tooMany = fake.callsTo('sendMessage').filter((call) => call.status === 429 && Number(call.params.chat_id) >= LIMITED_CHATS).length;
    if (process.env.BENCH_DEBUG) {
      const all = fake.callsTo('sendMessage');
      const t0 = all[0]!.at;
      console.log(all.map((c) => `${Math.round(c.at - t0)}${c.status === 429 ? '!' : ''}`).join(' '));
    }
    const share = limitedRate / 30;
    const tooManyShare = tooMany / sends.length;
    console.log(
      `Limited (fake enforces 30/s and 1/s per chat): ${fmt(sends.length)} sends in ${fmt(windowSeconds, 2)} s = ${fmt(limitedRate, 2)}/s = ` +
        `${fmt(share * 100, 1)}% of 30/s — goal ≥ 95%: ${verdict(share >= 0.95)}`,
    );
    console.log(`  429 answers: ${tooMany} (${fmt(tooManyShare * 100, 2)}% of sends) — goal < 1%: ${verdict(tooManyShare < 0.01)}`);
    const replyAt = fake.sent().findIndex((call) => Number(call.params.chat_id) === REPLY_CHAT);
    const between = replyAt - sentBeforeReply;
    console.log(
      replyAt < 0
        ? '  Reply produced mid-batch: not sent'
        : `  Reply queued after ${fmt(sentBeforeReply)} of ${fmt(limitedCount)} bulk sends went out as send ${fmt(replyAt + 1)}: ` +
            `${between} bulk sends in between, ${fmt(limitedCount - sentBeforeReply - between)} after it — ` +
            `goal ≤ ${DEFAULT_CONCURRENCY.telegram} (the jobs already started): ${verdict(between <= DEFAULT_CONCURRENCY.telegram)}`,
    );

    await outbox.queues.telegram.obliterate({ force: true });
    await outbox.close();
  } finally {
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(`Peak RSS of this process (producer + workers + fake): ${fmt(peakRss / 2 ** 20)} MB — goal < 300 MB: ${verdict(peakRss < 300 * 2 ** 20)}`);
    console.log(`Total run time: ${fmt((performance.now() - started) / 1000, 1)} s`);
    await stores.close(['bench-bare-*']);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
