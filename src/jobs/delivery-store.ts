import mongoose, { Types, type AnyBulkWriteOperation } from 'mongoose';
import { ChannelIdentityModel } from '../models/contact.js';
import { DeliveryModel, type Delivery, type DeliveryState } from '../models/delivery.js';
import { BroadcastModel } from '../models/broadcast.js';
import type { Channel } from '../models/shared.js';
import { microBatch } from './micro-batch.js';

/**
 * The worker's reads and writes of deliveries. Reads and marks from concurrent jobs are grouped
 * (micro-batch.ts). Every mark sets absolute values (never `$inc`), so repeating it after an error
 * is harmless, and marks are retried a few times, and for minutes while the database is down:
 * once the platform has the message, losing the mark would mean sending it again.
 *
 * Marks filter on the bare `_id` on purpose: FerretDB pushes only an `{ _id }` filter down to its
 * storage and reads the whole collection for anything else. The worker has just read the delivery
 * as `pending` and holds the job's lock, so a state condition would add little.
 */

export type StoredDelivery = Delivery & { _id: Types.ObjectId };
export type EditTarget = Pick<StoredDelivery, '_id' | 'channel' | 'address' | 'state' | 'platformMessageId'>;

/** What a failed try records in `lastError`: a stable code (SendErrorCode, EditFailure, …) and the words. */
export interface DeliveryError {
  code: string;
  message: string;
}

export interface DeliveryStore {
  load(id: string): Promise<StoredDelivery | undefined>;
  /** The delivery an edit refers to by key; only the fields an edit needs. */
  loadByKey(key: string): Promise<EditTarget | undefined>;
  markSent(id: Types.ObjectId, messageId: string, attempts: number): Promise<void>;
  /** Records a failed try; `state` stays `pending` while the queue will try again. */
  markAttempt(
    id: Types.ObjectId,
    outcome: { state: Extract<DeliveryState, 'pending' | 'failed' | 'undeliverable'>; attempts: number; error: DeliveryError },
  ): Promise<void>;
  /** Stopped before it was sent (its broadcast was cancelled); only the worker holding its job writes this. */
  markCancelled(id: Types.ObjectId, error: DeliveryError): Promise<void>;
  /** Whether the broadcast a delivery belongs to was cancelled; read at most every STOP_CHECK_MS per broadcast. */
  broadcastCancelled(broadcastId: string): Promise<boolean>;
  /** The recipient blocked the bot or is gone: stop addressing this identity until it links again. */
  deactivateIdentity(channel: Channel, address: string, reason: string): Promise<void>;
  /**
   * The other deliveries still pending for that chat are cancelled with the reason, rather than
   * each tried once more against a chat that refuses them. Returns how many.
   */
  cancelPendingTo(channel: Channel, address: string, error: DeliveryError): Promise<number>;
}

/** Short tries for a passing error, e.g. FerretDB's "database is locked" under concurrent writers. */
const RETRY_DELAYS_MS = [50, 150, 400, 1_000, 2_000];

/**
 * While the database cannot be reached at all, a write keeps trying every UNREACHABLE_RETRY_MS for
 * this long. Once the platform has the message, giving up on its mark fails the job, and the
 * queue's retry sends it again; waiting costs nothing, as no other job can go ahead without the
 * database either. The short tries alone last about a minute (each waits up to the client's 10 s
 * server selection): the outage fault test (tests/integration/outbox-faults.test.ts) stretched
 * from 10 s to 70 s sent the message whose mark was under way twice. A graceful stop still ends
 * at its deadline (main.ts).
 */
const UNREACHABLE_PATIENCE_MS = 10 * 60_000;
const UNREACHABLE_RETRY_MS = 2_000;

/**
 * Every read and write here ends within this, by the driver's own operation timeout (`timeoutMS`).
 * The MongoDB driver (6.20, as mongoose 8 pins it) can wait for ever on a command written to a
 * pooled connection whose server has just died: the socket is already destroyed but its close not
 * yet handled, and the write waits for a `drain` that never comes. In 4 of 40 runs of the
 * database outage fault test (tests/integration/outbox-faults.test.ts) the grouped mark did so, and
 * every worker slot then waited behind it with its job lock renewed: the outbox stood still until a
 * restart. 15 s is above the 10 s the client waits to find a server (db.ts) and far above a healthy
 * round trip, so only such a hang is cut; the write is then tried again on a fresh connection.
 */
const OPERATION_TIMEOUT_MS = 15_000;

/**
 * No answer from the database (refused, reset, no server to select, or none within the operation
 * timeout), as opposed to a database that answered no.
 */
