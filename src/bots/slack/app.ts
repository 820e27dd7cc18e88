import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { OutboundMessage } from '../../domain/outbound-message.js';
import { PLATFORM_BODY_LIMIT, type RequestHandler, type Route } from '../../http/server.js';
import type { Logger } from '../../log.js';
import { registerActionListeners } from './actions.js';
import type { SlackDeps, WebClient } from './context.js';
import { EmailLinker } from './identity.js';
import { registerConversationListeners } from './listeners.js';
import { registerFormListeners } from './forms.js';
import { slackClientOptions } from './sender.js';
import type { BroadcastJobs } from '../../domain/broadcasts/broadcasts.js';
import type { InboundLimiter } from '../../domain/chat/inbound-limit.js';
import type { ChatRegistry } from '../../domain/chat/registry.js';

/**
 * The Slack adapter in HTTP mode. One URL takes everything Slack sends: Event Subscriptions
 * (DMs, App Home), Interactivity (buttons, the status form) and the `/ogp` slash command are all
 * configured with `https://<host>/slack/events`. Bolt's HTTPReceiver checks each request's
 * signature; we mount its request listener on our own server instead of letting it listen.
 *
 * The Slack app needs: bot scopes chat:write, im:history, im:write, users:read, users:read.email
 * and commands; bot events message.im and app_home_opened; the Home tab, and "Allow users to send
 * messages" on the Messages tab. Without users:read.email, strangers are not linked by e-mail and
 * use `/ogp link <token>` instead.
 */

const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  token: string;
  signingSecret: string;
  /** SLACK_API_URL: Slack's Web API, or a local fake in tests. */
  apiUrl: string;
  /** Sends coordinator notices ("not my measure") through the outbox, and the replies Slack will not take now. */
  produce?: (messages: OutboundMessage[]) => Promise<unknown>;
  log: Logger;
  now?: () => Date;
  /** The features the router dispatches to; the product's own unless a test brings its own. */
  registry?: ChatRegistry;
  /** Starts confirmed broadcasts at once (jobs/broadcast-queue.ts); without it the scheduler's sweep does. */
  broadcasts?: BroadcastJobs;
  /** The per-person inbound limit (src/inbound-limiter.ts); without it nothing is limited. */
  limiter?: InboundLimiter;
  path?: string;
}

export interface SlackApp {
  app: App;
  client: WebClient;
  path: string;
  /** Node request handler for `path`: the timestamp check, then Bolt's verification and dispatch. */
  handle: RequestHandler;
}

/**
 * The longest one Web API call of a listener may take. Slack answers in well under a second; ten
 * leave room for a file a reply uploads (an export), and bound what a person waits for an answer
 * before it is handed to the outbox instead.
 */
const REPLY_TIMEOUT_MS = 10_000;

/** Slack's replay window. */
const MAX_CLOCK_SKEW_S = 5 * 60;

/**
 * Bolt refuses a timestamp older than five minutes but accepts one from the future, so a request
 * captured with a clock running ahead could be replayed for as long as that clock was ahead.
 * Slack's rule is "more than five minutes from local time" in either direction; this enforces
 * the future side before Bolt sees the request. A missing or malformed header is left to Bolt,
 * which refuses it (and lets Slack's unsigned ssl_check through, as Slack documents).
 */
function timestampOutOfWindow(req: IncomingMessage, nowMs: number): boolean {
  const raw = req.headers['x-slack-request-timestamp'];
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) return false;
  return Math.abs(nowMs / 1000 - Number(raw)) > MAX_CLOCK_SKEW_S;
}

/**
 * Bolt and @slack/web-api log request bodies (message texts) at debug level; those never reach
 * our logger. Everything else goes to pino under `component: slack`.
 */
function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  const line = (parts: unknown[]) => parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' ');
  let level = LogLevel.INFO;
  return {
    debug: () => undefined,
    info: (...parts) => child.info(line(parts)),
    warn: (...parts) => child.warn(line(parts)),
    error: (...parts) => child.error(line(parts)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * Builds the Bolt app and checks the token with `auth.test` before returning, so a wrong token or
 * an unreachable SLACK_API_URL fails at start rather than at the first message.
 */
export async function createSlackApp(options: SlackAppOptions): Promise<SlackApp> {
  const path = options.path ?? SLACK_EVENTS_PATH;
  const logger = boltLogger(options.log);
  const receiver = new HTTPReceiver({ signingSecret: options.signingSecret, endpoints: path, logger, signatureVerification: true });
  const app = new App({
    token: options.token,
    receiver,
    logger,
    // Bolt's per-user conversation store is in memory; our conversations live in MongoDB.
    convoStore: false,
    deferInitialization: true,
    // Replies are answers to a person who is waiting: no client-side queue that pauses on a 429 or
    // retries for half an hour, and no call that hangs. A reply Slack does not take within that
    // goes to the outbox (context.ts postReplies).
    clientOptions: slackClientOptions({ apiUrl: options.apiUrl, timeoutMs: REPLY_TIMEOUT_MS }),
  });
  await app.init();

  const deps: SlackDeps = {
    produce: options.produce,
    log: options.log,
    now: options.now ?? (() => new Date()),
    linker: new EmailLinker(options.log),
    registry: options.registry,
    broadcasts: options.broadcasts,
    limiter: options.limiter,
  };
  registerConversationListeners(app, deps);
  registerActionListeners(app, deps);
  registerFormListeners(app, deps);
  app.error(async (error) => {
    options.log.error({ code: error.code ?? error.message }, 'slack app error');
  });

  const handle: RequestHandler = (req: IncomingMessage, res: ServerResponse) => {
    if (timestampOutOfWindow(req, Date.now())) {
      options.log.warn({ path }, 'slack request refused: timestamp outside the 5-minute window');
      req.resume();
      res.writeHead(401).end();
      return;
    }
    receiver.requestListener(req, res);
  };
  return { app, client: app.client, path, handle };
}

/** The routes the web role mounts on its one HTTP server (src/http/server.ts). */
export function slackRoutes(slack: SlackApp): Route[] {
  return [{ method: 'POST', path: slack.path, handler: slack.handle, maxBodyBytes: PLATFORM_BODY_LIMIT }];
}
