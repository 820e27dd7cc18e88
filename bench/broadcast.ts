/**
 * Broadcast benchmark: real MongoDB-wire server and Redis (startLocalServices, own temp dir and
 * database), the tests' fake Telegram Bot API in this process, and the real broadcast queue and
 * worker, outbox worker and grammY sender. 10,000 people with a Telegram chat (half lv, half en)
 * and a coordinator whose chat gets the progress message.
 *
 *   npm run bench:broadcast        BENCH_RECIPIENTS=10000 BENCH_WINDOW_SECONDS=90 BENCH_FULL=1 (whole broadcast, about 6 min)
 *
 * 1. Limits on (the fake enforces 30/s and 1/s per chat; the outbox its default Telegram limits):
 *    confirm to first send, copies/s over the first BENCH_WINDOW_SECONDS as a share of 30/s, 429
 *    answers, progress edits and their smallest gap, lost (neither sent nor pending), peak RSS.
 * 2. Limits off: fan-out rate (deliveries written per second) and send rate of a second broadcast.
 * 3. Bare baselines in the same process against the same fake: BullMQ + grammY Api with no
 *    MongoDB (limited: BullMQ's limiter 30/s; unlimited: addBulk rate and send rate).
 */
import { performance } from 'node:perf_hooks';
import type { Message } from 'grammy/types';
import type { Redis } from 'ioredis';
import { createLogger } from '../src/log.js';
import { audienceMembers } from '../src/domain/audiences.js';
import { BroadcastModel, ChannelIdentityModel, ContactModel } from '../src/models/index.js';
import { cancelBroadcast, confirmBroadcast, createBroadcast } from '../src/domain/broadcasts/broadcasts.js';
import { createBroadcastQueue, startBroadcastWorker } from '../src/jobs/broadcast-queue.js';
import { createOutbox, type Outbox } from '../src/jobs/outbox.js';
import { NO_LIMITS } from '../src/jobs/outbox-limits.js';
import { startOutboxWorkers } from '../src/jobs/outbox-worker.js';
import { createTelegramApi, createTelegramSender } from '../src/bots/telegram/sender.js';
import { FakeTelegram, type TelegramCall } from '../tests/support/fake-telegram.js';
import { deliveryStates } from '../tests/support/broadcast-e2e.js';
import { openBenchStores } from './bench-stores.js';
import { bareBullmqGrammy, fmt, rateOf, sleep, verdict, waitUntil } from './bench-common.js';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 10_000);
const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 90);
const FULL = Boolean(process.env.BENCH_FULL);
const UNLIMITED_CAP_SECONDS = Number(process.env.BENCH_UNLIMITED_CAP_SECONDS ?? 120);
const UNLIMITED_CONCURRENCY = 100;
const BARE_LIMITED_SECONDS = 20;

const FIRST_CHAT = 1_000_000;
const COORDINATOR_CHAT = 999_999;
const TEXT = { lv: 'Aicinām uz foruma sēdi 14. maijā: darba kārtībā 6. plāna izstrāde.', en: 'Join the forum meeting on 14 May: drafting the 6th plan is on the agenda.' };

let peakRss = 0;
/** Peak of the current phase; the goal is for the limited broadcast, the others hold more in the fake. */
let phasePeakRss = 0;
const sampleRss = () => {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  phasePeakRss = Math.max(phasePeakRss, rss);
};
const sampler = setInterval(sampleRss, 50);
const log = createLogger('silent');
const author = { actor: 'bench', name: 'Bench Coordinator' };

const isCopy = (call: TelegramCall) => call.method === 'sendMessage' && Number(call.params.chat_id) >= FIRST_CHAT;

