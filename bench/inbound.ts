/**
 * Inbound benchmark (issue 10, point 1): the service's Telegram side (createTelegramBot +
 * startTelegram, as src/main.ts startWeb runs them, with the per-person limiter and the outbox for
 * hand-offs) in this process, against the tests' fake Bot API with its limits off, FerretDB and
 * Redis as in the tests (bench-stores.ts). People are scripted through a whole status report:
 * /status, pick a measure, pick a status, write a note, skip links, confirm.
 *
 *   npm run bench:inbound     BENCH_MODE=polling|webhook|both  BENCH_PEOPLE=200  BENCH_REPORTS=30
 *                             BENCH_THINK_MS=1000  BENCH_CROWD_SECONDS=40  BENCH_ONE_SECONDS=30
 *
 * Prints (a) one person at a time: p50/p95/p99 per step, from the update being available to the
 * bot (queued for getUpdates, or the webhook POST begun) to the bot's next message at the fake;
 * (b) BENCH_PEOPLE people at once, thinking BENCH_THINK_MS between steps: steps/s, p50/p99, late
 * button answers; (c) the same for a bare grammY bot on the same fake, and ours/bare; and the
 * MongoDB and Redis commands per step (one person at a time, so each command is the step's own).
 * Replies go straight from the bot to Telegram, not through the outbox, so no outbox worker runs.
 */
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { createLogger } from '../src/log.js';
import { createTelegramBot, type TelegramBotOptions } from '../src/bots/telegram/bot.js';
import { TELEGRAM_WEBHOOK_PATH, startTelegram } from '../src/bots/telegram/runner.js';
import { createHttpServer, listen, type Route } from '../src/http/server.js';
import { createInboundLimiter } from '../src/inbound-limiter.js';
import { createOutbox, produceDeliveries } from '../src/jobs/outbox.js';
import { configureProcessCaches, unconfigureProcessCaches } from '../src/domain/process-caches.js';
import { statusLabel, t } from '../src/i18n/index.js';
import {
  AuditEntryModel,
  ChannelIdentityModel,
  ContactModel,
  ConversationStateModel,
  DeliveryModel,
  InboundEventModel,
  MeasureModel,
  StatusReportModel,
} from '../src/models/index.js';
import type { FakeTelegram } from '../tests/support/fake-telegram.js';
import { loadShippedPlan, openShippedPlanRound } from '../tests/support/plan.js';
import { TelegramUser, buttons } from '../tests/support/telegram-user.js';
import { untilQuiet } from '../tests/support/waiters.js';
import { openBenchStores } from './bench-stores.js';
import { CommandLedger, childCpuMs, countDbCommands, countRedisCommands } from './inbound-counters.js';
import { TelegramCallIndex, runReport, sleep, type Step, type StepSample } from './inbound-people.js';
import { printResults, stepLabel, type ButtonAnswers, type CrowdResult, type Mode, type ModeResults, type OneResult } from './inbound-report.js';
import { startBareBot } from './inbound-bare.js';

const MODES: Mode[] = process.env.BENCH_MODE === 'polling' || process.env.BENCH_MODE === 'webhook' ? [process.env.BENCH_MODE] : ['polling', 'webhook'];
const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 200);
const REPORTS = Number(process.env.BENCH_REPORTS ?? 30);
/** Reports before the measured ones: the first run through the code pays for JIT and cold caches. */
const WARMUP = 3;
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 1000);
/** Each crowd run and each one-person run stops here, so a slow service cannot make the run endless. */
const CROWD_SECONDS = Number(process.env.BENCH_CROWD_SECONDS ?? 40);
const ONE_SECONDS = Number(process.env.BENCH_ONE_SECONDS ?? 30);
/** Longest wait for work still in flight when a run ends (a polled batch, webhook handlers). */
const DRAIN_MS = 20_000;
/** Telegram shows a spinner until answerCallbackQuery and refuses the answer after about 10 s. */
const LATE_ANSWER_MS = 10_000;

const FIRST_PERSON = 100_000;
const FIRST_BARE_PERSON = 900_000;
const WEBHOOK_SECRET = 'bench_inbound-secret-0123456789';
const NOTE = 'Sagatavots ziņojuma projekts; notikušas divas tikšanās ar NVO pārstāvjiem.';

const log = createLogger('silent');
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// ---- the conversation ------------------------------------------------------------------------

const say = (text: string) => (person: TelegramUser) => person.say(text);
const press = (label: string) => (person: TelegramUser) => person.press(label);

/** The first measure of the list /status shows (every bench person answers for two). */
function pressFirstMeasure(person: TelegramUser): Update {
  const list = person.lastBotMessage();
  const measure = buttons(list).find((b) => b.callback_data.includes(':m:'));
  if (!measure) throw new Error(`no measure button in chat ${person.id}`);
  return person.press(measure.text, list);
}

