import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import { defaultPriority, DeliveryModel, type DeliveryPriority } from '../models/delivery.js';
import { CHANNELS, type Channel } from '../models/shared.js';
import { keyPrefixPattern } from '../domain/delivery-keys.js';
import type { Logger } from '../log.js';
import { logConnectionErrors } from './connection-errors.js';
import { validateDeliveryInputs, type DeliveryInput, type ValidDeliveryInput } from './delivery-input.js';

export { OutboxInputError, type DeliveryInput } from './delivery-input.js';

/**
 * The outbox: every outbound message is a Delivery written first under its deterministic `key`
 * (unique index, the truth), then a BullMQ job carrying only the delivery id, then the send, then
 * the mark (outbox-worker.ts). A job id only de-duplicates while the job is in Redis; MongoDB's
 * unique index makes producing a key again harmless for ever.
 *
 * One queue per channel because BullMQ's open-source rate limiter is per queue, and Telegram's and
 * Slack's limits have nothing to do with each other. Within a channel, a priority class decides
 * who goes first (OUTBOX_PRIORITY below).
 */

export interface OutboxJobData {
  deliveryId: string;
}

export interface Outbox {
  readonly prefix: string;
  readonly queues: Record<Channel, Queue<OutboxJobData>>;
  close(): Promise<void>;
}

export interface OutboxOptions {
  connection: Redis;
  prefix: string;
  /** Where queue connection errors go (a Redis outage); none in tests. */
  log?: Logger;
  /** Overrides for tests; production uses OUTBOX_JOB_OPTIONS. */
  jobOptions?: Partial<Pick<JobsOptions, 'attempts' | 'backoff' | 'removeOnComplete' | 'removeOnFail'>>;
}

/**
 * 8 tries with exponential backoff from 2 s (2, 4, … 128 s, about 4 minutes in all) ride out a
 * platform hiccup without holding a worker. MongoDB keeps the record, so Redis keeps little:
 * completed jobs for an hour (the queue board), failed ones not at all. A job that failed while
 * the database was down leaves its delivery `pending`; with the job gone, requeuePending() finds it.
 */
const OUTBOX_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: true,
} satisfies JobsOptions;

export function outboxQueueName(channel: Channel): string {
  return `outbox-${channel}`;
}

