import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { BroadcastModel } from '../models/index.js';
import { BROADCAST_CANCELLED, fanOutBroadcast, type BroadcastJobs } from '../domain/broadcasts/broadcasts.js';
import { broadcastPrefix } from '../domain/delivery-keys.js';
import { followBroadcast, progressWindow, PROGRESS_WINDOW_MS, startProgress } from '../domain/broadcasts/broadcast-progress.js';
import { cancelQueued, produceDeliveries, retryFailed, type Outbox } from './outbox.js';
import { logConnectionErrors } from './connection-errors.js';

/**
 * Broadcasts through BullMQ: a `fanout` job at the confirmed time writes the deliveries (which the
 * outbox sends at the bulk priority); a `follow` job every PROGRESS_WINDOW_MS edits the author's
 * progress message until nothing is pending, then reports. Job ids are derived from the broadcast
 * (and the window), so a kick from the chat, the CLI and the tick's sweep at once add one job; and
 * every message goes through the outbox under its own key, so two workers at once send each once.
 */

const BROADCAST_QUEUE = 'broadcasts';

export interface BroadcastQueue extends BroadcastJobs {
  queue: Queue;
  close(): Promise<void>;
}

const JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: { age: 3_600 }, removeOnFail: { age: 86_400 } };

export function createBroadcastQueue(options: { connection: Redis; prefix: string; outbox: Outbox; log?: Logger }): BroadcastQueue {
  const queue = new Queue(BROADCAST_QUEUE, { connection: options.connection, prefix: options.prefix });
  logConnectionErrors(queue, options.log, BROADCAST_QUEUE);
  return {
    queue,
    async kick(broadcastId, at) {
      const delay = Math.max(0, at.getTime() - Date.now());
      // The scheduled time is part of the id: a broadcast moved to another time gets a job of its own.
      await queue.add('fanout', { broadcastId }, { ...JOB_OPTIONS, jobId: `fanout-${broadcastId}-${at.getTime()}`, delay });
    },
    async retryFailed(broadcastId, retry) {
      const count = await retryFailed(options.outbox, { keyPrefix: broadcastPrefix(broadcastId) });
      await queue.add('follow', { broadcastId }, { ...JOB_OPTIONS, jobId: `follow-${broadcastId}-retry-${retry}`, delay: PROGRESS_WINDOW_MS });
      return count;
    },
    close: () => queue.close(),
  };
}

async function follow(queue: Queue, broadcastId: string, window: number, delay: number): Promise<void> {
  await queue.add('follow', { broadcastId }, { ...JOB_OPTIONS, jobId: `follow-${broadcastId}-${window}`, delay });
}

export interface BroadcastWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** Runs in the worker role, beside the outbox senders. */
export function startBroadcastWorker(options: { connection: Redis; prefix: string; outbox: Outbox; log: Logger; now?: () => Date }): BroadcastWorker {
  const now = options.now ?? (() => new Date());
  const produce = (messages: Parameters<typeof produceDeliveries>[1]) => produceDeliveries(options.outbox, messages);
  const queue = new Queue(BROADCAST_QUEUE, { connection: options.connection, prefix: options.prefix });
  logConnectionErrors(queue, options.log, BROADCAST_QUEUE);
  const worker = new Worker(
    BROADCAST_QUEUE,
    async (job: Job<{ broadcastId: string }>) => {
      const { broadcastId } = job.data;
      if (job.name === 'fanout') {
        const result = await fanOutBroadcast(broadcastId, now(), produce, (b) => startProgress(b, produce));
        if (result.state === 'sending' || result.state === 'cancelled') await follow(queue, broadcastId, 1, PROGRESS_WINDOW_MS);
        options.log.info({ broadcast: broadcastId, written: result.written, state: result.state }, 'broadcast fanned out');
        return result;
      }
      const at = now();
      const result = await followBroadcast(broadcastId, at, produce, (id) => cancelQueued(options.outbox, broadcastPrefix(id), BROADCAST_CANCELLED));
      if (!result.done) {
        const b = await BroadcastModel.findById(broadcastId, { startedAt: 1 }).lean();
        const next = new Date(at.getTime() + result.nextInMs);
        await follow(queue, broadcastId, progressWindow(b?.startedAt, next), result.nextInMs);
      } else {
        options.log.info({ broadcast: broadcastId, sent: result.sent, total: result.total }, 'broadcast finished');
      }
      return result;
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 4 },
  );
  logConnectionErrors(worker, options.log, BROADCAST_QUEUE);
  worker.on('failed', (job, error) => options.log.error({ job: job?.id, err: error }, 'broadcast job failed'));
  return {
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}

/**
 * The tick's safety net: confirmed broadcasts whose time has come, and ones still sending, get
 * their job again (a no-op while it exists), so a Redis that lost its jobs loses no broadcast.
 */
export async function sweepBroadcasts(kicker: Pick<BroadcastJobs, 'kick'>, now: Date): Promise<number> {
  const due = await BroadcastModel.find({ state: { $in: ['scheduled', 'sending'] }, scheduledAt: { $lte: now } }, { _id: 1, scheduledAt: 1 }).lean();
  for (const b of due) await kicker.kick(String(b._id), b.scheduledAt ?? now);
  return due.length;
}