const SERVICE_STEPS: Step[] = [
  { name: 'start: /status', act: say('/status') },
  { name: 'measure: button', act: pressFirstMeasure },
  { name: 'status: button', act: press(statusLabel('lv', 'in_progress')) },
  { name: 'note: text', act: say(NOTE) },
  { name: 'links: skip button', act: press(t('lv', 'button.skip_links')) },
  { name: 'confirm: button', act: press(t('lv', 'button.confirm')) },
];

/** The same six updates for the bare bot, which offers one button under every message. */
const BARE_STEPS: Step[] = SERVICE_STEPS.map(({ name }) => ({
  name,
  act: name === 'start: /status' ? say('/status') : name === 'note: text' ? say(NOTE) : press('OK'),
}));

// ---- measuring -------------------------------------------------------------------------------

interface CpuMark {
  ownUs: number;
  ferretMs: number | null;
}
const cpuMark = (): CpuMark => {
  const own = process.cpuUsage();
  return { ownUs: own.user + own.system, ferretMs: childCpuMs('ferretdb') };
};
/** CPU per step since `from`: this process (bot, fake and people alike) and FerretDB. */
function cpuPerStep(from: CpuMark, steps: number): string {
  const now = cpuMark();
  const own = (now.ownUs - from.ownUs) / 1000 / steps;
  const ferret = now.ferretMs !== null && from.ferretMs !== null ? `${fmt((now.ferretMs - from.ferretMs) / steps, 1)} ms` : 'n/a';
  return `CPU per step: this process ${fmt(own, 1)} ms, FerretDB ${ferret}`;
}

/** Documents in the collections every step scans or grows, so runs can be compared. */
async function storeSizes(): Promise<string> {
  const counts = await Promise.all([InboundEventModel, ConversationStateModel, StatusReportModel].map(async (model) => `${model.collection.name} ${fmt(await model.countDocuments())}`));
  return counts.join(', ');
}

// ---- what runs against the fake --------------------------------------------------------------

/** A bot under test in one delivery mode. */
interface Target {
  deliver: (update: Update) => Promise<unknown>;
  /** Resolves once the bot is done with the update (polling: it asked past it; webhook: the POST returned). */
  settle: (update: Update, delivered: Promise<unknown>) => Promise<unknown>;
  /** Stops it and waits for its work to end; false when work was still going on at DRAIN_MS. */
  stop: () => Promise<boolean>;
}

interface Bench {
  fake: FakeTelegram;
  index: TelegramCallIndex;
  ledger: CommandLedger;
  /** The service's side of the stores, as src/runtime.ts wires them. */
  service: Pick<TelegramBotOptions, 'produce' | 'limiter'>;
  /** Work still going on (fake calls, database commands): a run ends when it has settled. */
  activity: () => number;
}

function webhookTarget(bench: Bench, stop: () => Promise<boolean>): Target {
  return { deliver: (update) => bench.fake.deliverToWebhook(update), settle: (_update, delivered) => delivered, stop };
}

function pollingTarget(bench: Bench, stop: () => Promise<boolean>): Target {
  return { deliver: async () => undefined, settle: (update) => bench.index.polledPast(update.update_id, 10_000), stop };
}

async function startService(bench: Bench, mode: Mode): Promise<Target> {
  const { fake } = bench;
  const bot = createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, log, ...bench.service });
  const config = { token: fake.token, apiRoot: fake.apiRoot };
  if (mode === 'polling') {
    const runner = await startTelegram(bot, { ...config, mode }, log);
    // grammY finishes the batch it polled before it stops: up to 100 updates.
    return pollingTarget(bench, () => settleWithin(runner.stop(), bench));
  }
  const routes: Route[] = [];
  const server = createHttpServer(routes, log);
  const port = await listen(server, 0);
  const webhookUrl = `http://127.0.0.1:${port}${TELEGRAM_WEBHOOK_PATH}`;
  const runner = await startTelegram(bot, { ...config, mode, webhookSecret: WEBHOOK_SECRET, webhookUrl }, log);
  routes.push(runner.route!);
  return webhookTarget(bench, async () => {
    // A webhook answered after its 10 s wait goes on being handled: wait for the work, not the POSTs.
    const settled = await settleWithin(Promise.resolve(), bench);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    return settled;
  });
}

async function startBare(bench: Bench, mode: Mode): Promise<Target> {
  const bare = await startBareBot(bench.fake, mode);
  const stop = () => settleWithin(bare.stop(), bench);
  return mode === 'polling' ? pollingTarget(bench, stop) : webhookTarget(bench, stop);
}

/**
 * Waits (at most DRAIN_MS) for `stopping` and for the work in flight to end, then drops the updates
 * nobody fetched. False when work was still going on at the end.
 */