/** Job ids may not contain `:`, which our keys use; a hash of the key is short and fixed. */
function outboxJobId(key: string): string {
  return `d-${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const defaultJobOptions = { ...OUTBOX_JOB_OPTIONS, ...options.jobOptions };
  const queues = Object.fromEntries(
    CHANNELS.map((channel) => {
      const queue = new Queue<OutboxJobData>(outboxQueueName(channel), { connection: options.connection, prefix: options.prefix, defaultJobOptions });
      logConnectionErrors(queue, options.log, outboxQueueName(channel));
      return [channel, queue];
    }),
  ) as Record<Channel, Queue<OutboxJobData>>;
  return {
    prefix: options.prefix,
    queues,
    async close() {
      await Promise.all(Object.values(queues).map((queue) => queue.close()));
    },
  };
}

/** Big batches are written and queued in slices, so sending starts before the last is written. */
const SLICE = 1_000;

/**
 * Records the deliveries (new keys only) and queues every one that is still `pending`; keys that
 * were already sent, failed or cancelled are left alone. Invalid input throws and writes nothing.
 */
export async function produceDeliveries(outbox: Outbox, inputs: DeliveryInput[]): Promise<{ created: number; existing: number }> {
  const valid = validateDeliveryInputs(inputs);
  let created = 0;
  let existing = 0;
  // Writing slice n+1 overlaps queueing slice n; at most one enqueue is in flight.
  let enqueueing: Promise<void> = Promise.resolve();
  for (let at = 0; at < valid.length; at += SLICE) {
    const slice = await recordSlice(valid.slice(at, at + SLICE));
    await enqueueing;
    enqueueing = enqueue(outbox, slice.queueable);
    // Handled at the next `await`; without this a failure meanwhile would count as unhandled.
    enqueueing.catch(() => undefined);
    created += slice.created;
    existing += slice.existing;
    if (slice.failure) {
      await enqueueing;
      throw slice.failure;
    }
  }
  await enqueueing;
  return { created, existing };
}

/** What queueing needs of a record; `priority` is absent on records from before priorities. */
interface Queueable {
  _id: Types.ObjectId;
  key: string;
  channel: Channel;
  purpose: string;
  priority?: DeliveryPriority | null;
  notBefore?: Date | null;
}

const QUEUEABLE_FIELDS = { _id: 1, key: 1, channel: 1, purpose: 1, priority: 1, notBefore: 1 } as const;

async function recordSlice(inputs: ValidDeliveryInput[]) {
  const now = new Date();
  const docs = inputs.map((input) => ({
    _id: new Types.ObjectId(),
    key: input.key,
    purpose: input.purpose,
    priority: input.priority ?? defaultPriority(input.purpose),
    ...(input.contact ? { contact: input.contact } : {}),
    channel: input.channel,
    address: input.address,
    text: input.text,
    choices: input.choices ?? [],
    links: input.links ?? [],
    attachments: input.attachments ?? [],
    ...(input.edit ? { edit: input.edit } : {}),
    ...(input.after ? { after: input.after } : {}),
    ...(input.measures ? { measures: input.measures } : {}),
    // Held for good is recorded as skipped and never queued; held until later waits in the queue.
    state: input.held && !input.held.until ? ('skipped' as const) : ('pending' as const),
    ...(input.held ? { heldReason: input.held.reason } : {}),
    ...(input.held?.until ? { notBefore: input.held.until } : {}),
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  }));

  // The driver's insertMany: one round trip for the slice; validation was done above with zod.
  const duplicates = new Set<number>();
  let failure: unknown;
  try {
    await DeliveryModel.collection.insertMany(docs, { ordered: false });
  } catch (error) {
    const writeErrors = bulkWriteErrors(error);
    if (!writeErrors) throw error;
    for (const writeError of writeErrors) {
      if (writeError.code === 11000) duplicates.add(writeError.index);
      else failure ??= error;
    }
  }

  const fresh: Queueable[] = docs.filter((doc, index) => !duplicates.has(index) && doc.state === 'pending');
  const repeatedKeys = docs.filter((_, index) => duplicates.has(index)).map((doc) => doc.key);
  // A repeated key is queued again only while still pending (its job may have been lost between
  // insert and enqueue); the job id makes that a no-op when the job is still in Redis. The record
  // as first written decides, its priority too.
  const stillPending =
    repeatedKeys.length > 0
      ? await DeliveryModel.find({ key: { $in: repeatedKeys }, state: 'pending' }, QUEUEABLE_FIELDS).lean<Queueable[]>()
      : [];
  return { created: fresh.length, existing: duplicates.size, queueable: [...fresh, ...stillPending], failure };
}

/**
 * BullMQ priority of each class (models/delivery.ts): 1 is served first. Priorities in the one
 * queue per channel rather than a queue per class, because the platform's limit is per bot: two
 * queues would each get the whole 30/s limiter and together exceed it.
 *
 * Every outbox job gets a priority, because BullMQ serves a job added without one (its plain wait
 * list) before every prioritized job: one forgotten `priority` would put a whole broadcast ahead
 * of the replies. Within a class jobs go first in, first out. The queue's rate limiter gates when
 * the next job may start, not which: when the window opens the worker takes the best job then
 * waiting, so a reply produced behind a large batch waits for the jobs already started (at most
 * the worker's concurrency) and at most one limiter window, never for the batch. A job put back
 * by a 429 (Worker.RateLimitError) goes to the front of its own class, not ahead of a better one;
 * delayed jobs (per-chat pace, retries, an edit waiting for its original) come back with theirs.
 */
export const OUTBOX_PRIORITY: Record<DeliveryPriority, number> = { reply: 1, reminder: 2, notice: 3, bulk: 4 };

function outboxJobPriority(delivery: { purpose: string; priority?: DeliveryPriority | null }): number {
  return OUTBOX_PRIORITY[delivery.priority ?? defaultPriority(delivery.purpose)];
}

async function enqueue(outbox: Outbox, deliveries: Queueable[]): Promise<void> {
  const now = Date.now();
  for (const channel of CHANNELS) {
    const jobs = deliveries
      .filter((delivery) => delivery.channel === channel)
      .map((delivery) => {
        const delay = delivery.notBefore ? delivery.notBefore.getTime() - now : 0;
        return {
          name: delivery.purpose,
          data: { deliveryId: String(delivery._id) },
          opts: { jobId: outboxJobId(delivery.key), priority: outboxJobPriority(delivery), ...(delay > 0 ? { delay } : {}) },
        };
      });
    if (jobs.length > 0) await outbox.queues[channel].addBulk(jobs);
  }
}

function bulkWriteErrors(error: unknown): { code: number; index: number }[] | undefined {
  if (!(error instanceof Error) || !('writeErrors' in error)) return undefined;
  const writeErrors = (error as { writeErrors: unknown }).writeErrors;
  if (Array.isArray(writeErrors)) return writeErrors as { code: number; index: number }[];
  return writeErrors ? [writeErrors as { code: number; index: number }] : undefined;
}

/**
 * The sweep for a crash between insert and enqueue: re-queues `pending` deliveries older than
 * `olderThanMs`, each with its own priority. Jobs still in Redis are not duplicated (same job id),
 * so running it often is safe.
 */
export async function requeuePending(
  outbox: Outbox,
  options: { olderThanMs?: number; limit?: number; now?: () => number } = {},
): Promise<number> {
  const olderThanMs = options.olderThanMs ?? 5 * 60_000;
  const before = new Date((options.now ?? Date.now)() - olderThanMs);
  // Those held until later (quiet hours) wait in the queue as delayed jobs; a night's worth of them must not fill the limit.
  const ready = { $or: [{ notBefore: { $exists: false } }, { notBefore: null }, { notBefore: { $lte: new Date((options.now ?? Date.now)()) } }] };
  const pending = await DeliveryModel.find({ state: 'pending', createdAt: { $lt: before }, ...ready }, QUEUEABLE_FIELDS)
    .sort({ createdAt: 1 })
    .limit(options.limit ?? 5_000)
    .lean<Queueable[]>();
  await enqueue(outbox, pending);
  return pending.length;
}

/**
 * Sends failed deliveries again ("retry the failed ones" under a broadcast's report): back to
 * `pending` with their attempts from zero, under the same job id as before, so that the requeue
 * sweep or a second press finds the job and adds no other. The finished job of a key (a refused
 * message completes its job, kept an hour) is removed first, or the queue would ignore the new one.
 */
export async function retryFailed(outbox: Outbox, filter: { keyPrefix: string }): Promise<number> {
  const failed = await DeliveryModel.find({ key: { $regex: keyPrefixPattern(filter.keyPrefix) }, state: 'failed' }, QUEUEABLE_FIELDS).lean<Queueable[]>();
  if (failed.length === 0) return 0;
  for (const delivery of failed) {
    const job = await outbox.queues[delivery.channel].getJob(outboxJobId(delivery.key));
    if (job && ((await job.isCompleted()) || (await job.isFailed()))) await job.remove();
  }
  await DeliveryModel.updateMany({ _id: { $in: failed.map((d) => d._id) }, state: 'failed' }, { $set: { state: 'pending', attempts: 0 }, $unset: { lastError: 1 } });
  await enqueue(outbox, failed);
  return failed.length;
}

/**
 * Cancels the pending deliveries under `keyPrefix` whose jobs are still waiting (or delayed, or
 * lost): each job is taken out of the queue first, and only a delivery whose job is gone is marked,
 * so no worker is sending it meanwhile. A job a worker already holds is left to that worker, which
 * checks before sending (outbox-worker.ts) and marks what it sent as sent: one writer per delivery,
 * as FerretDB's updates are not atomic. Returns how many were cancelled.
 */
export async function cancelQueued(outbox: Outbox, keyPrefix: string, reason: { code: string; message: string }): Promise<number> {
  const pending = await DeliveryModel.find({ key: { $regex: keyPrefixPattern(keyPrefix) }, state: 'pending' }, QUEUEABLE_FIELDS).lean<Queueable[]>();
  const gone: Types.ObjectId[] = [];
  for (const delivery of pending) {
    const job = await outbox.queues[delivery.channel].getJob(outboxJobId(delivery.key));
    if (!job) {
      gone.push(delivery._id);
      continue;
    }
    // A job a worker holds is locked and cannot be removed: that worker decides.
    const removed = await job.remove().then(
      () => true,
      () => false,
    );
    if (removed) gone.push(delivery._id);
  }
  if (gone.length === 0) return 0;
  const res = await DeliveryModel.updateMany(
    { _id: { $in: gone }, state: 'pending' },
    { $set: { state: 'cancelled', lastError: { ...reason, at: new Date() } } },
  );
  return res.modifiedCount;
}