async function seed(): Promise<string> {
  const coordinator = await ContactModel.create({ name: author.name, email: 'coordinator@bench.example', roles: ['coordinator'], language: 'lv' });
  await ChannelIdentityModel.create({ contact: coordinator._id, channel: 'telegram', externalId: String(COORDINATOR_CHAT), address: String(COORDINATOR_CHAT) });
  for (let at = 0; at < RECIPIENTS; at += 1_000) {
    const n = Math.min(1_000, RECIPIENTS - at);
    const contacts = await ContactModel.insertMany(
      Array.from({ length: n }, (_, i) => ({ name: `Dalībnieks ${at + i}`, email: `m${at + i}@bench.example`, roles: ['forum_member'], language: (at + i) % 2 ? 'en' : 'lv' })),
    );
    const chat = (i: number) => String(FIRST_CHAT + at + i);
    await ChannelIdentityModel.insertMany(contacts.map((c, i) => ({ contact: c._id, channel: 'telegram', externalId: chat(i), address: chat(i) })));
  }
  return String(coordinator._id);
}

/** A draft to the forum members, confirmed with the coordinator's chat for the progress; returns the id and when confirm began. */
async function confirmed(coordinator: string): Promise<{ id: string; at: number }> {
  const draft = await createBroadcast({ text: TEXT, audience: { kind: 'roles', roles: ['forum_member'] } }, author);
  const at = performance.now();
  const result = await confirmBroadcast({ id: String(draft._id), author, now: new Date(), notify: { contact: coordinator, channel: 'telegram', address: String(COORDINATOR_CHAT) } });
  if (!result.ok) throw new Error(`confirm refused: ${result.reason}`);
  return { id: String(draft._id), at };
}

