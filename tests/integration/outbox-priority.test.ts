import { describe, expect, it } from 'vitest';
import { DeliveryModel } from '../../src/models/index.js';
import { OUTBOX_PRIORITY, produceDeliveries, requeuePending, type DeliveryInput } from '../../src/jobs/outbox.js';
import { NO_LIMITS } from '../../src/jobs/outbox-limits.js';
import { useTestDatabase } from '../support/mongo.js';
import { RecordingSender, until, useOutboxTestbed } from '../support/outbox.js';

/**
 * Issue 6, item 6: a person's replies and deadline reminders never wait behind a large batch.
 * Asserted on the order of sends, not on the clock.
 */

useTestDatabase();
const bed = useOutboxTestbed();

function message(key: string, address: string, overrides: Partial<DeliveryInput> = {}): DeliveryInput {
  return { key: `${bed.prefix}:${key}`, purpose: 'test', channel: 'telegram', address, text: `Ziņa ${key} / Message ${key}`, ...overrides };
}

describe('outbox priorities', () => {
  it('sends a reply and a reminder produced after 2,000 bulk deliveries before the batch is through', async () => {
    const BATCH = 2_000;
    const bulk = Array.from({ length: BATCH }, (_, i) => message(`bulk-${i}`, `bulk-${i}`, { purpose: 'broadcast', priority: 'bulk' }));
    await produceDeliveries(bed.outbox, bulk);
    // Every job carries a priority: BullMQ would serve one without (priority 0) before all others.
    expect(await bed.outbox.queues.telegram.getCountsPerPriority([0, OUTBOX_PRIORITY.bulk])).toEqual({ 0: 0, [OUTBOX_PRIORITY.bulk]: BATCH });

    // One worker slot, so the send order is exactly the order the queue hands jobs out; 200 a
    // second through BullMQ's limiter, so the batch would take 10 s.
    const sender = new RecordingSender();
    bed.startWorkers({
      senders: { telegram: sender },
      limits: { telegram: { ...NO_LIMITS, global: { max: 20, duration: 100 } } },
      concurrency: { telegram: 1 },
    });
    await until(() => sender.order.length >= 100);

    const sentBefore = sender.order.length;
    // The reminder first in the call: the class decides, not the order of production.
    await produceDeliveries(bed.outbox, [
      message('reminder', 'reminder', { purpose: 'reminder' }),
      message('reply', 'reply', { purpose: 'export', priority: 'reply' }),
    ]);
    const sentAfter = sender.order.length;
    await until(() => sender.order.includes('reply') && sender.order.includes('reminder'));

    const reply = sender.order.indexOf('reply');
    const reminder = sender.order.indexOf('reminder');
    const bulkSent = sender.order.filter((address) => address.startsWith('bulk-')).length;
    // At most the one job already running when they were queued goes between.
    expect(reply).toBeGreaterThanOrEqual(sentBefore);
    expect(reply).toBeLessThanOrEqual(sentAfter + 1);
    expect(reminder).toBe(reply + 1);
    // Most of the batch is still to come.
    expect(bulkSent).toBeLessThan(BATCH / 2);
    const waiting = await bed.outbox.queues.telegram.getCountsPerPriority([OUTBOX_PRIORITY.bulk]);
    expect(waiting[OUTBOX_PRIORITY.bulk]).toBeGreaterThan(BATCH / 2);
  });

  it('gives each class its priority and defaults one from the purpose', async () => {
    await produceDeliveries(bed.outbox, [
      message('r', '1', { purpose: 'export', priority: 'reply' }),
      message('m', '2', { purpose: 'reminder' }),
      message('c', '3', { purpose: 'reminder.coordinator' }),
      message('d', '4', { purpose: 'reminder.declined' }),
      message('b', '5', { purpose: 'broadcast', priority: 'bulk' }),
    ]);
    const jobs = await bed.outbox.queues.telegram.getJobs(['prioritized']);
    const byName = Object.fromEntries(await Promise.all(jobs.map(async (job) => [job.name, job.priority] as const)));
    expect(byName).toEqual({ export: 1, reminder: 2, 'reminder.coordinator': 3, 'reminder.declined': 3, broadcast: 4 });
    const stored = await DeliveryModel.find({ key: { $regex: `^${bed.prefix}:` } }, { key: 1, priority: 1, _id: 0 }).sort({ key: 1 }).lean();
    expect(stored.map((d) => d.priority)).toEqual(['bulk', 'notice', 'notice', 'reminder', 'reply']);
  });

  it('re-queues a lost job with its own priority, also for records from before priorities', async () => {
    const old = new Date(Date.now() - 10 * 60_000);
    const lostBulk = message('lost-bulk', '11', { purpose: 'digest' });
    const legacyReminder = message('legacy', '12', { purpose: 'reminder' });
    await DeliveryModel.create({ ...lostBulk, priority: 'bulk', state: 'pending', createdAt: old, updatedAt: old });
    // Written before the field existed: no priority at all.
    await DeliveryModel.collection.insertOne({ ...legacyReminder, choices: [], state: 'pending', attempts: 0, createdAt: old, updatedAt: old });

    expect(await requeuePending(bed.outbox, { olderThanMs: 5 * 60_000 })).toBe(2);
    const jobs = await bed.outbox.queues.telegram.getJobs(['prioritized']);
    expect(Object.fromEntries(jobs.map((job) => [job.name, job.priority]))).toEqual({ digest: OUTBOX_PRIORITY.bulk, reminder: OUTBOX_PRIORITY.reminder });
    expect(await bed.outbox.queues.telegram.getJobCounts('wait')).toEqual({ wait: 0 });
  });
});
