import { Types } from 'mongoose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelIdentityModel, ContactModel, DeliveryModel } from '../../src/models/index.js';
import { OutboxInputError, produceDeliveries, requeuePending, type DeliveryInput } from '../../src/jobs/outbox.js';
import { DEFAULT_LIMITS, NO_LIMITS, type ChannelLimits } from '../../src/jobs/outbox-limits.js';
import type { OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { createTelegramApi, createTelegramSender } from '../../src/bots/telegram/sender.js';
import { FakeTelegram, telegramFailures } from '../support/fake-telegram.js';
import { useTestDatabase } from '../support/mongo.js';
import { settled, sleep, until, useOutboxTestbed } from '../support/outbox.js';

useTestDatabase();

let fake: FakeTelegram;
// Registered before the outbox's hooks, so that the fake stops after the workers did.
beforeEach(async () => {
  fake = await new FakeTelegram().start();
});
afterEach(async () => {
  await fake.stop();
});
// Short backoff so retries happen within the test; three tries in all.
const bed = useOutboxTestbed({ jobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 100 } } });

function startWorkers(limits: Partial<ChannelLimits> = NO_LIMITS, concurrency?: number): OutboxWorkers {
  return bed.startWorkers({
    senders: { telegram: createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot })) },
    limits: { telegram: limits },
    ...(concurrency ? { concurrency: { telegram: concurrency } } : {}),
  });
}

let seq = 0;
function reminder(chatId: number, overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  seq += 1;
  return {
    key: `test:${bed.prefix}:${seq}`,
    purpose: 'reminder',
    channel: 'telegram',
    address: String(chatId),
    text: 'Atgādinājums: lūdzu, atjaunojiet pasākuma 3.5 statusu. / Reminder: please update measure 3.5.',
    choices: [
      { id: 'status:done', label: 'Pabeigts / Completed' },
      { id: 'status:progress', label: 'Procesā / In progress' },
    ],
    ...overrides,
  };
}

