import { webApi } from '@slack/bolt';
import { SendError } from '../../domain/chat/channel.js';
import type { InboundContext } from '../../domain/chat/router.js';
import type { Reply } from '../../domain/chat/message.js';
import type { OutboundMessage } from '../../domain/outbound-message.js';
import type { Logger } from '../../log.js';
import { COMMAND_PREFIX } from './commands.js';
import type { EmailLinker } from './identity.js';
import { createSlackSender } from './sender.js';
import type { ChatRegistry } from '../../domain/chat/registry.js';
import type { BroadcastJobs } from '../../domain/broadcasts/broadcasts.js';
import type { InboundLimiter } from '../../domain/chat/inbound-limit.js';
import { TEMPORARY_ERROR } from './texts.js';

export type WebClient = webApi.WebClient;

/** What every listener needs: the outbox for coordinator notices, the clock, the e-mail linker, the features. */
export interface SlackDeps {
  produce?: (messages: OutboundMessage[]) => Promise<unknown>;
  log: Logger;
  now: () => Date;
  linker: EmailLinker;
  /** The features the router dispatches to; the product's own unless a test brings its own. */
  registry?: ChatRegistry;
  broadcasts?: BroadcastJobs;
  limiter?: InboundLimiter;
}

/** The router's dependencies as every listener passes them. */
export function inboundDeps(deps: SlackDeps) {
  return { produce: deps.produce, registry: deps.registry, broadcasts: deps.broadcasts, limiter: deps.limiter };
}

export function inboundContext(deps: SlackDeps, userId: string, address: string, dedupeKey: string): InboundContext {
  return { channel: 'slack', externalId: userId, address, commandPrefix: COMMAND_PREFIX, now: deps.now(), dedupeKey };
}

/** A person is waiting: a short Retry-After is worth waiting once; a long one is not. */
const MAX_REPLY_WAIT_MS = 5000;

/**
 * One message per reply, in order: the second one only after Slack accepted the first. The same
 * sender as the outbox's, so a reply and a reminder look alike; it throws a SendError.
 */
export async function postReplies(client: WebClient, channel: string, replies: Reply[]): Promise<void> {
  const sender = createSlackSender(client, { maxRateLimitWaitMs: MAX_REPLY_WAIT_MS });
  for (const reply of replies) await sender.send({ address: channel, message: reply });
}

const platformCode = (error: unknown): string | undefined => (error as { data?: { error?: string } } | undefined)?.data?.error;

/** A SendError's class with Slack's own code behind it (`rejected:invalid_blocks`). */
const errorCode = (error: unknown): string => {
  if (error instanceof SendError) return [error.code, platformCode(error.cause)].filter(Boolean).join(':');
  return platformCode(error) ?? (error as { code?: string }).code ?? (error as Error).message;
};

/**
 * Runs a listener's work; on failure logs the code (never the message) and, when we know where the
 * person is, tells them something went wrong on our side so they do not wait for an answer.
 */
export async function guarded(
  deps: SlackDeps,
  what: string,
  client: WebClient,
  address: () => string | undefined,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.log.error({ listener: what, code: errorCode(error) }, 'slack listener failed');
    const channel = address();
    if (!channel) return;
    await client.chat.postMessage({ channel, text: TEMPORARY_ERROR }).catch((sendError: unknown) => {
      deps.log.warn({ listener: what, code: errorCode(sendError) }, 'slack error notice not sent');
    });
  }
}
