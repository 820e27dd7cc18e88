import { webApi } from '@slack/bolt';
import { SendError } from '../../domain/chat/channel.js';
import { handOffReplies, worthHandingOff } from '../../domain/chat/reply-handoff.js';
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

/** What every listener needs: the outbox (coordinator notices, replies Slack will not take now), the clock, the e-mail linker, the features. */
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

/** An inbound Slack event as the listeners pass it on: always with a DM to answer in and a dedupe key. */
export type SlackInbound = InboundContext & { dedupeKey: string };

export function inboundContext(deps: SlackDeps, userId: string, address: string, dedupeKey: string): SlackInbound {
  return { channel: 'slack', externalId: userId, address, commandPrefix: COMMAND_PREFIX, now: deps.now(), dedupeKey };
}

const platformCode = (error: unknown): string | undefined => (error as { data?: { error?: string } } | undefined)?.data?.error;

/** A SendError's class with Slack's own code behind it (`rejected:invalid_blocks`). */
const errorCode = (error: unknown): string => {
  if (error instanceof SendError) return [error.code, platformCode(error.cause)].filter(Boolean).join(':');
  return platformCode(error) ?? (error as { code?: string }).code ?? (error as Error).message;
};

/** A person is waiting: a short Retry-After is worth waiting once; a long one is not. */
const MAX_REPLY_WAIT_MS = 5000;

/**
 * The replies to one inbound event, in the person's DM, one message per reply and in order: the
 * second only after Slack accepted the first. The same sender as the outbox's, so a reply and a
 * reminder look alike. What Slack will not take now (rate limited for longer than a person waits,
 * failing, out of reach or too slow) is not lost: that reply and the ones after it go to the outbox under keys of
 * this event (chat/reply-handoff.ts), which sends them once Slack takes them again; Slack's retry of
 * the event is a duplicate for the router and hands nothing over again. A refusal (bad blocks, a
 * person we cannot reach) throws its SendError, as does a hand-off the outbox did not take.
 */
export async function postReplies(deps: SlackDeps, client: WebClient, inbound: SlackInbound, replies: Reply[]): Promise<void> {
  const sender = createSlackSender(client, { maxRateLimitWaitMs: MAX_REPLY_WAIT_MS });
  const { address, dedupeKey: eventKey } = inbound;
  for (const [index, reply] of replies.entries()) {
    try {
      await sender.send({ address, message: reply });
    } catch (error) {
      if (!deps.produce || !worthHandingOff(error)) throw error;
      try {
        await deps.produce(handOffReplies({ eventKey, channel: 'slack', address, replies, from: index }));
      } catch (handOffError) {
        deps.log.warn({ code: errorCode(handOffError) }, 'slack replies not handed to the outbox');
        throw error;
      }
      deps.log.warn({ code: errorCode(error), replies: replies.length - index }, 'slack replies handed to the outbox');
      return;
    }
  }
}

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
