import { ConversationStateModel, DeliveryModel, InboundEventModel, StoredFileModel } from '../models/index.js';
import { MY_DATA_ORIGIN } from '../domain/privacy/privacy-feature.js';
import type { RetentionDays } from '../config.js';

/**
 * Prunes what is only bookkeeping, so the database does not grow for ever: processed platform
 * event ids (the dedupe memory), conversations nobody finished, and deliveries that are done (not
 * `pending`: what waits is still to be sent). Status reports, meetings, RSVPs and the audit log are
 * the record and are kept. Run by the scheduler a few times a day; safe to run twice.
 */
export async function pruneOldRecords(now: Date, days: RetentionDays): Promise<{ inboundEvents: number; conversations: number; deliveries: number }> {
  const before = (n: number) => new Date(now.getTime() - n * 86_400_000);
  // A person's own data, made for /mydata, is not kept once it has been sent.
  await StoredFileModel.deleteMany({ origin: MY_DATA_ORIGIN, createdAt: { $lt: before(1) } });
  const [inboundEvents, conversations, deliveries] = await Promise.all([
    InboundEventModel.deleteMany({ at: { $lt: before(days.inboundEvents) } }),
    ConversationStateModel.deleteMany({ updatedAt: { $lt: before(days.conversations) } }),
    DeliveryModel.deleteMany({ state: { $ne: 'pending' }, updatedAt: { $lt: before(days.deliveries) } }),
  ]);
  return { inboundEvents: inboundEvents.deletedCount, conversations: conversations.deletedCount, deliveries: deliveries.deletedCount };
}