function databaseUnreachable(error: unknown): boolean {
  const { MongoBulkWriteError, MongoNetworkError, MongoServerSelectionError, MongoOperationTimeoutError } = mongoose.mongo;
  // bulkWrite wraps the driver's own error in a MongoBulkWriteError without write errors.
  const cause = error instanceof MongoBulkWriteError && error.errorResponse instanceof Error ? error.errorResponse : error;
  return cause instanceof MongoNetworkError || cause instanceof MongoServerSelectionError || cause instanceof MongoOperationTimeoutError;
}

/** How stale a broadcast's "cancelled?" may be: a cancel stops the sends within this. */
const STOP_CHECK_MS = 250;

/** `read` of a key at most once per `ms` in this process; a broadcast's 10,000 sends ask once a quarter second, not 10,000 times. */
function cachedFor<T>(ms: number, read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, { at: number; value: Promise<T> }>();
  return (key) => {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ms) return hit.value;
    const value = read(key);
    cache.set(key, { at: Date.now(), value });
    // A failed read is not kept.
    value.catch(() => cache.delete(key));
    return value;
  };
}

/**
 * FerretDB 1.24 (SQLite) never answers an `update` command carrying 100 or more updates by `_id`
 * (80 pass; the same with and without our build's index fix), which left every worker slot
 * waiting on a mark. 50 keeps well clear of it and still saves most round trips.
 */
const MAX_MARKS_PER_WRITE = 50;

async function withWriteRetry<T>(write: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const delay =
        RETRY_DELAYS_MS[attempt] ?? (databaseUnreachable(error) && Date.now() - started < UNREACHABLE_PATIENCE_MS ? UNREACHABLE_RETRY_MS : undefined);
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    }
  }
}

export function createDeliveryStore(options: { operationTimeoutMs?: number } = {}): DeliveryStore {
  const timeoutMS = options.operationTimeoutMs ?? OPERATION_TIMEOUT_MS;
  // One findById per job, not a grouped `$in`: FerretDB answers `{ _id }` from its index and
  // `$in` by reading the whole collection.
  const load = async (id: string) =>
    Types.ObjectId.isValid(id) ? ((await DeliveryModel.findById(id, null, { timeoutMS }).lean<StoredDelivery>()) ?? undefined) : undefined;
  const write = microBatch(async (ops: AnyBulkWriteOperation<Delivery>[]) => {
    await withWriteRetry(() => DeliveryModel.bulkWrite(ops, { ordered: false, timeoutMS }));
    return ops.map(() => undefined);
  }, MAX_MARKS_PER_WRITE);

  return {
    load,
    // By the unique key index on MongoDB; FerretDB reads the collection for it (see above), which
    // edits, few and far between next to sends, can afford.
    loadByKey: async (key) =>
      (await DeliveryModel.findOne({ key }, { _id: 1, channel: 1, address: 1, state: 1, platformMessageId: 1 }, { timeoutMS }).lean<EditTarget>()) ??
      undefined,
    markSent: (id, messageId, attempts) =>
      // `sent` is the truth even if someone cancelled meanwhile: the platform has it.
      write({ updateOne: { filter: { _id: id }, update: { $set: { state: 'sent', platformMessageId: messageId, sentAt: new Date(), attempts } } } }),
    markAttempt: (id, outcome) => {
      const lastError = { code: outcome.error.code, message: outcome.error.message.slice(0, 500), at: new Date() };
      return write({ updateOne: { filter: { _id: id }, update: { $set: { state: outcome.state, attempts: outcome.attempts, lastError } } } });
    },
    markCancelled: (id, error) =>
      write({ updateOne: { filter: { _id: id }, update: { $set: { state: 'cancelled', lastError: { code: error.code, message: error.message, at: new Date() } } } } }),
    broadcastCancelled: cachedFor(STOP_CHECK_MS, async (broadcastId: string) =>
      Types.ObjectId.isValid(broadcastId) ? (await BroadcastModel.findById(broadcastId, { state: 1 }, { timeoutMS }).lean())?.state === 'cancelled' : false,
    ),
    async deactivateIdentity(channel, address, reason) {
      await withWriteRetry(() =>
        ChannelIdentityModel.updateMany({ channel, address, active: true }, { $set: { active: false, inactiveReason: reason } }, { timeoutMS }),
      );
    },
    async cancelPendingTo(channel, address, error) {
      const lastError = { code: error.code, message: error.message.slice(0, 500), at: new Date() };
      const res = await withWriteRetry(() =>
        DeliveryModel.updateMany({ channel, address, state: 'pending' }, { $set: { state: 'cancelled', lastError } }, { timeoutMS }),
      );
      return res.modifiedCount;
    },
  };
}
