import { ConfigError, describeChannels, loadConfig, type AppConfig } from './config.js';
import { createLogger, type Logger } from './log.js';
import { startRuntime, type Runtime } from './runtime.js';
import { createHttpServer, listen, type Route } from './http/server.js';
import { healthRoutes } from './http/health.js';
import { createTelegramBot } from './bots/telegram/bot.js';
import { startTelegram } from './bots/telegram/runner.js';
import { createSlackApp, slackRoutes } from './bots/slack/app.js';
import { startOutboxWorkers } from './jobs/outbox-worker.js';
import { requeuePending } from './jobs/outbox.js';
import { createTelegramApi, createTelegramSender } from './bots/telegram/sender.js';
import { createSlackClient, createSlackSender } from './bots/slack/sender.js';
import { startReminderScheduler } from './jobs/reminder-scheduler.js';
import { startBroadcastWorker } from './jobs/broadcast-queue.js';
import { registerStoreGauges } from './metrics.js';
import { queueBoardRoutes } from './http/queue-board.js';
import type { Sender } from './domain/chat/channel.js';
import { rekeyConversations, type Channel } from './models/index.js';

/**
 * `npm start`: runs the roles named by ROLE (web, worker, scheduler, or all in one process).
 * web: the HTTP server (Telegram webhook, Slack endpoints, health) and Telegram polling;
 * worker: the outbox senders; scheduler: the reminder clock.
 */

type Stop = () => Promise<void>;

/** What systemd and `docker stop` wait before they kill: 10 s. */
const STOP_DEADLINE_MS = 9_000;

async function startWeb(config: AppConfig, runtime: Runtime, log: Logger, fail: (reason: string) => void): Promise<Stop[]> {
  // Ready once the channels have started (Telegram's getMe and menu, Slack's auth.test).
  let channelsStarted = false;
  registerStoreGauges(runtime.outbox);
  const rekeyed = await rekeyConversations();
  if (rekeyed > 0) log.info({ rekeyed }, 'conversations moved to their keyed ids');
  const routes: Route[] = healthRoutes(runtime.redis, { ready: () => channelsStarted });
  if (config.queueBoard) routes.push(...queueBoardRoutes([...Object.values(runtime.outbox.queues), runtime.broadcasts.queue], config.queueBoard));
  const stops: Stop[] = [];
  if (config.telegram) {
    const bot = createTelegramBot({ token: config.telegram.token, apiRoot: config.telegram.apiRoot, produce: runtime.produce, broadcasts: runtime.broadcasts, limiter: runtime.limiter, log });
    const telegram = await startTelegram(bot, config.telegram, log);
    if (telegram.route) routes.push(telegram.route);
    // Polling that ends on its own (a wrong token, or a second poller: Telegram's 409) leaves a
    // service that looks alive but hears nothing; stop so that the supervisor sees it.
    void telegram.finished.then((error) => error && fail(`telegram polling ended: ${error.message}`));
    stops.push(() => telegram.stop());
  }
  if (config.slack) {
    const slack = await createSlackApp({ ...config.slack, produce: runtime.produce, broadcasts: runtime.broadcasts, limiter: runtime.limiter, log });
    routes.push(...slackRoutes(slack));
  }
  channelsStarted = true;
  const server = createHttpServer(routes, log);
  const port = await listen(server, config.port);
  log.info({ port }, 'http server listening');
  stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return stops;
}

function startWorker(config: AppConfig, runtime: Runtime, log: Logger): Stop[] {
  const senders: Partial<Record<Channel, Sender>> = {};
  if (config.telegram) senders.telegram = createTelegramSender(createTelegramApi(config.telegram));
  if (config.slack) senders.slack = createSlackSender(createSlackClient({ token: config.slack.token, apiUrl: config.slack.apiUrl }));
  const workers = startOutboxWorkers({ connection: runtime.redis, prefix: config.queuePrefix, senders, log });
  const broadcasts = startBroadcastWorker({ connection: runtime.redis, prefix: config.queuePrefix, outbox: runtime.outbox, log });
  // A crash between recording a delivery and queueing it leaves it pending: sweep those up.
  const sweep = setInterval(() => {
    requeuePending(runtime.outbox).catch((error: unknown) => log.error({ err: error }, 'requeue sweep failed'));
  }, 60_000);
  return [
    async () => {
      clearInterval(sweep);
      await broadcasts.close();
      await workers.close();
    },
  ];
}

async function startScheduler(config: AppConfig, runtime: Runtime, log: Logger): Promise<Stop[]> {
  const scheduler = await startReminderScheduler({
    connection: runtime.redis,
    prefix: runtime.outbox.prefix,
    outbox: runtime.outbox,
    broadcasts: runtime.broadcasts,
    retention: config.retention,
    log,
  });
  return [() => scheduler.close()];
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  for (const line of describeChannels(config)) log.info(line);
  const runtime = await startRuntime(config, { database: 'ogp', say: (line) => log.info(line), log });
  for (const line of runtime.services.describe) log.info(line);

  const stops: Stop[] = [];
  const wants = (role: AppConfig['role']) => config.role === 'all' || config.role === role;
  if (wants('worker')) stops.push(...startWorker(config, runtime, log));
  if (wants('scheduler')) stops.push(...(await startScheduler(config, runtime, log)));
  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping');
    // Sends in flight finish and are marked (worker.close waits for them); a stop that hangs on a
    // store that is gone must not keep the process from ending.
    const deadline = setTimeout(() => {
      log.error({ afterMs: STOP_DEADLINE_MS }, 'stop took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS);
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log.error({ err: error }, 'stop failed'));
    await runtime.close();
    clearTimeout(deadline);
    log.info({ reason }, 'stopped');
    process.exit(code);
  };
  // `on`, not `once`: a second signal (Ctrl-C twice, a supervisor or the tsx parent passing it on)
  // must not find no listener and kill the process in the middle of marking what it sent.
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

  if (wants('web')) stops.push(...(await startWeb(config, runtime, log, (reason) => void shutdown(reason, 1))));
  log.info({ role: config.role }, 'started');
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
