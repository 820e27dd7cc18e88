import { webhookCallback, type Bot } from 'grammy';
import { run } from '@grammyjs/runner';
import type { TelegramConfig } from '../../config.js';
import { PLATFORM_BODY_LIMIT, type Route } from '../../http/server.js';
import type { Logger } from '../../log.js';
import { TELEGRAM_ALLOWED_UPDATES, describeError, setCommandMenu } from './bot.js';

/**
 * Runs a bot built by createTelegramBot in one of Telegram's two delivery modes. Polling suits one
 * process behind a firewall; webhook suits several web processes behind a load balancer (the
 * router's MongoDB state and dedupe keys make any of them fit to take the next update).
 */

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/**
 * How long the webhook request waits for the update to be handled. Past it, Telegram gets its 200
 * and the handling goes on: a slow database should not make Telegram send the update again.
 */
const WEBHOOK_WAIT_MS = 10_000;

/** Updates handled at once in polling mode (the runner's sink); one chat's are still one at a time. */
const POLLING_CONCURRENCY = 200;

/** How long getUpdates may keep failing (network, Telegram down) before polling ends. */
const POLLING_GIVE_UP_MS = 5 * 60_000;

export interface TelegramRunner {
  mode: TelegramConfig['mode'];
  /** The webhook route for the HTTP server (webhook mode only). */
  route?: Route;
  /** Polling mode: settles when polling ends, with the error that ended it (401 token, 409 second poller) or null. */
  finished: Promise<Error | null>;
  stop(): Promise<void>;
}

/**
 * `POST /telegram/webhook`: grammY's node:http adapter, which refuses (401) a request whose
 * `X-Telegram-Bot-Api-Secret-Token` is missing or differs from `secret`. A body that is not JSON
 * gets 400 rather than a 500 that would only invite retries.
 */
export function telegramWebhookRoute(bot: Bot, secret: string): Route {
  // grammY accepts every request when no secret is given; that must never happen by accident.
  if (!secret) throw new Error('telegramWebhookRoute needs the webhook secret (TELEGRAM_WEBHOOK_SECRET)');
  const callback = webhookCallback(bot, 'http', { secretToken: secret, onTimeout: 'return', timeoutMilliseconds: WEBHOOK_WAIT_MS });
  return {
    method: 'POST',
    path: TELEGRAM_WEBHOOK_PATH,
    maxBodyBytes: PLATFORM_BODY_LIMIT,
    handler: async (req, res) => {
      try {
        await callback(req, res);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":"bad_json"}');
      }
    },
  };
}

/**
 * Starts the bot. Polling keeps pending updates (a restart must not lose what people sent) and
 * asks only for what the bot handles. Webhook mode registers `webhookUrl` with the secret when
 * one is configured; without it the operator has registered the webhook elsewhere.
 */
export async function startTelegram(bot: Bot, config: TelegramConfig, log: Logger): Promise<TelegramRunner> {
  if (config.mode === 'webhook') {
    if (!config.webhookSecret) throw new Error('TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_MODE=webhook');
    const route = telegramWebhookRoute(bot, config.webhookSecret);
    await bot.init();
    await setCommandMenu(bot, log);
    if (config.webhookUrl) {
      await bot.api.setWebhook(config.webhookUrl, {
        secret_token: config.webhookSecret,
        allowed_updates: [...TELEGRAM_ALLOWED_UPDATES],
        drop_pending_updates: false,
      });
    }
    log.info({ mode: 'webhook', bot: bot.botInfo.username, registered: Boolean(config.webhookUrl) }, 'telegram bot ready');
    return { mode: 'webhook', route, finished: new Promise(() => undefined), stop: async () => undefined };
  }

  // grammY's runner: updates are handled concurrently (bot.ts keeps each chat's in order), where
  // bot.start() would take one at a time and make every person wait for everyone before them.
  // getMe first, so a wrong token fails the start; a webhook left registered would make every
  // getUpdates a 409, so it goes (keeping the updates it holds).
  await bot.init();
  await bot.api.deleteWebhook({ drop_pending_updates: false });
  const handle = run(bot, {
    // Fetch errors are retried quietly for a while; past POLLING_GIVE_UP_MS polling ends, `finished`
    // says why, and the service stops so that its supervisor sees it (rather than hearing nothing for hours).
    runner: { fetch: { allowed_updates: [...TELEGRAM_ALLOWED_UPDATES] }, silent: true, maxRetryTime: POLLING_GIVE_UP_MS },
    // Beyond this many updates in hand, getUpdates asks for fewer: memory stays bounded under a flood.
    sink: { concurrency: POLLING_CONCURRENCY },
  });
  // Not awaited: the menu is cosmetic and must not delay the first getUpdates.
  void setCommandMenu(bot, log);
  log.info({ mode: 'polling', bot: bot.botInfo.username }, 'telegram bot ready');
  const finished: Promise<Error | null> = (handle.task() ?? Promise.resolve()).then(
    () => null,
    (error: unknown) => {
      // A revoked token (401), a second poller (409), or Telegram unreachable for POLLING_GIVE_UP_MS.
      log.error({ error: describeError(error) }, 'telegram polling stopped');
      return error instanceof Error ? error : new Error(String(error));
    },
  );
  return {
    mode: 'polling',
    finished,
    async stop() {
      // The runner's stop ends fetching but not the updates in hand, which Telegram already counts
      // as delivered (the next getUpdates moved past them): wait for those to be handled.
      if (handle.isRunning()) await handle.stop();
      await finished;
      while (handle.size() > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}
