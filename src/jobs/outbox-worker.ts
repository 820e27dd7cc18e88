import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CHANNELS, type Channel } from '../models/shared.js';
import { createDeliveryStore, type DeliveryStore } from './delivery-store.js';
import { DEFAULT_LIMITS, holdPace, paceKey, slotKey, takePace, takeSlot, type ChannelLimits } from './outbox-limits.js';
import { outboxQueueName, type OutboxJobData } from './outbox.js';
import { asSendError, SendError, type Sender } from '../domain/chat/channel.js';

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

const DEFAULT_CONCURRENCY: Record<Channel, number> = { telegram: 50, slack: 10, console: 1 };

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
    const processor = createProcessor({ channel, sender, limits, queue, store, redis: options.connection, prefix: options.prefix, log });
    const worker = new Worker<OutboxJobData, JobOutcome>(name, processor, {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency?.[channel] ?? DEFAULT_CONCURRENCY[channel],
      ...(limits.global ? { limiter: limits.global } : {}),
    });
    worker.on('error', (error) => log.error({ err: error }, 'outbox worker error'));
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

function createProcessor(ctx: ProcessorContext) {
  return async (job: Job<OutboxJobData, JobOutcome>, token?: string): Promise<JobOutcome> => {
    // The job carries only the id: the record decides. Cancelled, sent or vanished means no send.
    const delivery = await ctx.store.load(job.data.deliveryId);
    if (!delivery || delivery.state !== 'pending') return { outcome: 'skipped' };

    const pace = paceKey(ctx.prefix, ctx.channel, delivery.address);
    if (ctx.limits.perAddressMs !== false) {
      const waitMs = await takePace(ctx.redis, pace, ctx.limits.perAddressMs);
      if (waitMs > 0) {
        // BullMQ's idiom for "not yet": park the job without counting an attempt.
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError();
      }
    }

    if (ctx.limits.spacingMs !== false) {
      const waitMs = await takeSlot(ctx.redis, slotKey(ctx.prefix, ctx.channel), ctx.limits.spacingMs);
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    }

    const attempts = delivery.attempts + 1;
    let messageId: string;
    try {
      ({ messageId } = await ctx.sender.send({
        address: delivery.address,
        text: delivery.text,
        choices: delivery.choices.map(({ id, label }) => ({ id, label })),
      }));
    } catch (thrown) {
      const error = asSendError(thrown);
      const at = { deliveryId: String(delivery._id), purpose: delivery.purpose, code: error.code };
      switch (error.kind) {
        case 'rate_limited': {
          const waitMs = error.retryAfterMs ?? 1_000;
          await ctx.store.markAttempt(delivery._id, { state: 'pending', attempts, error });
          ctx.log.warn({ ...at, waitMs }, 'rate limited by the platform');
          if (ctx.limits.perAddressMs !== false) await holdPace(ctx.redis, pace, waitMs);
          if (ctx.limits.global) {
            // The whole queue waits retry_after; the job goes back to wait without using an attempt.
            await ctx.queue.rateLimit(waitMs);
            throw Worker.RateLimitError();
          }
          // Without a queue limiter BullMQ ignores Queue#rateLimit, so this job alone waits.
          await job.moveToDelayed(Date.now() + waitMs, token);
          throw new DelayedError();
        }
        case 'unreachable':
          await ctx.store.deactivateIdentity(ctx.channel, delivery.address, error.code);
          await ctx.store.markAttempt(delivery._id, { state: 'undeliverable', attempts, error });
          ctx.log.info(at, 'recipient unreachable; identity deactivated');
          return { outcome: 'undeliverable' };
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
