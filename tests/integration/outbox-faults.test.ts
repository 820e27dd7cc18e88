import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectMongo } from '../../src/db.js';
import { createLogger } from '../../src/log.js';
import { DeliveryModel } from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import { createOutbox, produceDeliveries, type DeliveryInput, type Outbox } from '../../src/jobs/outbox.js';
import type { ChannelLimits } from '../../src/jobs/outbox-limits.js';
import { startOutboxWorkers, type OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { createTelegramApi, createTelegramSender } from '../../src/bots/telegram/sender.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { uniquePrefix } from '../support/mongo.js';
import { sleep, until } from '../support/outbox.js';
import { startOwnMongoServer, startOwnRedis, type OwnServer } from '../support/own-services.js';

/**
 * Fault tests of the outbox with the real services (issue 9, point 7): a Redis and a MongoDB-wire
 * server of this file's own, stopped in the middle of a batch and started again on the same port
 * and data directory, while the real producer, worker and grammY sender send to the fake Bot API.
 * Counted at the fake: every delivery arrives exactly once, and every record ends `sent`.
 *
 * The clients are the service's own (createRedis, connectMongo), so their reconnect settings are
 * what is tested; the job options are the production ones (8 attempts, backoff from 2 s). The file
 * runs in a process of its own (vitest's `forks` pool), so its mongoose connection to its own
 * server touches no other file's.
 */

/** A few hundred distinct chats: each must get its one message. */
const COUNT = 300;
/** Stop the server once this many have been sent. */
const STOP_AT = Math.round(COUNT * 0.4);
/**
 * Limits on, but loose (about 100 sends a second), so that the per-chat pace, the send schedule
 * and BullMQ's limiter keep their state in Redis during the outage, as in production, and a batch
 * takes seconds rather than hours.
 */
const LIMITS: ChannelLimits = { global: { max: 100, duration: 1_000 }, spacingMs: 10, perAddressMs: 1_000 };
const CONCURRENCY = 10;
/**
 * How long the last sends may take once the server is back. No speed test: normally all is done
 * in about 2 s, but a job that Redis moved to `active` in its last moment, whose answer never
 * reached the worker, waits for BullMQ's stalled-job check (lock 30 s, check every 30 s).
 */
const RESUME_TIMEOUT_MS = 90_000;

let dataDir = '';
let redisServer: OwnServer;
let mongoServer: OwnServer;
let redis: Redis;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ogp-faults-'));
  // Redis as docker-compose runs it: AOF on, fsync every second, no RDB snapshots.
  [redisServer, mongoServer] = await Promise.all([
    startOwnRedis(join(dataDir, 'redis'), ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction']),
    startOwnMongoServer(join(dataDir, 'mongo')),
  ]);
  await connectMongo(`${mongoServer.url}/ogp_faults`);
  redis = createRedis(redisServer.url);
});

afterAll(async () => {
  await atMost(5_000, mongoose.disconnect());
  redis?.disconnect();
  await Promise.all([redisServer?.close(), mongoServer?.close()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

let fake: FakeTelegram;
let prefix: string;
let outbox: Outbox;
let workers: OutboxWorkers | undefined;

beforeEach(async () => {
  // A little latency, as a real Bot API has, so that sends are in flight when the server stops.
  fake = await new FakeTelegram({ latencyMs: 10 }).start();
  prefix = uniquePrefix();
  outbox = createOutbox({ connection: redis, prefix });
});

afterEach(async () => {
  // A failed test may have left a server stopped; the clean-up needs both.
  if (!redisServer.running) await redisServer.start();
  if (!mongoServer.running) await mongoServer.start();
  // Bounded, so that a client which never reconnects (what these tests would catch) fails the
  // test instead of hanging the file.
  await atMost(10_000, workers?.close());
  workers = undefined;
  await atMost(10_000, Promise.all(Object.values(outbox.queues).map((queue) => queue.obliterate({ force: true }))));
  await atMost(5_000, outbox.close());
  await fake.stop();
});

/** Waits for `work` at most `ms`, whatever its outcome. */
async function atMost(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work?.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** `work`'s result, or a failure naming `what` when it takes longer than `ms`. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function startWorkers(): OutboxWorkers {
  workers = startOutboxWorkers({
    connection: redis,
    prefix,
    senders: { telegram: createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot })) },
    log: createLogger('silent'),
    limits: { telegram: LIMITS },
    concurrency: { telegram: CONCURRENCY },
  });
  return workers;
}

function reminders(firstChat: number, count: number): DeliveryInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `faults:${prefix}:${firstChat + i}`,
    purpose: 'reminder',
    channel: 'telegram' as const,
    address: String(firstChat + i),
    text: `Atgādinājums Nr. ${i}: lūdzu, atjaunojiet pasākuma statusu. / Reminder ${i}: please update the measure status.`,
    choices: [{ id: 'status:done', label: 'Pabeigts / Completed' }],
  }));
}

/**
 * Waits until each of `inputs` has arrived and is marked `sent`, or RESUME_TIMEOUT_MS has passed:
 * either way the checks that follow say what is missing or doubled.
 */
async function waitForTheRest(inputs: DeliveryInput[]): Promise<void> {
  const keys = inputs.map((input) => input.key);
  // While the database does not answer, nothing counts as marked.
  const marked = () => DeliveryModel.countDocuments({ key: { $in: keys }, state: 'sent' }).catch(() => -1);
  await until(async () => fake.sent().length >= inputs.length && (await marked()) === inputs.length, RESUME_TIMEOUT_MS).catch(() => undefined);
}

