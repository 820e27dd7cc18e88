import { webApi } from '@slack/bolt';
import type { InboundContext } from '../../domain/chat/router.js';
import type { Reply } from '../../domain/chat/message.js';
import type { OutboundMessage } from '../../domain/reminders/reminder-messages.js';
import type { Logger } from '../../log.js';
import { renderReply } from './blocks.js';
import { COMMAND_PREFIX } from './commands.js';
import type { EmailLinker } from './identity.js';
import type { ModalLimits } from './status-modal.js';
import { TEMPORARY_ERROR } from './texts.js';

export type WebClient = webApi.WebClient;

/** What every listener needs: the outbox for coordinator notices, the clock, the e-mail linker. */
export interface SlackDeps {
  produce?: (messages: OutboundMessage[]) => Promise<unknown>;
  log: Logger;
  now: () => Date;
  linker: EmailLinker;
  limits: ModalLimits;
}

export function inboundContext(deps: SlackDeps, userId: string, address: string, dedupeKey: string): InboundContext {
  return { channel: 'slack', externalId: userId, address, commandPrefix: COMMAND_PREFIX, now: deps.now(), dedupeKey };
}

/** A person is waiting: a short Retry-After is worth waiting once; a long one is not. */
const MAX_REPLY_WAIT_S = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function postOne(client: WebClient, args: webApi.ChatPostMessageArguments): Promise<void> {
  try {
    await client.chat.postMessage(args);
  } catch (error) {
    const limited = error as { code?: string; retryAfter?: number };
    if (limited.code !== webApi.ErrorCode.RateLimitedError || (limited.retryAfter ?? Infinity) > MAX_REPLY_WAIT_S) throw error;
    await sleep((limited.retryAfter ?? 1) * 1000);
    await client.chat.postMessage(args);
  }
}

/** One message per reply, in order: the second one only after Slack accepted the first. */
export async function postReplies(client: WebClient, channel: string, replies: Reply[]): Promise<void> {
  for (const reply of replies) {
    await postOne(client, { channel, ...renderReply(reply), unfurl_links: false, unfurl_media: false });
  }
}

const errorCode = (error: unknown): string =>
  (error as { data?: { error?: string } }).data?.error ?? (error as { code?: string }).code ?? (error as Error).message;

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
