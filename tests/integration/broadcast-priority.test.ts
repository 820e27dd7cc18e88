import { describe, expect, it } from 'vitest';
import { confirmBroadcast, createBroadcast } from '../../src/domain/broadcasts/broadcasts.js';
import { createLogger } from '../../src/log.js';
import { createBroadcastQueue, startBroadcastWorker } from '../../src/jobs/broadcast-queue.js';
import { produceDeliveries } from '../../src/jobs/outbox.js';
import { NO_LIMITS } from '../../src/jobs/outbox-limits.js';
import { BroadcastModel, ChannelIdentityModel, ContactModel } from '../../src/models/index.js';
import { deliveryStates } from '../support/broadcast-e2e.js';
import { useTestDatabase } from '../support/mongo.js';
import { RecordingSender, until, useOutboxTestbed } from '../support/outbox.js';

/**
 * Issue 8: a person's reply and a deadline reminder go out while a broadcast to 2,000 people is
 * being sent, ahead of the broadcast's remaining deliveries. The broadcast is a real one: created,
 * confirmed and fanned out by the broadcast worker; the order is read from the sender.
 */

useTestDatabase();
const bed = useOutboxTestbed();

const AUDIENCE = 2_000;

describe('broadcast priority', () => {
  it('delivers a reply and a reminder while a 2,000-recipient broadcast is in progress, before its remaining deliveries', async () => {
    const contacts = await ContactModel.insertMany(
      Array.from({ length: AUDIENCE }, (_, i) => ({ name: `Dalībnieks ${i}`, email: `member${i}@forum.example`, roles: ['forum_member'], language: i % 3 ? 'lv' : 'en' })),
    );
    await ChannelIdentityModel.insertMany(contacts.map((c, i) => ({ contact: c._id, channel: 'telegram', externalId: String(50_000 + i), address: `bc-${i}` })));
    const author = { actor: 'cli', name: 'Ilze Bērziņa' };
    const draft = await createBroadcast({ text: { lv: 'Foruma sēde 14. maijā.', en: 'Forum meeting on 14 May.' }, audience: { kind: 'roles', roles: ['forum_member'] } }, author);
    const id = String(draft._id);
    expect(await confirmBroadcast({ id, author, now: new Date() })).toMatchObject({ ok: true });

    // One worker slot, so the send order is the order the queue hands jobs out; 100 a second,
    // so the broadcast would take 20 s.
    const sender = new RecordingSender();
    bed.startWorkers({ senders: { telegram: sender }, limits: { telegram: { ...NO_LIMITS, global: { max: 10, duration: 100 } } }, concurrency: { telegram: 1 } });
    const queue = createBroadcastQueue({ connection: bed.redis, prefix: bed.prefix, outbox: bed.outbox });
    const worker = startBroadcastWorker({ connection: bed.redis, prefix: bed.prefix, outbox: bed.outbox, log: createLogger('silent') });
    try {
      await queue.kick(id, new Date());
      // Every delivery written and queued, and sending well under way.
      await until(async () => sender.order.length >= 100 && Boolean((await BroadcastModel.findById(id, { fannedOutAt: 1 }).lean())?.fannedOutAt), 20_000);

      const sentBefore = sender.order.length;
      // The reminder first in the call: the class decides, not the order of production.
      await produceDeliveries(bed.outbox, [
        { key: `${bed.prefix}:reminder`, purpose: 'reminder', channel: 'telegram', address: 'reminder', text: 'Atgādinājums: līdz 30.11. jāiesniedz progress.' },
        { key: `${bed.prefix}:reply`, purpose: 'status.saved', priority: 'reply', channel: 'telegram', address: 'reply', text: 'Saglabāts. Paldies!' },
      ]);
      const sentAfter = sender.order.length;
      await until(() => sender.order.includes('reply') && sender.order.includes('reminder'));

      const reply = sender.order.indexOf('reply');
      const reminder = sender.order.indexOf('reminder');
      // At most the one job already running when they were queued goes between.
      expect(reply).toBeGreaterThanOrEqual(sentBefore);
      expect(reply).toBeLessThanOrEqual(sentAfter + 1);
      expect(reminder).toBe(reply + 1);
      // The broadcast is still going, most of it still to come.
      const states = await deliveryStates(id);
      expect(states.sent ?? 0).toBeLessThan(AUDIENCE / 2);
      expect((states.pending ?? 0) + (states.sent ?? 0)).toBe(AUDIENCE);
      expect(sender.order.slice(0, reply).every((address) => address.startsWith('bc-'))).toBe(true);
      expect(await BroadcastModel.findById(id, { state: 1 }).lean()).toMatchObject({ state: 'sending' });
    } finally {
      await worker.close();
      await queue.queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
