import { Api, GrammyError, HttpError, InputFile } from 'grammy';
import type { Message as TelegramMessage } from 'grammy/types';
import { SendError, SendErrorCode, type OutgoingMessage, type Sender } from '../../domain/chat/channel.js';
import { readAttachment } from '../../domain/chat/files.js';
import type { Attachment } from '../../domain/chat/message.js';
import { renderTelegram, type TelegramCall } from './render.js';

export interface TelegramApiOptions {
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
 * The outbox worker's client: grammY's `Api` without the auto-retry plugin on purpose, because its
 * default waits are unlimited and would block a worker slot; the queue owns retries and waits
 * (see outbox-worker.ts). The bot's own `bot.api` keeps its short-wait transformer for replies.
 */
export function createTelegramApi(options: TelegramApiOptions): Api {
  return new Api(options.token, { apiRoot: options.apiRoot, timeoutSeconds: options.timeoutSeconds ?? 20 });
}

/**
 * Sends a Message as renderTelegram lays it out. The id returned is that of the message carrying
 * the buttons (for an edit, the edited one), which is what a later edit must address.
 * A message split in parts is not atomic: when a later part fails, a retry sends the earlier parts
 * again. Files are read before the first call so that a missing one fails before anything is sent.
 */
export function createTelegramSender(api: Api): Sender {
  return {
    channel: 'telegram',
    async send({ address, message }: OutgoingMessage) {
      try {
        if (message.edit && !('ref' in message.edit)) {
          throw new SendError(SendErrorCode.BadRequest, 'an edit by delivery key reached the Telegram sender unresolved');
        }
        const calls = renderTelegram(message);
        const files = await readFiles(calls);
        let messageId = '';
        for (const call of calls) {
          const id = await perform(api, address, call, files);
          if (call.primary) messageId = id;
        }
        return { messageId };
      } catch (error) {
        throw telegramSendError(error);
      }
    },
  };
}

async function readFiles(calls: TelegramCall[]): Promise<Map<Attachment, Buffer>> {
  const attachments = calls.flatMap((call) => ('attachment' in call ? [call.attachment] : []));
  const bytes = await Promise.all(attachments.map(readAttachment));
  return new Map(attachments.map((attachment, i) => [attachment, bytes[i]!]));
}

async function perform(api: Api, address: string, call: TelegramCall, files: Map<Attachment, Buffer>): Promise<string> {
  const other = call.reply_markup ? { reply_markup: call.reply_markup } : {};
  const id = (sent: TelegramMessage) => String(sent.message_id);
  switch (call.method) {
    case 'sendMessage':
      return id(await api.sendMessage(address, call.text, other));
    case 'sendDocument':
      return id(await api.sendDocument(address, inputFile(call.attachment, files), other));
    case 'sendPhoto':
      return id(await api.sendPhoto(address, inputFile(call.attachment, files), other));
    case 'editMessageText': {
      const messageId = Number(call.ref.messageId);
      if (!Number.isSafeInteger(messageId)) throw new SendError(SendErrorCode.BadRequest, `not a Telegram message id: ${call.ref.messageId}`);
      try {
        await api.editMessageText(call.ref.address, messageId, call.text, other);
      } catch (error) {
        // The message already reads so (a retry after the first try got through): done, not failed.
        if (!(error instanceof GrammyError && error.error_code === 400 && /message is not modified/i.test(error.description))) throw error;
      }
      return call.ref.messageId;
    }
  }
}

function inputFile(attachment: Attachment, files: Map<Attachment, Buffer>): InputFile {
  // grammY refuses a file name with a line break, which no retry would cure.
  return new InputFile(files.get(attachment)!, attachment.name.replace(/[\r\n]+/g, ' '));
}

const UNREACHABLE: [RegExp, SendErrorCode][] = [
  [/bot was blocked by the user/i, SendErrorCode.Blocked],
  [/user is deactivated/i, SendErrorCode.UserDeactivated],
  [/chat not found|PEER_ID_INVALID/i, SendErrorCode.ChatNotFound],
  [/user not found/i, SendErrorCode.UserNotFound],
];

/** Maps grammY's errors (see grammY `src/core/error.ts`) to the outbox's classification. */
function telegramSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
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
