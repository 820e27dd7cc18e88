import { ErrorCode, LogLevel, WebClient, type KnownBlock } from '@slack/web-api';
import { SendError, SendErrorCode, type OutgoingMessage, type Sender } from '../../domain/chat/channel.js';

export interface SlackSenderOptions {
  token: string;
  /** Web API base URL ending in `/api/`; tests point it at their fake. */
  apiUrl: string;
  timeoutMs?: number;
}

/**
 * `rejectRateLimitedCalls` and `retries: 0` on purpose: by default the client retries for minutes
 * and, on a 429, pauses its whole request queue; here the outbox queue owns waits and retries.
 */
export function createSlackClient(options: SlackSenderOptions): WebClient {
  return new WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: options.timeoutMs ?? 20_000,
    logLevel: LogLevel.ERROR,
  });
}

export function createSlackSender(options: SlackSenderOptions): Sender {
  const client = createSlackClient(options);
  return {
    channel: 'slack',
    async send(message: OutgoingMessage) {
      const text = escapeSlackText(message.text);
      try {
        const result = await client.chat.postMessage({
          channel: message.address,
          // Always set: it is the notification and the fallback where blocks do not render.
          text,
          ...(message.choices.length > 0 ? { blocks: slackBlocks(text, message.choices) } : {}),
        });
        if (!result.ts) throw new SendError(SendErrorCode.Unexpected, 'chat.postMessage answered without a ts');
        return { messageId: result.ts };
      } catch (error) {
        throw slackSendError(error);
      }
    },
  };
}

/** Slack reads `&`, `<` and `>` as control characters in message text. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Block Kit limits: section text ≤ 3000 characters, button label ≤ 75.
const SECTION_MAX = 3000;
const LABEL_MAX = 75;

export function slackBlocks(text: string, choices: OutgoingMessage['choices']): KnownBlock[] {
  const sections: KnownBlock[] = [];
  for (let at = 0; at < text.length; at += SECTION_MAX) {
    sections.push({ type: 'section', text: { type: 'mrkdwn', text: text.slice(at, at + SECTION_MAX) } });
  }
  return [
    ...sections,
    {
      type: 'actions',
      elements: choices.map((choice) => ({
        type: 'button' as const,
        action_id: choice.id,
        value: choice.id,
        text: { type: 'plain_text' as const, text: choice.label.slice(0, LABEL_MAX), emoji: true },
      })),
    },
  ];
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
export function slackSendError(error: unknown): SendError {
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
