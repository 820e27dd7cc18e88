import { describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { AuditEntryModel, ConversationStateModel, DeliveryModel, InboundEventModel } from '../../src/models/index.js';
import { pruneOldRecords } from '../../src/jobs/retention.js';
import { loadConfig } from '../../src/config.js';
import { useTestDatabase } from '../support/mongo.js';

useTestDatabase();

/** Bookkeeping is pruned after the configured days; what is still to be sent and the record stay. */

const NOW = new Date('2026-12-01T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

describe('retention', () => {
  it('prunes old event ids, abandoned conversations and finished deliveries, and keeps pending deliveries and the audit log', async () => {
    await InboundEventModel.create([
      { key: 'old-event', at: daysAgo(15) },
      { key: 'new-event', at: daysAgo(1) },
    ]);
    const state = (contact: Types.ObjectId, updatedAt: Date) => ({ contact, channel: 'telegram', flow: 'status', step: 'choose', version: 0, data: {}, createdAt: updatedAt, updatedAt });
    await ConversationStateModel.collection.insertMany([state(new Types.ObjectId(), daysAgo(31)), state(new Types.ObjectId(), daysAgo(2))]);
    const delivery = (key: string, deliveryState: string, updatedAt: Date) => ({
      key,
      purpose: 'reminder',
      channel: 'telegram',
      address: '1',
      text: 'x',
      state: deliveryState,
      attempts: 0,
      createdAt: updatedAt,
      updatedAt,
    });
    await DeliveryModel.collection.insertMany([
      delivery('old-sent', 'sent', daysAgo(401)),
      delivery('old-failed', 'failed', daysAgo(500)),
      delivery('old-pending', 'pending', daysAgo(500)),
      delivery('new-sent', 'sent', daysAgo(10)),
    ]);
    await AuditEntryModel.create({ at: daysAgo(900), actor: 'cli', action: 'plan.import', subject: 'plan:x' });

    const { retention } = loadConfig({});
    expect(retention).toEqual({ inboundEvents: 14, conversations: 30, deliveries: 400 });
    expect(await pruneOldRecords(NOW, retention)).toEqual({ inboundEvents: 1, conversations: 1, deliveries: 2 });

    expect((await InboundEventModel.find({}, { key: 1 }).lean()).map((e) => e.key)).toEqual(['new-event']);
    expect(await ConversationStateModel.countDocuments()).toBe(1);
    expect((await DeliveryModel.find({}, { key: 1 }).sort({ key: 1 }).lean()).map((d) => d.key)).toEqual(['new-sent', 'old-pending']);
    expect(await AuditEntryModel.countDocuments()).toBe(1);
    // Running it again finds nothing more.
    expect(await pruneOldRecords(NOW, retention)).toEqual({ inboundEvents: 0, conversations: 0, deliveries: 0 });
  });
});
