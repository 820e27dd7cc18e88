import { ErrorCode, LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import { SendError, SendErrorCode, type OutgoingMessage, type Sender } from '../../domain/chat/channel.js';
import { readAttachment } from '../../domain/chat/files.js';
import type { Attachment } from '../../domain/chat/message.js';
import { renderSlack, type SlackMessage } from './render.js';

/**
 * The Slack side of the channel contract, used by the outbox worker and by direct replies alike:
 * the rendering (render.ts) goes out with chat.postMessage / chat.update, attachments with
 * files.uploadV2, and every failure leaves as a classified SendError.
 */

export interface SlackClientOptions {
  token: string;
  /** Web API base URL ending in `/api/`; tests point it at their fake. */
  apiUrl: string;
  timeoutMs?: number;
}

/**
 * What both Slack clients are built with, the outbox's (createSlackClient) and Bolt's for direct
 * replies (app.ts). @slack/web-api's defaults would take the waits and retries away from us: it
 * retries a failed call for about half an hour (`tenRetriesInAboutThirtyMinutes`), pauses its whole
 * request queue on a 429 until the Retry-After has passed, and sets no timeout (axios' 0), so a
 * Slack that takes the connection and never answers holds the call for ever. Hence no retries, a
 * 429 thrown to us, and a timeout: the outbox queue owns the retries of deliveries, and a reply
 * Slack does not take at once is handed to that queue (context.ts postReplies).
 */
export function slackClientOptions(options: { apiUrl: string; timeoutMs: number }): WebClientOptions {
  return { slackApiUrl: options.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: options.timeoutMs };
}

export function createSlackClient(options: SlackClientOptions): WebClient {
  return new WebClient(options.token, {
    ...slackClientOptions({ apiUrl: options.apiUrl, timeoutMs: options.timeoutMs ?? 20_000 }),
    logLevel: LogLevel.ERROR,
  });
}

export interface SlackSenderOptions {
  /**
   * A 429 with a Retry-After up to this long is waited out once, per call, inside the sender: a
   * person waiting for a reply is better served by a short pause than by an error. The outbox
   * leaves it at 0, because its queue owns the waits.
   */
  maxRateLimitWaitMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The client must be built with slackClientOptions (createSlackClient, or Bolt's `clientOptions`
 * in app.ts); otherwise a 429 pauses the client instead of reaching us.
 */
export function createSlackSender(client: WebClient, options: SlackSenderOptions = {}): Sender {
  const maxWaitMs = options.maxRateLimitWaitMs ?? 0;
  async function call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const failure = slackSendError(error);
      if (failure.kind !== 'rate_limited' || (failure.retryAfterMs ?? Infinity) > maxWaitMs) throw failure;
      await sleep(failure.retryAfterMs ?? 0);
      return request();
    }
  }

  async function post(channel: string, message: SlackMessage): Promise<string> {
    const result = await call(() => client.chat.postMessage({ channel, ...message, unfurl_links: false, unfurl_media: false }));
    if (!result.ts) throw new SendError(SendErrorCode.Unexpected, 'chat.postMessage answered without a ts');
    return result.ts;
  }

  /** The file id: a shared file's message ts arrives later, and only in events. */
  async function upload(channel: string, file: { name: string; bytes: Buffer }): Promise<string> {
    const result = await call(() => client.files.uploadV2({ channel_id: channel, filename: file.name, file: file.bytes }));
    // The method table types the result loosely; WebClient.filesUploadV2 returns one
    // files.completeUploadExternal answer per destination.
    const completed = (result as { files?: { files?: { id?: string }[] }[] }).files;
    const id = completed?.[0]?.files?.[0]?.id;
    if (!id) throw new SendError(SendErrorCode.Unexpected, 'files.uploadV2 answered without a file id');
    return id;
  }

  return {
    channel: 'slack',
    async send({ address, message }: OutgoingMessage) {
      try {
        if (message.edit && !('ref' in message.edit)) {
          throw new SendError(SendErrorCode.BadRequest, 'an edit by delivery key reached the Slack sender unresolved');
        }
        const { update, messages } = renderSlack(message);
        // Every file is read before anything is posted, so a missing one fails the whole
        // message instead of leaving its text without the promised file. An edit keeps the files
        // the message already has (the contract edits text and buttons only).
        const files = update ? [] : await readFiles(message.attachments ?? []);
        if (messages.length === 0 && files.length === 0) throw new SendError(SendErrorCode.BadRequest, 'nothing to send');

        let messageId: string | undefined;
        for (const [index, part] of messages.entries()) {
          if (index === 0 && update) {
            await call(() => client.chat.update({ channel: update.address, ts: update.messageId, ...part }));
            messageId = update.messageId;
          } else {
            messageId = await post(address, part);
          }
        }
        // After the text, which introduces them ("the export is attached").
        for (const file of files) {
          const fileId = await upload(address, file);
          messageId ??= fileId;
        }
        return { messageId: messageId ?? '' };
      } catch (error) {
        throw slackSendError(error);
      }
    },
  };
}

function readFiles(attachments: Attachment[]): Promise<{ name: string; bytes: Buffer }[]> {
  return Promise.all(attachments.map(async (attachment) => ({ name: attachment.name, bytes: await readAttachment(attachment) })));
}

const UNREACHABLE: Record<string, SendErrorCode> = {
  user_not_found: SendErrorCode.UserNotFound,
  channel_not_found: SendErrorCode.ChannelNotFound,
  account_inactive: SendErrorCode.AccountInactive,
  user_disabled: SendErrorCode.AccountInactive,
  is_archived: SendErrorCode.ChannelArchived,
};
const AUTH = new Set(['not_authed', 'invalid_auth', 'token_revoked', 'token_expired', 'missing_scope', 'no_permission']);
const SERVER = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

interface SlackCodedError {
  code: string;
  message: string;
  retryAfter?: number;
  statusCode?: number;
  data?: { error?: string };
}

function isCoded(error: unknown): error is SlackCodedError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

/** Maps @slack/web-api's coded errors (its `errors.ts`) to the outbox's classification. */
function slackSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  if (isCoded(error)) {
    switch (error.code) {
      case ErrorCode.RateLimitedError:
        return new SendError(SendErrorCode.RateLimited, 'Slack rate limit', {
          retryAfterMs: (error.retryAfter ?? 1) * 1000,
          cause: error,
        });
      case ErrorCode.PlatformError: {
        const reason = error.data?.error ?? 'unknown_error';
        const unreachable = UNREACHABLE[reason];
        if (unreachable) return new SendError(unreachable, reason, { cause: error });
        if (reason === 'ratelimited') return new SendError(SendErrorCode.RateLimited, reason, { retryAfterMs: 1000, cause: error });
        if (AUTH.has(reason)) return new SendError(SendErrorCode.Unauthorized, reason, { cause: error });
        if (SERVER.has(reason)) return new SendError(SendErrorCode.ServerError, reason, { cause: error });
        return new SendError(SendErrorCode.Rejected, reason, { cause: error });
      }
      case ErrorCode.HTTPError: {
        const status = error.statusCode ?? 0;
        const code = status >= 500 ? SendErrorCode.ServerError : SendErrorCode.BadRequest;
        return new SendError(code, `HTTP ${status}`, { cause: error });
      }
      case ErrorCode.RequestError:
        return new SendError(SendErrorCode.NetworkError, error.message, { cause: error });
    }
  }
  return new SendError(SendErrorCode.Unexpected, error instanceof Error ? error.message : String(error), { cause: error });
}
