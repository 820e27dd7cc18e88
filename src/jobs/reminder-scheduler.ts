import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import type { Logger } from '../log.js';
import { dueReminderMessages } from '../domain/reminders/due-reminders.js';
import { uniqueByKey, type OutboundMessage } from '../domain/outbound-message.js';
import { declineMeasure } from '../domain/reminders/reminder-answers.js';
import { dueMeetingNotices, type CalendarFile } from '../domain/meetings/due-meeting-notices.js';
import { meetingCalendarFile } from '../domain/meetings/calendar.js';
import { sendPendingMinutes } from '../domain/meetings/minutes.js';
import { fillFreePlacesEverywhere } from '../domain/meetings/rsvp.js';
import { produceDeliveries, type Outbox } from './outbox.js';
import { dueDigestMessages, type ChartMaker } from '../domain/digests/digests.js';
import { councilChartAttachment } from '../domain/rounds/council-chart.js';
import { sweepBroadcasts } from './broadcast-queue.js';
import { logConnectionErrors } from './connection-errors.js';
import { pruneOldRecords } from './retention.js';
import { tickDeliveriesCreated } from '../metrics.js';
import type { RetentionDays } from '../config.js';
import type { BroadcastJobs } from '../domain/broadcasts/broadcasts.js';

/**
 * The reminder clock. A BullMQ job scheduler adds one `tick` job a minute; the tick reconciles:
 * it asks MongoDB which deadline reminders, meeting notices (invitations, changes, cancellations,
 * meeting reminders) and digests are due now and hands them to the outbox under deterministic
 * keys. Nothing is carried from one tick to the next, so a lost tick is made up by the next one,
 * and two scheduler processes (both upserting the same scheduler id) at worst reconcile twice,
 * which the outbox's unique keys turn into one delivery.
 */

const REMINDER_QUEUE = 'reminders';
export const REMINDER_SCHEDULER_ID = 'reminder-tick';
const MINUTE_MS = 60_000;
/** A missed tick or two at the turn of the half hour still finds the digests then. */
const DIGEST_LOOK_MINUTES = 5;
/** Pruning reads whole collections on FerretDB: a few times a day is enough. */
const PRUNE_EVERY_MS = 6 * 60 * MINUTE_MS;

export interface ReconcileResult {
  /** Totals over deadline reminders and meeting notices. */
  due: number;
  created: number;
  existing: number;
  problems: number;
  /** The meeting notices' share of the totals. */
  meetings: { due: number; created: number; existing: number; problems: number };
  /** Digests, apart from the totals (an empty one is recorded as skipped). */
  digests: { due: number; created: number; existing: number };
}

async function produce(outbox: Outbox, messages: OutboundMessage[]) {
  const unique = uniqueByKey(messages);
  const produced = unique.length > 0 ? await produceDeliveries(outbox, unique) : { created: 0, existing: 0 };
  return { due: unique.length, created: produced.created, existing: produced.existing };
}

export async function reconcileReminders(args: {
  now: DateTime;
  outbox: Outbox;
  calendarFile?: CalendarFile;
  /** The council chart in coordinators' digests; rounds/council-chart.ts unless a test passes its own. */
  chart?: ChartMaker;
  /** false: no digests this tick (tests of the other producers, whose people would otherwise get one). */
  digests?: boolean;
  log?: Logger;
}): Promise<ReconcileResult> {
  const { messages, problems } = await dueReminderMessages(args.now);
  for (const p of problems) {
    args.log?.warn({ round: p.roundId, measure: p.measureId, contact: p.contactId, error: p.error }, 'reminder skipped: bad data');
  }
  const reminders = await produce(args.outbox, messages);
  const notices = await dueMeetingNotices(args.now, args.calendarFile ?? meetingCalendarFile);
  for (const p of notices.problems) {
    args.log?.warn({ meeting: p.meetingId, contact: p.contactId, error: p.error }, 'meeting notice skipped');
  }
  const meetings = { ...(await produce(args.outbox, notices.messages)), problems: notices.problems.length };
  // Minutes recorded since the last tick (the CLI has no outbox) go out once, per person and channel.
  await sendPendingMinutes({ now: args.now.toJSDate(), produce: (m) => produce(args.outbox, m) });
  // Places a raised capacity freed (the CLI has no outbox either) move the waiting list up.
  await fillFreePlacesEverywhere(args.now.toJSDate(), (m) => produce(args.outbox, m));
  const digests = args.digests === false ? { due: 0, created: 0, existing: 0 } : await produce(args.outbox, await dueDigestMessages(args.now, args.chart ?? councilChartAttachment));
  return {
    due: reminders.due + meetings.due,
    created: reminders.created + meetings.created,
    existing: reminders.existing + meetings.existing,
    problems: problems.length + meetings.problems,
    meetings,
    digests,
  };
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
  /** Makes the meetings' .ics attachments; calendar.ts's unless a test passes its own. */
  calendarFile?: CalendarFile;
  /** Confirmed broadcasts whose time has come get their fan-out job (again: a no-op while it exists). */
  broadcasts?: Pick<BroadcastJobs, 'kick'>;
  /** false: the tick produces no digests (tests of the other producers). */
  digests?: boolean;
  /** How long bookkeeping is kept; without it nothing is pruned (retention.ts). */
  retention?: RetentionDays;
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
  logConnectionErrors(queue, log, REMINDER_QUEUE);
  await queue.upsertJobScheduler(
    REMINDER_SCHEDULER_ID,
    { every: options.everyMs ?? MINUTE_MS },
    // A tick that failed is not retried: the next one, a minute later, covers the same ground.
    { name: 'tick', data: {}, opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 500 } },
  );
  // Digests fall due on the hour (or half hour, in zones a half hour off), and working out who is
  // due reads every person: so the tick looks in the first minutes of each half hour, and at its
  // first run (after downtime), not every minute.
  let lastDigestLook: number | undefined;
  const lookForDigests = (at: DateTime) =>
    options.digests !== false && (lastDigestLook === undefined || at.minute % 30 < DIGEST_LOOK_MINUTES || at.toMillis() - lastDigestLook >= 30 * MINUTE_MS);
  let lastPrune: number | undefined;
  const prune = async (at: DateTime) => {
    if (!options.retention || (lastPrune !== undefined && at.toMillis() - lastPrune < PRUNE_EVERY_MS)) return;
    lastPrune = at.toMillis();
    const pruned = await pruneOldRecords(at.toJSDate(), options.retention);
    if (pruned.inboundEvents + pruned.conversations + pruned.deliveries > 0) log?.info(pruned, 'old records pruned');
  };
  const tick = async () => {
    const at = now();
    await prune(at).catch((error: unknown) => log?.error({ error: (error as Error).message }, 'pruning failed'));
    const digests = lookForDigests(at);
    const result = await reconcileReminders({ now: at, outbox, calendarFile: options.calendarFile, digests, log });
    tickDeliveriesCreated.inc({ producer: 'reminders' }, result.created - result.meetings.created);
    tickDeliveriesCreated.inc({ producer: 'meetings' }, result.meetings.created);
    tickDeliveriesCreated.inc({ producer: 'digests' }, result.digests.created);
    if (digests) lastDigestLook = at.toMillis();
    if (options.broadcasts) await sweepBroadcasts(options.broadcasts, at.toJSDate());
    return result;
  };
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
  logConnectionErrors(worker, log, REMINDER_QUEUE);
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
