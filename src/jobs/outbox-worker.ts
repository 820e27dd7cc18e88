import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CHANNELS, type Channel } from '../models/shared.js';
import { createDeliveryStore, type DeliveryStore, type StoredDelivery } from './delivery-store.js';
import { DEFAULT_LIMITS, holdPace, holdSchedule, paceKey, scheduleKey, takePace, waitForSlot, type ChannelLimits } from './outbox-limits.js';
import { outboxQueueName, type OutboxJobData } from './outbox.js';
import { logConnectionErrors } from './connection-errors.js';
import { rateLimitedSends } from '../metrics.js';
import { parseBroadcastKey } from '../domain/delivery-keys.js';
import { BROADCAST_CANCELLED } from '../domain/broadcasts/broadcasts.js';
import { asSendError, SendError, type Sender } from '../domain/chat/channel.js';
import type { Message, MessageRef } from '../domain/chat/message.js';

export interface OutboxWorkersOptions {
  /** Shared command connection; BullMQ makes its own blocking connection from it. The caller closes it. */
  connection: Redis;
  prefix: string;
  /** A worker runs only for the channels given here. */
  senders: Partial<Record<Channel, Sender>>;
  log: Logger;
  limits?: Partial<Record<Channel, Partial<ChannelLimits>>>;
  /** Sends in flight per channel and process; enough to reach the limit while each send waits on the network. */
  concurrency?: Partial<Record<Channel, number>>;
}

export interface OutboxWorkers {
  readonly workers: Worker<OutboxJobData, JobOutcome>[];
  close(): Promise<void>;
}

export type JobOutcome = { outcome: 'sent' | 'skipped' | 'undeliverable' | 'failed' };

/**
 * Also the most jobs a reply can find already started ahead of it: priorities order the jobs that
 * wait, not the ones a worker holds.
 */
export const DEFAULT_CONCURRENCY: Record<Channel, number> = { telegram: 50, slack: 10, console: 1 };