describe('outbox', () => {
  it('sends a delivery once with its buttons and records the platform message id', async () => {
    startWorkers();
    const input = reminder(1001);
    expect(await produceDeliveries(bed.outbox, [input])).toEqual({ created: 1, existing: 0 });
    const delivery = await settled(input.key);
    expect(delivery).toMatchObject({ state: 'sent', attempts: 1, platformMessageId: '1' });
    expect(delivery.sentAt).toBeInstanceOf(Date);
    const [call] = fake.sent(1001);
    expect(call?.params.text).toBe(input.text);
    expect(call?.params.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Pabeigts / Completed', callback_data: 'status:done' }], [{ text: 'Procesā / In progress', callback_data: 'status:progress' }]],
    });
  });

  it('sends a key produced twice once, also after its job was removed from Redis', async () => {
    startWorkers();
    const input = reminder(1002);
    expect(await produceDeliveries(bed.outbox, [input, input])).toEqual({ created: 1, existing: 1 });
    expect(await produceDeliveries(bed.outbox, [input])).toEqual({ created: 0, existing: 1 });
    await settled(input.key);

    // The queue forgets everything; producing again must not send again.
    await bed.outbox.queues.telegram.obliterate({ force: true });
    expect(await produceDeliveries(bed.outbox, [input])).toEqual({ created: 0, existing: 1 });
    expect(await bed.outbox.queues.telegram.getJobCounts('wait', 'delayed', 'active')).toEqual({ wait: 0, delayed: 0, active: 0 });
    // Even a stray job for the sent delivery is skipped by the worker, which re-reads the record.
    const delivery = await DeliveryModel.findOne({ key: input.key }).lean();
    const stray = await bed.outbox.queues.telegram.add('reminder', { deliveryId: String(delivery?._id) });
    await expect.poll(async () => (await stray.getState()) === 'completed' || (await bed.outbox.queues.telegram.getJob(stray.id!)) === undefined).toBe(true);
    await sleep(200);
    expect(fake.sent(1002)).toHaveLength(1);
  });

  it('queues a still-pending key again when its job was lost, and sends it once', async () => {
    const input = reminder(1003);
    await produceDeliveries(bed.outbox, [input]);
    await bed.outbox.queues.telegram.obliterate({ force: true });
    expect(await produceDeliveries(bed.outbox, [input])).toEqual({ created: 0, existing: 1 });
    // Every outbox job has a priority, so it waits in BullMQ's `prioritized` set, not `wait`.
    expect(await bed.outbox.queues.telegram.getJobCounts('wait', 'prioritized')).toEqual({ wait: 0, prioritized: 1 });
    startWorkers();
    expect(await settled(input.key)).toMatchObject({ state: 'sent' });
    await sleep(200);
    expect(fake.sent(1003)).toHaveLength(1);
  });

  it('honours a 429 retry_after through the queue without using up an attempt', async () => {
    // One attempt only: if the 429 counted as a failed attempt the delivery would end `failed`.
    await bed.reopen({ attempts: 1 });
    startWorkers({ global: { max: 30, duration: 1000 }, perAddressMs: 1000 });
    fake.failNext(1, telegramFailures.tooManyRequests(2), { method: 'sendMessage' });
    const input = reminder(1004);
    await produceDeliveries(bed.outbox, [input]);
    const delivery = await settled(input.key);
    expect(delivery).toMatchObject({ state: 'sent', attempts: 2, lastError: { code: 'rate_limited' } });
    const calls = fake.callsTo('sendMessage');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(2_000);
    expect(fake.sent(1004)).toHaveLength(1);
  });

  it('after a 429 storm the whole channel waits, then resumes at the limit, not in a burst of the sends that had a slot', async () => {
    startWorkers(DEFAULT_LIMITS.telegram);
    fake.limits = { perSecond: 30, perChatMs: 1000 };
    const inputs = Array.from({ length: 120 }, (_, i) => reminder(30_000 + i));
    await produceDeliveries(bed.outbox, inputs);
    await until(() => fake.sent().length >= 20);
    const stormEnds = performance.now() + 1_500;
    fake.failFor(1_500, telegramFailures.tooManyRequests(2), { method: 'sendMessage' });
    await until(async () => (await DeliveryModel.countDocuments({ key: { $in: inputs.map((input) => input.key) }, state: 'sent' })) === inputs.length, 20_000);

    const calls = fake.callsTo('sendMessage').filter((call) => call.at > stormEnds);
    const stormStarted = fake.callsTo('sendMessage').find((call) => call.status === 429)!.at;
    // Nothing goes out until the 2 s the first 429 asked for have passed, by any worker.
    expect(fake.sent().filter((call) => call.at > stormStarted && call.at < stormStarted + 2_000)).toEqual([]);
    // From then on no more than Telegram's 30 in any second, so none is refused.
    expect(calls.filter((call) => call.status !== 200)).toEqual([]);
    const busiestSecond = Math.max(...calls.map((call) => calls.filter((other) => other.at >= call.at && other.at < call.at + 1_000).length));
    expect(busiestSecond).toBeLessThanOrEqual(30);
    expect(new Set(fake.sent().map((call) => call.params.chat_id)).size).toBe(inputs.length);
  });

  it('sends a delivery that follows another (`after`) only once that one has gone, whichever job comes first', async () => {
    startWorkers();
    // The first is held for a moment, as by quiet hours or a 429: its job waits, the second's does not.
    const first = reminder(1005, { held: { reason: 'quiet_hours', until: new Date(Date.now() + 1_500) } });
    const second = reminder(1005, { after: first.key, text: 'Otrā daļa. / Second part.' });
    await produceDeliveries(bed.outbox, [first, second]);
    expect(await settled(second.key)).toMatchObject({ state: 'sent' });
    expect(fake.sent(1005).map((call) => call.params.text)).toEqual([first.text, second.text]);
  });

  it('stops trying a chat that blocked the bot: its other pending deliveries are cancelled with the reason, not each sent once more', async () => {
    startWorkers(NO_LIMITS, 1);
    fake.block(2002);
    const inputs = [1, 2, 3].map((n) => reminder(2002, { key: `${bed.prefix}:blocked-${n}` }));
    await produceDeliveries(bed.outbox, inputs);
    expect(await settled(inputs[0]!.key)).toMatchObject({ state: 'undeliverable', lastError: { code: 'blocked' } });
    for (const input of inputs.slice(1)) {
      expect(await settled(input.key)).toMatchObject({ state: 'cancelled', attempts: 0, lastError: { code: 'blocked' } });
    }
    await sleep(300);
    expect(fake.callsTo('sendMessage')).toHaveLength(1);
  });

  it('marks a user who blocked the bot unreachable: identity inactive, delivery undeliverable, no retry', async () => {
    startWorkers();
    const contact = await ContactModel.create({ name: 'Ilze Ozola', email: `ilze.${bed.prefix}@example.lv` });
    await ChannelIdentityModel.create({ contact: contact._id, channel: 'telegram', externalId: '2001', address: '2001' });
    fake.block(2001);
    const input = reminder(2001, { contact: contact._id });
    await produceDeliveries(bed.outbox, [input]);
    expect(await settled(input.key)).toMatchObject({ state: 'undeliverable', attempts: 1, lastError: { code: 'blocked' } });
    const identity = await ChannelIdentityModel.findOne({ contact: contact._id }).lean();
    expect(identity).toMatchObject({ active: false, inactiveReason: 'blocked' });
    await sleep(400);
    expect(fake.callsTo('sendMessage')).toHaveLength(1);
  });

  it('marks a chat Telegram does not know undeliverable without retrying', async () => {
    startWorkers();
    fake.forgetChat(2002);
    const input = reminder(2002);
    await produceDeliveries(bed.outbox, [input]);
    expect(await settled(input.key)).toMatchObject({ state: 'undeliverable', lastError: { code: 'chat_not_found' } });
    await sleep(400);
    expect(fake.callsTo('sendMessage')).toHaveLength(1);
  });

  it('retries 5xx answers with backoff and records the attempts', async () => {
    startWorkers();
    fake.failNext(1, telegramFailures.serverError(500), { method: 'sendMessage' });
    fake.failNext(1, telegramFailures.proxyErrorPage(502), { method: 'sendMessage' });
    const input = reminder(3001);
    await produceDeliveries(bed.outbox, [input]);
    const delivery = await settled(input.key);
    expect(delivery).toMatchObject({ state: 'sent', attempts: 3, platformMessageId: '1', lastError: { code: 'network_error' } });
    expect(fake.callsTo('sendMessage').map((c) => c.status)).toEqual([500, 502, 200]);
  });

  it('gives up after the last attempt and marks the delivery failed', async () => {
    startWorkers();
    fake.failNext(10, telegramFailures.serverError(503), { method: 'sendMessage' });
    const input = reminder(3002);
    await produceDeliveries(bed.outbox, [input]);
    expect(await settled(input.key)).toMatchObject({ state: 'failed', attempts: 3, lastError: { code: 'server_error' } });
    await sleep(300);
    expect(fake.callsTo('sendMessage')).toHaveLength(3);
  });

  it('fails a message the platform refuses without retrying', async () => {
    startWorkers();
    fake.failNext(1, telegramFailures.badRequest("can't parse entities"), { method: 'sendMessage' });
    const input = reminder(3003);
    await produceDeliveries(bed.outbox, [input]);
    expect(await settled(input.key)).toMatchObject({ state: 'failed', attempts: 1, lastError: { code: 'bad_request' } });
    await sleep(300);
    expect(fake.callsTo('sendMessage')).toHaveLength(1);
  });

  it('paces messages to one chat about a second apart', async () => {
    startWorkers({ global: { max: 30, duration: 1000 }, perAddressMs: 1000 });
    const inputs = [reminder(4001), reminder(4001), reminder(4001), reminder(4002)];
    await produceDeliveries(bed.outbox, inputs);
    for (const input of inputs) expect(await settled(input.key)).toMatchObject({ state: 'sent' });
    const times = fake.sent(4001).map((call) => call.at);
    expect(times).toHaveLength(3);
    // Measured at the fake, so network jitter of a few ms either way is allowed.
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(950);
    // Another chat is not held up by the first one.
    expect(fake.sent(4002)[0]!.at - times[0]!).toBeLessThan(950);
  });

  it('skips a delivery cancelled after it was queued', async () => {
    const input = reminder(5001);
    await produceDeliveries(bed.outbox, [input]);
    await DeliveryModel.updateOne({ key: input.key }, { $set: { state: 'cancelled' } });
    startWorkers();
    await expect.poll(() => bed.outbox.queues.telegram.getJobCounts('wait', 'active')).toEqual({ wait: 0, active: 0 });
    await sleep(200);
    expect(fake.callsTo('sendMessage')).toHaveLength(0);
    expect(await DeliveryModel.findOne({ key: input.key }).lean()).toMatchObject({ state: 'cancelled', attempts: 0 });
  });

  it('re-queues old pending deliveries whose job never made it to Redis', async () => {
    const lost = reminder(6001);
    const old = new Date(Date.now() - 10 * 60_000);
    // As if the producer crashed between the insert and the enqueue.
    await DeliveryModel.create({ ...lost, state: 'pending', createdAt: old, updatedAt: old });
    const fresh = reminder(6002);
    await DeliveryModel.create({ ...fresh, state: 'pending' });
    expect(await requeuePending(bed.outbox, { olderThanMs: 5 * 60_000 })).toBe(1);
    startWorkers();
    expect(await settled(lost.key)).toMatchObject({ state: 'sent' });
    expect(await DeliveryModel.findOne({ key: fresh.key }).lean()).toMatchObject({ state: 'pending' });
    expect(fake.sent(6002)).toHaveLength(0);
  });

  it('refuses invalid input as a whole and records nothing', async () => {
    const good = reminder(7001);
    const bad = reminder(7002, { address: ' ', choices: [{ id: 'x'.repeat(65), label: 'Garš / Long' }] });
    const error = await produceDeliveries(bed.outbox, [good, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboxInputError);
    expect((error as OutboxInputError).problems).toEqual([
      expect.stringContaining('inputs[1].address'),
      expect.stringContaining('inputs[1].choices.0.id: must be at most 64 bytes'),
    ]);
    expect(await DeliveryModel.countDocuments({ key: { $in: [good.key, bad.key] } })).toBe(0);
    expect(await bed.outbox.queues.telegram.getJobCounts('wait', 'prioritized')).toEqual({ wait: 0, prioritized: 0 });
  });

  it('checks links, files, edits, priorities and buttons, naming each problem, and records nothing', async () => {
    const file = { name: 'atbildes.csv', mediaType: 'text/csv', source: { kind: 'stored' as const, fileId: new Types.ObjectId().toHexString() } };
    const inputs = [
      reminder(7010, { links: [{ label: 'Ziņojums', url: 'javascript:alert(1)' }], priority: 'urgent' as never }),
      reminder(7011, { attachments: [{ ...file, name: '../../etc/passwd', source: { kind: 'stored', fileId: 'not-an-id' } }] }),
      reminder(7012, { edit: { deliveryKey: 'elsewhere' }, attachments: [file] }),
      reminder(7013, { edit: { ref: { address: '1', messageId: '2' } } }),
      reminder(7014, { choices: [{ id: 'same', label: 'A' }, { id: 'same', label: 'B' }] }),
      reminder(7015, { choices: Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, label: `${i}` })), links: [{ label: 'Vēl', url: 'https://example.lv' }] }),
    ];
    const error = await produceDeliveries(bed.outbox, inputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboxInputError);
    expect((error as OutboxInputError).problems).toEqual([
      expect.stringMatching(/^inputs\[0\]\.priority: /),
      'inputs[0].links.0.url: must be an http or https URL',
      'inputs[1].attachments.0.name: must be a file name, not a path',
      'inputs[1].attachments.0.source.fileId: must be a stored file id (24 hex digits)',
      'inputs[2].attachments: an edit replaces text and buttons; it cannot carry files',
      'inputs[3].edit.ref.address: must be the address of the delivery',
      'inputs[4].choices: choice ids must be unique',
      'inputs[5].choices: at most 100 buttons with the links, got 101',
    ]);
    expect(await DeliveryModel.countDocuments({ key: { $in: inputs.map((i) => i.key) } })).toBe(0);
    expect(await bed.outbox.queues.telegram.getJobCounts('wait', 'prioritized')).toEqual({ wait: 0, prioritized: 0 });
  });

  it('takes a contact as an ObjectId or its hex string', async () => {
    const id = new Types.ObjectId();
    const a = reminder(7003, { contact: id });
    const b = reminder(7004, { contact: id.toHexString() });
    await produceDeliveries(bed.outbox, [a, b]);
    const stored = await DeliveryModel.find({ key: { $in: [a.key, b.key] } }).lean();
    expect(stored.map((d) => String(d.contact))).toEqual([id.toHexString(), id.toHexString()]);
  });

  it('marks many sends finishing at once (FerretDB never answered one update command of ~100 marks)', async () => {
    startWorkers(NO_LIMITS, 200);
    const inputs = Array.from({ length: 400 }, (_, i) => reminder(700_000 + i));
    await produceDeliveries(bed.outbox, inputs);
    const until = Date.now() + 20_000;
    let sent = 0;
    while ((sent = await DeliveryModel.countDocuments({ key: { $in: inputs.map((d) => d.key) }, state: 'sent' })) < inputs.length) {
      if (Date.now() > until) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sent).toBe(inputs.length);
    expect(fake.sent()).toHaveLength(inputs.length);
  });
});