async function settleWithin(stopping: Promise<unknown>, bench: Bench): Promise<boolean> {
  const until = performance.now() + DRAIN_MS;
  await Promise.race([stopping, sleep(DRAIN_MS)]);
  await untilQuiet(bench.activity, 500, Math.max(1_000, until - performance.now()));
  const seen = bench.activity();
  await sleep(500);
  const settled = bench.activity() === seen;
  await new Api(bench.fake.token, { apiRoot: bench.fake.apiRoot }).deleteWebhook({ drop_pending_updates: true });
  return settled;
}

// ---- the two kinds of run --------------------------------------------------------------------

/**
 * WARMUP + REPORTS reports, one after another, each step waiting until the previous one settled;
 * with `book`, each step's commands are booked to it in the ledger.
 */
async function onePerson(bench: Bench, target: Target, steps: Step[], nextPerson: () => number, book?: Mode): Promise<OneResult> {
  const samples: StepSample[] = [];
  const stores = book ? await storeSizes() : undefined;
  const deadline = performance.now() + ONE_SECONDS * 1000;
  let cpu = cpuMark();
  let reports = 0;
  for (let r = 0; r < WARMUP + REPORTS && performance.now() < deadline; r++) {
    const counted = r >= WARMUP;
    if (r === WARMUP) cpu = cpuMark();
    const person = new TelegramUser(bench.fake, nextPerson(), { from: { language_code: 'lv' } });
    const outcome = await runReport(person, {
      steps,
      index: bench.index,
      deliver: target.deliver,
      settle: target.settle,
      onStep: book && counted ? (step) => (step ? bench.ledger.begin(stepLabel(book, step)) : bench.ledger.end()) : undefined,
      thinkMs: 0,
      deadline,
      record: (sample) => counted && samples.push(sample),
      presses: new Map(),
    });
    bench.ledger.end();
    if (counted && outcome === 'done') reports += 1;
  }
  return { samples, reports, cpu: cpuPerStep(cpu, Math.max(1, samples.length)), stores };
}

/**
 * PEOPLE people at once, arriving over one think time, each thinking THINK_MS between steps. The
 * target is stopped (its work drained) before the button answers are read, so "never" means never.
 */
async function crowd(bench: Bench, target: Target, steps: Step[], nextPerson: () => number): Promise<CrowdResult> {
  const samples: StepSample[] = [];
  const presses = new Map<string, number>();
  const before = { db: bench.ledger.dbTotal.total, redis: bench.ledger.redisTotal.total, cpu: cpuMark() };
  const started = performance.now();
  const deadline = started + CROWD_SECONDS * 1000;
  const outcomes = await Promise.all(
    Array.from({ length: PEOPLE }, async (_, k) => {
      await sleep((k * THINK_MS) / PEOPLE);
      const person = new TelegramUser(bench.fake, nextPerson(), { from: { language_code: 'lv' } });
      return runReport(person, { steps, index: bench.index, deliver: target.deliver, thinkMs: THINK_MS, deadline, record: (s) => samples.push(s), presses });
    }),
  );
  const seconds = (Math.min(performance.now(), deadline) - started) / 1000;
  const answered = Math.max(1, samples.filter((s) => Number.isFinite(s.ms)).length);
  const figures = {
    dbCommands: (bench.ledger.dbTotal.total - before.db) / answered,
    redisCommands: (bench.ledger.redisTotal.total - before.redis) / answered,
    cpu: cpuPerStep(before.cpu, answered),
  };
  const settled = await target.stop();
  const capped = outcomes.some((o) => o === 'cut' || o === 'unanswered');
  return { samples, outcomes, seconds, capped, settled, buttons: buttonAnswers(bench, presses), ...figures };
}

/** answerCallbackQuery delays after the press, against Telegram's ~10 s before "query is too old". */
function buttonAnswers(bench: Bench, presses: Map<string, number>): ButtonAnswers {
  bench.index.catchUp();
  const delays = [...presses].map(([id, at]) => (bench.index.queryAnswers.get(id) ?? Infinity) - at);
  return {
    presses: delays.length,
    late: delays.filter((d) => Number.isFinite(d) && d > LATE_ANSWER_MS).length,
    never: delays.filter((d) => !Number.isFinite(d)).length,
    slowestMs: Math.max(0, ...delays.filter(Number.isFinite)),
  };
}

// ---- the run ---------------------------------------------------------------------------------

