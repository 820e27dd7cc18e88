import { Api, GrammyError, HttpError, InlineKeyboard } from 'grammy';
import { SendError, SendErrorCode, type OutgoingMessage, type Sender } from '../../domain/chat/channel.js';

export interface TelegramSenderOptions {
  token: string;
  /** Bot API base URL without a trailing slash; tests point it at their fake. */
  apiRoot: string;
  /**
   * grammY waits up to 500 s for an answer by default; a send that hangs that long would hold a
   * worker slot and its job lock. 20 s is far above the Bot API's normal answer time.
   */
  timeoutSeconds?: number;
}

/**
 * Sends through grammY's `Api` without the auto-retry plugin on purpose: its default waits are
 * unlimited and would block a worker slot; the queue owns retries and waits (see outbox-worker.ts).
 */
export function createTelegramSender(options: TelegramSenderOptions): Sender {
  const api = new Api(options.token, { apiRoot: options.apiRoot, timeoutSeconds: options.timeoutSeconds ?? 20 });
  return {
    channel: 'telegram',
    async send({ address, text, choices }: OutgoingMessage) {
      const reply_markup =
        choices.length > 0 ? InlineKeyboard.from(choices.map((choice) => [InlineKeyboard.text(choice.label, choice.id)])) : undefined;
      try {
        const message = await api.sendMessage(address, text, reply_markup ? { reply_markup } : {});
        return { messageId: String(message.message_id) };
      } catch (error) {
        throw telegramSendError(error);
      }
    },
  };
}

const UNREACHABLE: [RegExp, SendErrorCode][] = [
  [/bot was blocked by the user/i, SendErrorCode.Blocked],
  [/user is deactivated/i, SendErrorCode.UserDeactivated],
  [/chat not found|PEER_ID_INVALID/i, SendErrorCode.ChatNotFound],
  [/user not found/i, SendErrorCode.UserNotFound],
];

/** Maps grammY's errors (see grammY `src/core/error.ts`) to the outbox's classification. */
export function telegramSendError(error: unknown): SendError {
  if (error instanceof GrammyError) {
    const { error_code: status, description } = error;
    if (status === 429) {
      return new SendError(SendErrorCode.RateLimited, description, {
        retryAfterMs: (error.parameters.retry_after ?? 1) * 1000,
        cause: error,
      });
    }
    const known = UNREACHABLE.find(([pattern]) => pattern.test(description));
    if (known && (status === 400 || status === 403)) return new SendError(known[1], description, { cause: error });
    // Any other 403 ("bot was kicked", "can't initiate conversation") still means: not this chat.
    if (status === 403) return new SendError(SendErrorCode.Forbidden, description, { cause: error });
    if (status === 401 || status === 404) return new SendError(SendErrorCode.Unauthorized, description, { cause: error });
    if (status >= 500) return new SendError(SendErrorCode.ServerError, description, { cause: error });
    return new SendError(SendErrorCode.BadRequest, description, { cause: error });
  }
  if (error instanceof HttpError) {
    // grammY's message names the method and the cause; it never contains the token by default.
    return new SendError(SendErrorCode.NetworkError, error.message, { cause: error });
  }
  return new SendError(SendErrorCode.Unexpected, error instanceof Error ? error.message : String(error), { cause: error });
}