async function limitedRun(redis: Redis, prefix: string, outbox: Outbox, fake: FakeTelegram, coordinator: string) {
  console.log(`\n1. Limits on: the fake enforces 30/s and 1/s per chat; the outbox runs its default Telegram limits.`);
  phasePeakRss = 0;
  fake.calls.length = 0;
  fake.limits = { perSecond: 30, perChatMs: 1_000 };
  const sender = createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot }));
  const workers = startOutboxWorkers({ connection: redis, prefix, senders: { telegram: sender }, log });
  const queue = createBroadcastQueue({ connection: redis, prefix, outbox });
  const worker = startBroadcastWorker({ connection: redis, prefix, outbox, log });
  const { id, at: confirmAt } = await confirmed(coordinator);
  await queue.kick(id, new Date());

  const firstCopy = await waitUntil(() => fake.calls.some((c) => isCopy(c) && c.status === 200), 30_000);
  const firstAt = fake.calls.find((c) => isCopy(c) && c.status === 200)?.at;
  const firstProgress = fake.calls.find((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === COORDINATOR_CHAT && c.status === 200)?.at;
  const startMs = firstAt !== undefined ? firstAt - confirmAt : Number.NaN;
  console.log(
    `Confirm to first send: ${firstCopy ? `${fmt(startMs)} ms` : 'none within 30 s'} (progress message after ${fmt((firstProgress ?? Number.NaN) - confirmAt)} ms) — goal < 1 s: ${verdict(startMs < 1_000)}`,
  );

  const done = async () => (await BroadcastModel.findById(id, { state: 1 }).lean())?.state === 'sent';
  const windowEnd = (firstAt ?? performance.now()) + WINDOW_SECONDS * 1_000;
  if (FULL) await waitUntil(done, 900_000);
  else await waitUntil(() => performance.now() >= windowEnd, WINDOW_SECONDS * 1_000 + 1_000);
  // Stop sending: what a worker holds finishes and is marked; the rest stays pending.
  await worker.close();
  await workers.close();
  await queue.queue.obliterate({ force: true });
  await queue.close();

  const measured = FULL ? fake.calls : fake.calls.filter((c) => c.at <= windowEnd);
  const copies = measured.filter((c) => isCopy(c) && c.status === 200);
  const writes = measured.filter((c) => c.status === 200 && ['sendMessage', 'editMessageText'].includes(c.method));
  const tooMany = measured.filter((c) => c.status === 429).length;
  const rate = rateOf(copies);
  const span = FULL ? `the whole broadcast (${fmt((copies.at(-1)!.at - copies[0]!.at) / 1000, 1)} s)` : `the first ${WINDOW_SECONDS} s`;
  console.log(
    `Rate over ${span}: ${fmt(copies.length)} copies = ${fmt(rate, 2)}/s = ${fmt((rate / 30) * 100, 1)}% of 30/s — goal ≥ 95%: ${verdict(rate / 30 >= 0.95)}` +
      ` (all chat writes incl. progress edits: ${fmt(rateOf(writes), 2)}/s)`,
  );
  console.log(`  429 answers: ${tooMany} (${fmt((tooMany / Math.max(1, copies.length)) * 100, 2)}% of sends) — goal < 1%: ${verdict(tooMany / Math.max(1, copies.length) < 0.01)}`);

  const progress = fake.calls.find((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === COORDINATOR_CHAT && c.status === 200);
  const progressId = (progress?.result as Message | undefined)?.message_id;
  const edits = fake.calls.filter((c) => c.method === 'editMessageText' && c.status === 200 && Number(c.params.message_id) === progressId);
  const gaps = edits.slice(1).map((c, i) => c.at - edits[i]!.at);
  const minGap = gaps.length > 0 ? Math.min(...gaps) : Number.NaN;
  const meanGap = gaps.length > 0 ? gaps.reduce((a, b) => a + b, 0) / gaps.length : Number.NaN;
  const resent = fake.calls.filter((c) => c.method === 'sendMessage' && c.status === 200 && Number(c.params.chat_id) === COORDINATOR_CHAT && /^Nosūtīts/.test(String(c.params.text))).length;
  console.log(
    `  Progress: sent ${resent} time(s), edited ${edits.length} times, smallest gap ${fmt(minGap / 1000, 2)} s (mean ${fmt(meanGap / 1000, 2)} s) — goal at most one edit per 3 s: ${verdict(resent === 1 && !(minGap < 3_000))}`,
  );

  const states = await deliveryStates(id);
  const recorded = Object.values(states).reduce((a, b) => a + b, 0);
  const chats = new Set(copies.map((c) => c.params.chat_id)).size;
  const allCopies = fake.calls.filter((c) => isCopy(c) && c.status === 200).length;
  const lost = RECIPIENTS - (states.sent ?? 0) - (states.pending ?? 0);
  console.log(
    `  Deliveries ${FULL ? 'at the end' : 'when stopped'}: ${fmt(recorded)} recorded, ${fmt(states.sent ?? 0)} sent (the fake got ${fmt(allCopies)}, ` +
      `${chats === copies.length ? 'no chat twice' : `${copies.length - chats} chats twice`}), ${fmt(states.pending ?? 0)} pending; lost ${lost} — goal 0: ${verdict(lost === 0 && allCopies === (states.sent ?? 0))}`,
  );
  sampleRss();
  console.log(`  Peak RSS while it ran: ${fmt(phasePeakRss / 2 ** 20)} MB — goal < 300 MB: ${verdict(phasePeakRss < 300 * 2 ** 20)}`);
  await cancelBroadcast({ id, author, now: new Date() });
  await Promise.all(Object.values(outbox.queues).map((q) => q.obliterate({ force: true })));
  return { rate, tooMany, copies: copies.length };
}

async function unlimitedRun(redis: Redis, prefix: string, outbox: Outbox, fake: FakeTelegram, coordinator: string) {
  console.log(`\n2. Limits off (fake and outbox), outbox concurrency ${UNLIMITED_CONCURRENCY}: a second broadcast to the same ${fmt(RECIPIENTS)}.`);
  await sleep(1_100);
  fake.calls.length = 0;
  fake.chats.clear();
  fake.limits = false;
  const sender = createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot }));
  const workers = startOutboxWorkers({
    connection: redis,
    prefix,
    senders: { telegram: sender },
    log,
    limits: { telegram: NO_LIMITS },
    concurrency: { telegram: UNLIMITED_CONCURRENCY },
  });
  const queue = createBroadcastQueue({ connection: redis, prefix, outbox });
  const worker = startBroadcastWorker({ connection: redis, prefix, outbox, log });
  const { id } = await confirmed(coordinator);
  await queue.kick(id, new Date());
  const complete = await waitUntil(async () => (await deliveryStates(id)).sent === RECIPIENTS, UNLIMITED_CAP_SECONDS * 1_000);
  const b = await BroadcastModel.findById(id, { startedAt: 1, fannedOutAt: 1 }).lean();
  await worker.close();
  await workers.close();
  await queue.queue.obliterate({ force: true });
  await queue.close();
  const fanOutSeconds = b?.startedAt && b.fannedOutAt ? (b.fannedOutAt.getTime() - b.startedAt.getTime()) / 1000 : Number.NaN;
  const copies = fake.calls.filter((c) => isCopy(c) && c.status === 200);
  const fanOutRate = RECIPIENTS / fanOutSeconds;
  const sendRate = rateOf(copies);
  console.log(`Fan-out: ${fmt(RECIPIENTS)} deliveries resolved, written and queued in ${fmt(fanOutSeconds, 2)} s = ${fmt(fanOutRate)} deliveries/s (while sending)`);
  console.log(`Send: ${fmt(copies.length)} copies${complete ? '' : ' (stopped at the cap)'} at ${fmt(sendRate)}/s, sent and marked`);
  await cancelBroadcast({ id, author, now: new Date() });
  await Promise.all(Object.values(outbox.queues).map((q) => q.obliterate({ force: true })));
  return { fanOutRate, sendRate };
}

