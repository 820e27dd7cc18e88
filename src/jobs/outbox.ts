import { createHash } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import { z } from 'zod';
import { DeliveryModel } from '../models/delivery.js';
import { CHANNELS, type Channel } from '../models/shared.js';

/**
 * The outbox: every outbound message is a Delivery written first under its deterministic `key`
 * (unique index, the truth), then a BullMQ job carrying only the delivery id, then the send, then
 * the mark (outbox-worker.ts). A job id only de-duplicates while the job is in Redis; MongoDB's
 * unique index makes producing a key again harmless for ever.
 *
 * One queue per channel because BullMQ's open-source rate limiter is per queue, and Telegram's and
 * Slack's limits have nothing to do with each other.
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
  /** Overrides for tests; production uses OUTBOX_JOB_OPTIONS. */
  jobOptions?: Partial<Pick<JobsOptions, 'attempts' | 'backoff' | 'removeOnComplete' | 'removeOnFail'>>;
}

/**
 * 8 tries with exponential backoff from 2 s (2, 4, … 128 s, about 4 minutes in all) ride out a
 * platform hiccup without holding a worker. MongoDB keeps the record, so Redis keeps little:
 * completed jobs for an hour (the queue board), failed ones not at all. A job that failed while
 * the database was down leaves its delivery `pending`; with the job gone, requeuePending() finds it.
 */
export const OUTBOX_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: true,
} satisfies JobsOptions;

export function outboxQueueName(channel: Channel): string {
  return `outbox-${channel}`;
}

/** Job ids may not contain `:`, which our keys use; a hash of the key is short and fixed. */
export function outboxJobId(key: string): string {
  return `d-${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const defaultJobOptions = { ...OUTBOX_JOB_OPTIONS, ...options.jobOptions };
  const queues = Object.fromEntries(
    CHANNELS.map((channel) => [
      channel,
      new Queue<OutboxJobData>(outboxQueueName(channel), { connection: options.connection, prefix: options.prefix, defaultJobOptions }),
    ]),
  ) as Record<Channel, Queue<OutboxJobData>>;
  return {
    prefix: options.prefix,
    queues,
    async close() {
      await Promise.all(Object.values(queues).map((queue) => queue.close()));
    },
  };
}

// Telegram's callback_data is 1–64 bytes, the smallest of the platforms' limits on a button id.
const choiceSchema = z.object({
  id: z.string().min(1).refine((id) => Buffer.byteLength(id) <= 64, 'must be at most 64 bytes'),
  label: z.string().trim().min(1),
});

export const deliveryInputSchema = z.object({
  key: z.string().min(1).max(512),
  purpose: z.string().min(1),
  contact: z
    .union([z.instanceof(Types.ObjectId), z.string().regex(/^[0-9a-f]{24}$/i, 'must be a contact id')])
    .transform((id) => new Types.ObjectId(id))
    .optional(),
  channel: z.enum(CHANNELS),
  address: z.string().trim().min(1),
  text: z.string().trim().min(1),
  choices: z
    .array(choiceSchema)
    .max(25)
    .refine((choices) => new Set(choices.map((c) => c.id)).size === choices.length, 'choice ids must be unique')
    .optional(),
});

export type DeliveryInput = z.input<typeof deliveryInputSchema>;

export class OutboxInputError extends Error {
  readonly code = 'OUTBOX_INPUT_INVALID';
  constructor(readonly problems: string[]) {
    super(`Deliveries not recorded, the input is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OutboxInputError';
  }
}

/** Big batches are written and queued in slices, so sending starts before the last is written. */
const SLICE = 1_000;

/**
 * Records the deliveries (new keys only) and queues every one that is still `pending`; keys that
 * were already sent, failed or cancelled are left alone. Invalid input throws and writes nothing.
 */
export async function produceDeliveries(outbox: Outbox, inputs: DeliveryInput[]): Promise<{ created: number; existing: number }> {
  const problems: string[] = [];
  const valid = inputs.map((input, index) => {
    const parsed = deliveryInputSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`inputs[${index}].${issue.path.join('.') || '(input)'}: ${issue.message}`);
    }
    return parsed.data;
  });
  if (problems.length > 0) throw new OutboxInputError(problems.slice(0, 20));

  let created = 0;
  let existing = 0;
  // Writing slice n+1 overlaps queueing slice n; at most one enqueue is in flight.
  let enqueueing: Promise<void> = Promise.resolve();
  for (let at = 0; at < valid.length; at += SLICE) {
    const slice = await recordSlice(valid.slice(at, at + SLICE) as z.output<typeof deliveryInputSchema>[]);
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

interface Queueable {
  _id: Types.ObjectId;
  key: string;
  channel: Channel;
  purpose: string;
}

async function recordSlice(inputs: z.output<typeof deliveryInputSchema>[]) {
  const now = new Date();
  const docs = inputs.map((input) => ({
    _id: new Types.ObjectId(),
    key: input.key,
    purpose: input.purpose,
    ...(input.contact ? { contact: input.contact } : {}),
    channel: input.channel,
    address: input.address,
    text: input.text,
    choices: input.choices ?? [],
    state: 'pending' as const,
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

  const fresh: Queueable[] = docs.filter((_, index) => !duplicates.has(index));
  const repeatedKeys = docs.filter((_, index) => duplicates.has(index)).map((doc) => doc.key);
  // A repeated key is queued again only while still pending (its job may have been lost between
  // insert and enqueue); the job id makes that a no-op when the job is still in Redis.
  const stillPending =
    repeatedKeys.length > 0
      ? await DeliveryModel.find({ key: { $in: repeatedKeys }, state: 'pending' }, { _id: 1, key: 1, channel: 1, purpose: 1 }).lean<Queueable[]>()
      : [];
  return { created: fresh.length, existing: duplicates.size, queueable: [...fresh, ...stillPending], failure };
}

async function enqueue(outbox: Outbox, deliveries: Queueable[]): Promise<void> {
  for (const channel of CHANNELS) {
    const jobs = deliveries
      .filter((delivery) => delivery.channel === channel)
      .map((delivery) => ({
        name: delivery.purpose,
        data: { deliveryId: String(delivery._id) },
        opts: { jobId: outboxJobId(delivery.key) },
      }));
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
 * `olderThanMs`. Jobs still in Redis are not duplicated (same job id), so running it often is safe.
 */
export async function requeuePending(
  outbox: Outbox,
  options: { olderThanMs?: number; limit?: number; now?: () => number } = {},
): Promise<number> {
  const olderThanMs = options.olderThanMs ?? 5 * 60_000;
  const before = new Date((options.now ?? Date.now)() - olderThanMs);
  const pending = await DeliveryModel.find({ state: 'pending', createdAt: { $lt: before } }, { _id: 1, key: 1, channel: 1, purpose: 1 })
    .sort({ createdAt: 1 })
    .limit(options.limit ?? 5_000)
    .lean<Queueable[]>();
  await enqueue(outbox, pending);
  return pending.length;
}