/** A list short enough to read in a failure message. */
const few = (items: string[]) => (items.length <= 10 ? items : [...items.slice(0, 10), `… ${items.length} in all`]);

/**
 * Every input arrived at the fake exactly once, as its own text to its own chat, nothing else was
 * sent, every record is `sent` with the id of the message that arrived, and no job is left that
 * could send again.
 */
async function expectEachSentOnce(inputs: DeliveryInput[]): Promise<void> {
  const arrived = new Map<string, string[]>();
  for (const call of fake.sent()) {
    const chat = String(call.params.chat_id);
    arrived.set(chat, [...(arrived.get(chat) ?? []), String(call.params.text)]);
  }
  const lost = inputs.filter((input) => !arrived.has(input.address)).map((input) => input.address);
  const duplicated = [...arrived].filter(([, texts]) => texts.length > 1).map(([chat]) => chat);
  const wrong = inputs.filter((input) => arrived.has(input.address) && arrived.get(input.address)![0] !== input.text).map((input) => input.address);
  expect({ lost: few(lost), duplicated: few(duplicated), wrong: few(wrong) }).toEqual({ lost: [], duplicated: [], wrong: [] });
  expect(fake.sent()).toHaveLength(inputs.length);

  const records = await DeliveryModel.find({ key: { $in: inputs.map((input) => input.key) } }, { key: 1, state: 1, platformMessageId: 1 }).lean();
  expect(records).toHaveLength(inputs.length);
  expect(few(records.filter((record) => record.state !== 'sent').map((record) => `${record.key}: ${record.state}`))).toEqual([]);
  // Each chat holds one message, so the one that arrived has id 1.
  expect(few(records.filter((record) => record.platformMessageId !== '1').map((record) => record.key))).toEqual([]);

  // Nothing waiting, delayed or being worked on that a later run could send a second time.
  await expect.poll(() => outbox.queues.telegram.getJobCounts('wait', 'prioritized', 'delayed', 'active'), { timeout: 5_000 }).toEqual({
    wait: 0,
    prioritized: 0,
    delayed: 0,
    active: 0,
  });
}

describe('outbox faults with the real services', () => {
  it(
    'loses and repeats nothing when Redis restarts for 5 s at 40% of a batch, and resumes sending after it',
    async () => {
      const batch = reminders(10_000, COUNT);
      await produceDeliveries(outbox, batch);
      startWorkers();
      await until(() => fake.sent().length >= STOP_AT, 20_000);

      // A restart (deploy, upgrade, `docker compose restart`) sends SIGTERM: Redis fsyncs the AOF
      // and exits, so with `appendfsync everysec`, as docker-compose runs it, every write it has
      // answered is kept. That is this configuration's realistic stop. A crash (SIGKILL) with
      // `everysec` may lose up to a second of writes, e.g. a job just added, which the requeue
      // sweep finds minutes later: a different case from a 5 s restart.
      await redisServer.stop('SIGTERM');
      const sentAtStop = fake.sent().length;
      // The scheduler keeps producing meanwhile: the records are written, the jobs wait in the
      // client's offline queue until Redis answers again.
      const duringOutage = reminders(20_000, 20);
      const producing = produceDeliveries(outbox, duringOutage);
      producing.catch(() => undefined);
      await sleep(5_000);
      const sentWhileDown = fake.sent().length - sentAtStop;
      await redisServer.start();
      const restartedAt = performance.now();

      expect(await within(RESUME_TIMEOUT_MS, 'producing during the outage', producing)).toEqual({ created: duringOutage.length, existing: 0 });
      const all = [...batch, ...duringOutage];
      await waitForTheRest(all);

      await expectEachSentOnce(all);
      // The outage really fell in the middle: part was sent before, the rest after Redis was back;
      // while it was down at most the sends already under way finished.
      expect(sentAtStop).toBeGreaterThanOrEqual(STOP_AT);
      expect(sentAtStop).toBeLessThan(COUNT * 0.8);
      expect(sentWhileDown).toBeLessThanOrEqual(CONCURRENCY);
      expect(fake.sent().filter((call) => call.at > restartedAt).length).toBeGreaterThan(COUNT * 0.2);
    },
    RESUME_TIMEOUT_MS + 30_000,
  );

  it(
    'loses and repeats nothing when the database is down for 10 s at 40% of a batch',
    async () => {
      const batch = reminders(30_000, COUNT);
      await produceDeliveries(outbox, batch);
      startWorkers();
      await until(() => fake.sent().length >= STOP_AT, 20_000);

      // A crash or an OOM kill: no goodbye, connections drop in the middle of a command, and a
      // write may be committed without its answer reaching us. SQLite's WAL keeps every commit
      // through a crash of the process (only a power cut could lose the last ones).
      await mongoServer.stop('SIGKILL');
      const sentAtStop = fake.sent().length;
      await sleep(10_000);
      const sentWhileDown = fake.sent().length - sentAtStop;
      await mongoServer.start();
      const restartedAt = performance.now();

      await waitForTheRest(batch);

      await expectEachSentOnce(batch);
      expect(sentAtStop).toBeGreaterThanOrEqual(STOP_AT);
      expect(sentAtStop).toBeLessThan(COUNT * 0.8);
      // Each job reads its record before sending, so while the database was down only the sends
      // of records read before finished (their marks waited for it).
      expect(sentWhileDown).toBeLessThanOrEqual(CONCURRENCY);
      expect(fake.sent().filter((call) => call.at > restartedAt).length).toBeGreaterThan(COUNT * 0.2);
    },
    RESUME_TIMEOUT_MS + 30_000,
  );
});
