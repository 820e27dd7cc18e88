import type { Channel } from '../../models/shared.js';

import type { Message } from './message.js';

/**
 * A chat platform as the core sees it: deliver one message (text, buttons, links, files, or an
 * edit of an earlier one) to an address and get the platform's message id back, or fail with a
 * classified {@link SendError}. Telegram and Slack implement it in their adapters
 * (bots/telegram/sender.ts, bots/slack/sender.ts), the demo's console in demo/console-channel.ts.
 * Direct replies and the outbox worker use the same implementation, so a message looks the same
 * whichever way it went out; the worker turns the error's kind into a queue outcome.
 */
export interface OutgoingMessage {
  /** Telegram chat id or Slack channel / DM id, as stored on the identity or delivery. */
  address: string;
  /** An edit arrives with `edit.ref`: the outbox resolves a delivery key before sending. */
  message: Message;
}

export interface Sender {
  readonly channel: Channel;
  /** The id of the message that carries the buttons (the last part when the text was split). */
  send(outgoing: OutgoingMessage): Promise<{ messageId: string }>;
}

/**
 * What the worker does with a failure:
 * - rate_limited: wait `retryAfterMs` through the queue, then try again; not a failed attempt.
 * - unreachable: this recipient cannot get messages (blocked the bot, account gone); stop, and
 *   deactivate the identity so producers stop addressing it.
 * - transient: the platform or the network failed; retry with backoff.
 * - permanent: the platform refused this message; retrying will not help.
 */
export type SendErrorKind = 'rate_limited' | 'unreachable' | 'transient' | 'permanent';

/** Stable codes for logs, `Delivery.lastError.code` and `ChannelIdentity.inactiveReason`. */
export enum SendErrorCode {
  RateLimited = 'rate_limited',
  Blocked = 'blocked',
  UserDeactivated = 'user_deactivated',
  ChatNotFound = 'chat_not_found',
  UserNotFound = 'user_not_found',
  ChannelNotFound = 'channel_not_found',
  AccountInactive = 'account_inactive',
  ChannelArchived = 'channel_archived',
  Forbidden = 'forbidden',
  ServerError = 'server_error',
  NetworkError = 'network_error',
  Unexpected = 'unexpected',
  Unauthorized = 'unauthorized',
  BadRequest = 'bad_request',
  Rejected = 'rejected',
  /** An attachment's stored file is gone (MissingFileError, domain/chat/files.ts). */
  FileMissing = 'file_missing',
}

const KIND_OF: Record<SendErrorCode, SendErrorKind> = {
  [SendErrorCode.RateLimited]: 'rate_limited',
  [SendErrorCode.Blocked]: 'unreachable',
  [SendErrorCode.UserDeactivated]: 'unreachable',
  [SendErrorCode.ChatNotFound]: 'unreachable',
  [SendErrorCode.UserNotFound]: 'unreachable',
  [SendErrorCode.ChannelNotFound]: 'unreachable',
  [SendErrorCode.AccountInactive]: 'unreachable',
  [SendErrorCode.ChannelArchived]: 'unreachable',
  [SendErrorCode.Forbidden]: 'unreachable',
  [SendErrorCode.ServerError]: 'transient',
  [SendErrorCode.NetworkError]: 'transient',
  // An error nobody classified is retried: a bounded number of tries is cheaper than a lost message.
  [SendErrorCode.Unexpected]: 'transient',
  [SendErrorCode.Unauthorized]: 'permanent',
  [SendErrorCode.BadRequest]: 'permanent',
  [SendErrorCode.Rejected]: 'permanent',
  // The bytes will not come back by retrying; the producer has to store the file again.
  [SendErrorCode.FileMissing]: 'permanent',
};

export class SendError extends Error {
  readonly kind: SendErrorKind;
  /** Only for `rate_limited`: how long the platform asked us to wait. */
  readonly retryAfterMs?: number;

  constructor(
    readonly code: SendErrorCode,
    /** The platform's own words (never the message text or a token). */
    message: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'SendError';
    this.kind = KIND_OF[code];
    if (code === SendErrorCode.RateLimited) this.retryAfterMs = Math.max(0, options.retryAfterMs ?? 1000);
  }
}

/** Anything a sender threw, as a SendError; unknown errors count as transient. */
export function asSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SendError(SendErrorCode.Unexpected, message, { cause: error });
}