async function main() {
  const started = performance.now();
  const stores = await openBenchStores('broadcast');
  const { redis, fake, prefix } = stores;
  try {
    let t = performance.now();
    const coordinator = await seed();
    console.log(`Seeded ${fmt(RECIPIENTS)} people with a Telegram chat in ${fmt((performance.now() - t) / 1000, 1)} s`);
    const outbox = createOutbox({ connection: redis, prefix });

    const limited = await limitedRun(redis, prefix, outbox, fake, coordinator);
    t = performance.now();
    const members = await audienceMembers({ roles: ['forum_member'] });
    console.log(`  (Resolving the ${fmt(members.length)} people and their chats, which the fan-out does before it writes: ${fmt((performance.now() - t) / 1000, 2)} s)`);
    const ours = await unlimitedRun(redis, prefix, outbox, fake, coordinator);
    await outbox.close();

    console.log(`\n3. Bare baselines in this process, same fake: BullMQ + grammY Api, jobs carrying chat and text, no MongoDB.`);
    await sleep(1_100);
    t = performance.now();
    const bareLimited = await bareBullmqGrammy(redis, fake, { count: 30 * BARE_LIMITED_SECONDS, limited: true, capMs: BARE_LIMITED_SECONDS * 3_000, concurrency: 50, text: TEXT.lv });
    const bareLimitedRate = bareLimited.sendRate;
    console.log(
      `Limited (BullMQ limiter 30/s, fake 30/s): ${fmt(bareLimited.sends)} sends at ${fmt(bareLimitedRate, 2)}/s = ${fmt((bareLimitedRate / 30) * 100, 1)}% of 30/s, ` +
        `${bareLimited.tooMany} 429 answers (${fmt((bareLimited.tooMany / Math.max(1, bareLimited.sends)) * 100, 1)}%), ${fmt((performance.now() - t) / 1000, 1)} s`,
    );
    const bare = await bareBullmqGrammy(redis, fake, { count: RECIPIENTS, limited: false, capMs: UNLIMITED_CAP_SECONDS * 1_000, concurrency: UNLIMITED_CONCURRENCY, text: TEXT.lv });
    console.log(`Unlimited: addBulk ${fmt(bare.addRate)} jobs/s, send ${fmt(bare.sendRate)}/s (concurrency ${UNLIMITED_CONCURRENCY})`);
    console.log(
      `Ratios, ours / bare: limited rate ${fmt(limited.rate / bareLimitedRate, 2)} with ${limited.tooMany} vs ${bareLimited.tooMany} 429 answers, fan-out ${fmt(ours.fanOutRate / bare.addRate, 2)} (deliveries written to MongoDB and queued vs jobs queued), ` +
        `unlimited send ${fmt(ours.sendRate / bare.sendRate, 2)} (read, send, mark vs send)`,
    );
  } finally {
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(`\nPeak RSS of this process over the whole run (producer, workers, fake Telegram holding every call): ${fmt(peakRss / 2 ** 20)} MB`);
    console.log(`Total run time: ${fmt((performance.now() - started) / 1000, 1)} s`);
    await stores.close(['bench-bare-*']);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
