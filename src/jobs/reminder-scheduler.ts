import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import type { Logger } from '../log.js';
import { dueReminderMessages } from '../domain/reminders/due-reminders.js';
import { uniqueByKey, type OutboundMessage } from '../domain/outbound-message.js';
import { declineMeasure } from '../domain/reminders/reminder-answers.js';
import { produceDeliveries, type Outbox } from './outbox.js';

/**
 * The reminder clock. A BullMQ job scheduler adds one `tick` job a minute; the tick reconciles:
 * it asks MongoDB which reminders are due now and hands them to the outbox under deterministic
 * keys. Nothing is carried from one tick to the next, so a lost tick is made up by the next one,
 * and two scheduler processes (both upserting the same scheduler id) at worst reconcile twice,
 * which the outbox's unique keys turn into one delivery.
 */

const REMINDER_QUEUE = 'reminders';
export const REMINDER_SCHEDULER_ID = 'reminder-tick';
const MINUTE_MS = 60_000;

export interface ReconcileResult {
  due: number;
  created: number;
  existing: number;
  problems: number;
}

export async function reconcileReminders(args: { now: DateTime; outbox: Outbox; log?: Logger }): Promise<ReconcileResult> {
  const { messages, problems } = await dueReminderMessages(args.now);
  for (const p of problems) {
    args.log?.warn({ round: p.roundId, measure: p.measureId, contact: p.contactId, error: p.error }, 'reminder skipped: bad data');
  }
  const unique = uniqueByKey(messages);
  const produced = unique.length > 0 ? await produceDeliveries(args.outbox, unique) : { created: 0, existing: 0 };
  return { due: unique.length, created: produced.created, existing: produced.existing, problems: problems.length };
}

/** "Not my measure" with its coordinator notice going through the outbox. */
export function declineMeasureVia(
  outbox: Outbox,
  input: Omit<Parameters<typeof declineMeasure>[0], 'produce'>,
): ReturnType<typeof declineMeasure> {
  return declineMeasure({ ...input, produce: (messages: OutboundMessage[]) => produceDeliveries(outbox, messages) });
}

export interface ReminderSchedulerOptions {
  connection: Redis;
  prefix: string;
  outbox: Outbox;
  /** Injected clock; the tests move it, production uses the wall clock. */
  now?: () => DateTime;
  everyMs?: number;
  log?: Logger;
}

export interface ReminderScheduler {
  queue: Queue;
  worker: Worker;
  /** Runs one reconcile now, outside the schedule (start-up, tests, `round open`). */
  tickNow(): Promise<ReconcileResult>;
  close(): Promise<void>;
}

/**
 * Registers the per-minute scheduler (idempotent: upsert by id) and starts the worker that runs
 * the ticks one at a time. Tick jobs carry no data; everything is read from MongoDB.
 */
export async function startReminderScheduler(options: ReminderSchedulerOptions): Promise<ReminderScheduler> {
  const now = options.now ?? (() => DateTime.now());
  const { connection, prefix, outbox, log } = options;
  const queue = new Queue(REMINDER_QUEUE, { connection, prefix });
  await queue.upsertJobScheduler(
    REMINDER_SCHEDULER_ID,
    { every: options.everyMs ?? MINUTE_MS },
    // A tick that failed is not retried: the next one, a minute later, covers the same ground.
    { name: 'tick', data: {}, opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 500 } },
  );
  const tick = () => reconcileReminders({ now: now(), outbox, log });
  const worker = new Worker(
    REMINDER_QUEUE,
    async () => {
      const result = await tick();
      if (result.created > 0 || result.problems > 0) log?.info(result, 'reminders reconciled');
      return result;
    },
    // BullMQ duplicates the connection for its blocking reads; the shared one stays the caller's.
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, error) => log?.error({ job: job?.id, error: error.message }, 'reminder tick failed'));
  return {
    queue,
    worker,
    tickNow: tick,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