export function startOutboxWorkers(options: OutboxWorkersOptions): OutboxWorkers {
  const workers: Worker<OutboxJobData, JobOutcome>[] = [];
  const queues: Queue[] = [];
  const store = createDeliveryStore();
  for (const channel of CHANNELS) {
    const sender = options.senders[channel];
    if (!sender) continue;
    const limits: ChannelLimits = { ...DEFAULT_LIMITS[channel], ...options.limits?.[channel] };
    const name = outboxQueueName(channel);
    // Only used to set the queue-wide wait after a 429 (Queue#rateLimit).
    const queue = new Queue(name, { connection: options.connection, prefix: options.prefix });
    queues.push(queue);
    const log = options.log.child({ channel });
    logConnectionErrors(queue, log, name);
    const processor = createProcessor({ channel, sender, limits, queue, store, redis: options.connection, prefix: options.prefix, log });
    const worker = new Worker<OutboxJobData, JobOutcome>(name, processor, {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency?.[channel] ?? DEFAULT_CONCURRENCY[channel],
      // A job Redis made active just before it went down is found again by the stalled check; every
      // 5 s instead of BullMQ's 30 s bounds that delay near 35 s (the lock stays 30 s, so a busy
      // event loop is not taken for a dead worker and the job sent twice).
      stalledInterval: 5_000,
      ...(limits.global ? { limiter: limits.global } : {}),
    });
    logConnectionErrors(worker, log, name);
    worker.on('failed', (job, error) => {
      if (!(error instanceof SendError)) log.error({ deliveryId: job?.data.deliveryId, err: error }, 'outbox job failed');
    });
    workers.push(worker);
  }
  return {
    workers,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}

interface ProcessorContext {
  channel: Channel;
  sender: Sender;
  limits: ChannelLimits;
  queue: Queue;
  store: DeliveryStore;
  redis: Redis;
  prefix: string;
  log: Logger;
}

/**
 * Why an edit went nowhere, as `lastError.code` of the edit's delivery. An edit of a message that
 * was never sent has nothing to change; sending it as a new message instead would show the person
 * an update to something they never saw.
 */
export enum EditFailure {
  /** No delivery under that key, or one sent without a platform message id. */
  TargetUnknown = 'edit_target_unknown',
  TargetFailed = 'edit_target_failed',
  TargetUndeliverable = 'edit_target_undeliverable',
  TargetCancelled = 'edit_target_cancelled',
  TargetSkipped = 'edit_target_skipped',
  /** The key names a delivery on another channel: its message id means nothing here. */
  TargetOnOtherChannel = 'edit_target_other_channel',
}

type Resolved =
  | { kind: 'send'; address: string; edit?: { ref: MessageRef } }
  | { kind: 'wait'; waitMs: number }
  | { kind: 'fail'; code: EditFailure; message: string };

const TARGET_FAILURE: Record<'failed' | 'undeliverable' | 'cancelled' | 'skipped', EditFailure> = {
  failed: EditFailure.TargetFailed,
  undeliverable: EditFailure.TargetUndeliverable,
  cancelled: EditFailure.TargetCancelled,
  skipped: EditFailure.TargetSkipped,
};

/**
 * How long a job waits for another delivery still on its way (the original of an edit, the reply
 * before this one): soon at first, then less often, so that one held up by a long batch, quiet
 * hours or a lost job (requeuePending) does not cost a read every second.
 */
function waitForPendingMs(job: Job, soonestMs: number): number {
  return Math.min(30_000, Math.max(soonestMs, Math.round((Date.now() - job.timestamp) / 4)));
}

/** Where the message goes, and for an edit by delivery key which platform message it replaces. */
async function resolveTarget(ctx: ProcessorContext, job: Job<OutboxJobData, JobOutcome>, delivery: StoredDelivery): Promise<Resolved> {
  const edit = delivery.edit;
  if (edit?.ref) return { kind: 'send', address: edit.ref.address, edit: { ref: { address: edit.ref.address, messageId: edit.ref.messageId } } };
  if (!edit?.deliveryKey) return { kind: 'send', address: delivery.address };
  const target = await ctx.store.loadByKey(edit.deliveryKey);
  const about = `edit of ${edit.deliveryKey}`;
  if (!target) return { kind: 'fail', code: EditFailure.TargetUnknown, message: `${about}: no such delivery` };
  if (target.channel !== ctx.channel) return { kind: 'fail', code: EditFailure.TargetOnOtherChannel, message: `${about}: it went to ${target.channel}` };
  if (target.state === 'pending') return { kind: 'wait', waitMs: waitForPendingMs(job, 1_000) };
  if (target.state !== 'sent') return { kind: 'fail', code: TARGET_FAILURE[target.state], message: `${about}: it was ${target.state}` };
  if (!target.platformMessageId) return { kind: 'fail', code: EditFailure.TargetUnknown, message: `${about}: sent without a message id` };
  return { kind: 'send', address: target.address, edit: { ref: { address: target.address, messageId: target.platformMessageId } } };
}

/** The record as the contract's Message; records from before links and files have neither. */
function messageOf(delivery: StoredDelivery, edit: { ref: MessageRef } | undefined): Message {
  const links = delivery.links ?? [];
  const attachments = delivery.attachments ?? [];
  return {
    text: delivery.text,
    choices: delivery.choices.map(({ id, label }) => ({ id, label })),
    ...(links.length > 0 ? { links: links.map(({ label, url }) => ({ label, url })) } : {}),
    ...(attachments.length > 0
      ? {
          attachments: attachments.map(({ name, mediaType, source }) => ({ name, mediaType, source: { kind: source.kind, fileId: source.fileId } })),
        }
      : {}),
    ...(edit ? { edit } : {}),
  };
}

function createProcessor(ctx: ProcessorContext) {
  return async (job: Job<OutboxJobData, JobOutcome>, token?: string): Promise<JobOutcome> => {
    // The job carries only the id: the record decides. Cancelled, sent or vanished means no send.
    const delivery = await ctx.store.load(job.data.deliveryId);
    if (!delivery || delivery.state !== 'pending') return { outcome: 'skipped' };
    // A cancelled broadcast's copies stop here, written by this worker alone (see outbox.ts cancelQueued).
    const broadcast = parseBroadcastKey(delivery.key);
    if (broadcast && (await ctx.store.broadcastCancelled(broadcast.broadcastId))) {
      await ctx.store.markCancelled(delivery._id, BROADCAST_CANCELLED);
      return { outcome: 'skipped' };
    }
    // Held by a preference (quiet hours) and queued early, e.g. by the requeue sweep: wait, no attempt used.
    if (delivery.notBefore && delivery.notBefore.getTime() > Date.now()) {
      await job.moveToDelayed(delivery.notBefore.getTime(), token);
      throw new DelayedError();
    }

    // A delivery that follows another (a second handed-over reply) waits while that one is pending.
    if (delivery.after && (await ctx.store.loadByKey(delivery.after))?.state === 'pending') {
      // A reply: look again within a quarter second, so the second part follows the first closely.
      await job.moveToDelayed(Date.now() + waitForPendingMs(job, 250), token);
      throw new DelayedError();
    }

    const target = await resolveTarget(ctx, job, delivery);
    if (target.kind === 'wait') {
      // BullMQ's idiom for "not yet": park the job without counting an attempt.
      await job.moveToDelayed(Date.now() + target.waitMs, token);
      throw new DelayedError();
    }
    if (target.kind === 'fail') {
      await ctx.store.markAttempt(delivery._id, { state: 'failed', attempts: delivery.attempts, error: target });
      ctx.log.warn({ deliveryId: String(delivery._id), purpose: delivery.purpose, code: target.code }, 'edit not sent');
      return { outcome: 'failed' };
    }

    const pace = paceKey(ctx.prefix, ctx.channel, target.address);
    if (ctx.limits.perAddressMs !== false) {
      const waitMs = await takePace(ctx.redis, pace, ctx.limits.perAddressMs);
      if (waitMs > 0) {
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError();
      }
    }

    if (ctx.limits.spacingMs !== false) await waitForSlot(ctx.redis, scheduleKey(ctx.prefix, ctx.channel), ctx.limits.spacingMs);

    const attempts = delivery.attempts + 1;
    let messageId: string;
    try {
      ({ messageId } = await ctx.sender.send({ address: target.address, message: messageOf(delivery, target.edit) }));
    } catch (thrown) {
      // The platform senders classify their failures; anything else a sender lets through is transient.
      const error = asSendError(thrown);
      const at = { deliveryId: String(delivery._id), purpose: delivery.purpose, code: error.code };
      switch (error.kind) {
        case 'rate_limited': {
          rateLimitedSends.inc({ channel: ctx.channel });
          const waitMs = error.retryAfterMs ?? 1_000;
          await ctx.store.markAttempt(delivery._id, { state: 'pending', attempts, error });
          ctx.log.warn({ ...at, waitMs }, 'rate limited by the platform');
          if (ctx.limits.perAddressMs !== false) await holdPace(ctx.redis, pace, waitMs);
          if (ctx.limits.spacingMs !== false) await holdSchedule(ctx.redis, scheduleKey(ctx.prefix, ctx.channel), waitMs);
          if (ctx.limits.global) {
            // The whole queue waits retry_after; the job goes back to wait without using an attempt.
            await ctx.queue.rateLimit(waitMs);
            throw Worker.RateLimitError();
          }
          // Without a queue limiter BullMQ ignores Queue#rateLimit, so this job alone waits.
          await job.moveToDelayed(Date.now() + waitMs, token);
          throw new DelayedError();
        }
        case 'unreachable': {
          await ctx.store.deactivateIdentity(ctx.channel, target.address, error.code);
          await ctx.store.markAttempt(delivery._id, { state: 'undeliverable', attempts, error });
          const cancelled = await ctx.store.cancelPendingTo(ctx.channel, target.address, { code: error.code, message: `recipient unreachable: ${error.message}` });
          ctx.log.info({ ...at, cancelled }, 'recipient unreachable; identity deactivated, pending deliveries to it cancelled');
          return { outcome: 'undeliverable' };
        }
        case 'permanent':
          await ctx.store.markAttempt(delivery._id, { state: 'failed', attempts, error });
          ctx.log.warn(at, 'the platform refused the message');
          return { outcome: 'failed' };
        case 'transient': {
          const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          await ctx.store.markAttempt(delivery._id, { state: last ? 'failed' : 'pending', attempts, error });
          ctx.log.warn({ ...at, attempt: job.attemptsMade + 1 }, last ? 'send failed; that was the last attempt' : 'send failed; the queue retries with backoff');
          throw error;
        }
      }
    }
    // The mark is retried inside the store. Should it still fail, the job fails and the queue
    // tries again: BullMQ is at-least-once, so a database outage right after a send can repeat it.
    await ctx.store.markSent(delivery._id, messageId, attempts);
    ctx.log.debug({ deliveryId: String(delivery._id), purpose: delivery.purpose }, 'delivery sent');
    return { outcome: 'sent' };
  };
}
