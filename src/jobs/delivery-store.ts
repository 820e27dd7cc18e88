import type { Types } from 'mongoose';
import { ChannelIdentityModel } from '../models/contact.js';
import { DeliveryModel, type DeliveryState } from '../models/delivery.js';
import type { Channel } from '../models/shared.js';
import type { SendError } from './senders/sender.js';

/**
 * The worker's writes after a send. Each sets absolute values (never `$inc`) so that repeating a
 * write after an error is harmless, and each is retried a few times: once the platform has the
 * message, losing the mark to a passing database error would mean sending it again.
 *
 * The filter is the bare `_id` on purpose: FerretDB pushes only an `{ _id }` filter down to its
 * storage and reads the whole collection for anything else. The worker has just read the delivery
 * as `pending`, and only it holds the job, so a state condition would add little.
 */

const RETRY_DELAYS_MS = [50, 150, 400, 1_000, 2_000];

export async function withWriteRetry<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      // e.g. the SQLite-backed FerretDB answers "database is locked" under concurrent writers.
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    }
  }
}

export async function markSent(id: Types.ObjectId, messageId: string, attempts: number, now = new Date()): Promise<void> {
  // `sent` is the truth even if someone cancelled meanwhile: the platform has it.
  await withWriteRetry(() =>
    DeliveryModel.updateOne({ _id: id }, { $set: { state: 'sent', platformMessageId: messageId, sentAt: now, attempts } }),
  );
}

/** Records a failed try; `state` stays `pending` while the queue will try again. */
export async function markAttempt(
  id: Types.ObjectId,
  outcome: { state: Extract<DeliveryState, 'pending' | 'failed' | 'undeliverable'>; attempts: number; error: SendError },
  now = new Date(),
): Promise<void> {
  const lastError = { code: outcome.error.code, message: outcome.error.message.slice(0, 500), at: now };
  await withWriteRetry(() =>
    DeliveryModel.updateOne({ _id: id }, { $set: { state: outcome.state, attempts: outcome.attempts, lastError } }),
  );
}

/** The recipient blocked the bot or is gone: stop addressing this identity until it links again. */
export async function deactivateIdentity(channel: Channel, address: string, reason: string): Promise<void> {
  await withWriteRetry(() =>
    ChannelIdentityModel.updateMany({ channel, address, active: true }, { $set: { active: false, inactiveReason: reason } }),
  );
}