/** The plan with an open round and `count` people, each answering for two of its measures through a linked Telegram chat. */
async function seed(count: number): Promise<void> {
  await loadShippedPlan('bench');
  const now = DateTime.now().setZone('Europe/Riga');
  await openShippedPlanRound({ deadlineDate: now.plus({ days: 30 }).toISODate()!, now: now.minus({ days: 1 }).toJSDate() });
  const measures = (await MeasureModel.find({}, { _id: 1 }).sort({ order: 1 }).lean()).map((m) => m._id);
  for (let at = 0; at < count; at += 500) {
    const ids = Array.from({ length: Math.min(500, count - at) }, (_, i) => FIRST_PERSON + at + i);
    const contacts = await ContactModel.insertMany(
      ids.map((id, i) => ({
        name: `Dalībnieks ${id}`,
        email: `p${id}@bench.example`,
        institution: 'VK',
        roles: ['contact_person'],
        language: 'lv',
        // Neighbours share measures, as colleagues of one institution do: a report gets a few revisions, not hundreds.
        measures: [measures[(2 * (at + i)) % measures.length], measures[(2 * (at + i) + 1) % measures.length]],
      })),
    );
    await ChannelIdentityModel.insertMany(contacts.map((c, i) => ({ contact: c._id, channel: 'telegram', externalId: String(ids[i]), address: String(ids[i]) })));
  }
}

const savedReports = () => AuditEntryModel.countDocuments({ action: 'status_report.saved' });

/**
 * The bare bot first, the service's one-person runs next (both modes on a store of about the same
 * size) and its crowds last: a capped crowd leaves handlers working for a while after it, and the
 * crowds grow the store; neither may land in another run's figures.
 */
async function runAll(bench: Bench, results: Map<Mode, ModeResults>, progress: (line: string) => void): Promise<void> {
  let servicePerson = FIRST_PERSON;
  let barePerson = FIRST_BARE_PERSON;
  const ours = () => servicePerson++;
  const bares = () => barePerson++;
  for (const mode of MODES) {
    progress(`bare grammY, ${mode}`);
    const result = results.get(mode)!;
    const target = await startBare(bench, mode);
    result.bareOne = await onePerson(bench, target, BARE_STEPS, bares);
    result.bareCrowd = await crowd(bench, target, BARE_STEPS, bares);
  }
  for (const mode of MODES) {
    progress(`the service, ${mode}, one person at a time`);
    const target = await startService(bench, mode);
    results.get(mode)!.one = await onePerson(bench, target, SERVICE_STEPS, ours, mode);
    await target.stop();
  }
  for (const mode of MODES) {
    progress(`the service, ${mode}, ${PEOPLE} people at once`);
    const stores = await storeSizes();
    const savedBefore = await savedReports();
    const target = await startService(bench, mode);
    const result = await crowd(bench, target, SERVICE_STEPS, ours);
    results.get(mode)!.crowd = { ...result, stores, saved: (await savedReports()) - savedBefore };
    // People cut off at the cap leave conversations in progress; the next run's people should not
    // find hundreds of them to scan past (real ones finish or cancel, and retention prunes the rest).
    await ConversationStateModel.deleteMany({});
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const progress = (line: string) => console.log(`[${fmt((performance.now() - started) / 1000, 0).padStart(3)} s] ${line}`);
  const stores = await openBenchStores('inbound', { monitorCommands: true });
  const ledger = new CommandLedger();
  countDbCommands(ledger);
  // The service's own Redis client (the runtime makes one per process): only its commands count.
  const serviceRedis = stores.redis.duplicate();
  countRedisCommands(serviceRedis, ledger);
  const outbox = createOutbox({ connection: serviceRedis, prefix: stores.prefix });
  // The plan and people caches on the service's client and prefix, as startRuntime configures them.
  configureProcessCaches({ redis: serviceRedis, prefix: stores.prefix, log });
  const { fake } = stores;
  const bench: Bench = {
    fake,
    index: new TelegramCallIndex(fake),
    ledger,
    service: { produce: (messages) => produceDeliveries(outbox, messages), limiter: createInboundLimiter(serviceRedis, stores.prefix) },
    activity: () => fake.calls.length + ledger.dbTotal.total + ledger.dbFinished,
  };
  try {
    const people = (WARMUP + REPORTS + PEOPLE) * MODES.length;
    await seed(people);
    progress(`seeded the shipped plan, an open round and ${fmt(people)} people with a linked Telegram chat`);
    const results = new Map<Mode, ModeResults>(MODES.map((mode) => [mode, {}]));
    await runAll(bench, results, progress);
    printResults(results, ledger, { steps: SERVICE_STEPS.map((s) => s.name), warmup: WARMUP, people: PEOPLE, thinkMs: THINK_MS, crowdSeconds: CROWD_SECONDS, lateAnswerMs: LATE_ANSWER_MS });
    console.log(`
Replies handed to the outbox because Telegram refused them for now: ${await DeliveryModel.countDocuments({})} (replies go straight to Telegram, so no outbox worker runs here).`);
  } finally {
    console.log(`Total run time: ${fmt((performance.now() - started) / 1000, 1)} s`);
    unconfigureProcessCaches();
    await outbox.close();
    serviceRedis.disconnect();
    await stores.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
