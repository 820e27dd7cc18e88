import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Attachment, Message, MessageRef } from '../../domain/chat/message.js';

/**
 * The one Telegram rendering of the message contract, for direct replies and the outbox alike:
 * a Message becomes the Bot API calls that show it. Pure, so the layout is tested without a bot.
 * Texts go out without parse_mode: they are plain text, and a person's `*` or `<` stays as typed.
 */

/** Telegram refuses longer message texts (counted in UTF-16 code units, as JavaScript does). */
export const MAX_MESSAGE_LENGTH = 4096;

/** Telegram shows these inline as pictures; any other file (also SVG, GIF) keeps its name as a document. */
const PHOTO_TYPES = new Set(['image/png', 'image/jpeg']);

interface CallBase {
  reply_markup?: InlineKeyboardMarkup;
  /** The call whose message id stands for the whole message (the one to edit later). */
  primary?: true;
}

export type TelegramCall =
  | (CallBase & { method: 'sendMessage'; text: string })
  | (CallBase & { method: 'editMessageText'; ref: MessageRef; text: string })
  | (CallBase & { method: 'sendDocument' | 'sendPhoto'; attachment: Attachment });

/**
 * The calls for one message, in order: the text (split), then each file; the buttons go under the
 * last text part, so they stay below everything they refer to, or under the last file when there
 * is no text. An edit replaces the text and buttons of `edit.ref` with the first part; further
 * parts follow as new messages. Attachments are not edited (the contract says so), so an edit sends none.
 */
export function renderTelegram(message: Message): TelegramCall[] {
  const keyboard = inlineKeyboard(message);
  const parts = splitText(message.text);
  const withMarkup = <T extends TelegramCall>(call: T, last: boolean): T => (last && keyboard ? { ...call, reply_markup: keyboard } : call);

  if (message.edit) {
    if (!('ref' in message.edit)) throw new TypeError('an edit by delivery key must be resolved to a message ref before rendering');
    const { ref } = message.edit;
    return parts.map((text, i): TelegramCall => {
      const last = i === parts.length - 1;
      return i === 0 ? withMarkup({ method: 'editMessageText', ref, text, primary: true }, last) : withMarkup({ method: 'sendMessage', text }, last);
    });
  }

  const files = message.attachments ?? [];
  const texts: TelegramCall[] =
    message.text.trim() === '' && files.length > 0
      ? []
      : parts.map((text, i) => {
          const last = i === parts.length - 1;
          return withMarkup({ method: 'sendMessage', text, ...(last ? { primary: true as const } : {}) }, last);
        });
  const uploads = files.map((attachment, i): TelegramCall => {
    const carries = texts.length === 0 && i === files.length - 1;
    const method = PHOTO_TYPES.has(attachment.mediaType.toLowerCase()) ? 'sendPhoto' : 'sendDocument';
    return withMarkup({ method, attachment, ...(carries ? { primary: true as const } : {}) }, carries);
  });
  return [...texts, ...uploads];
}

/** Callback buttons one per row in the domain's order, then the link buttons, one per row. */
export function inlineKeyboard(message: Pick<Message, 'choices' | 'links'>): InlineKeyboardMarkup | undefined {
  const rows: InlineKeyboardButton[][] = [
    ...message.choices.map((c) => [{ text: c.label, callback_data: c.id }]),
    ...(message.links ?? []).map((l) => [{ text: l.label, url: l.url }]),
  ];
  return rows.length > 0 ? { inline_keyboard: rows } : undefined;
}

/**
 * A text cut into pieces Telegram accepts: at the last line break that fits, else at a space,
 * else hard (never inside a surrogate pair). Long overviews, exports and digests need this.
 * Blank pieces are dropped (Telegram refuses an empty text); an empty text stays one piece.
 */
export function splitText(text: string, max = MAX_MESSAGE_LENGTH): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut <= 0) cut = rest.lastIndexOf(' ', max);
    if (cut <= 0) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  parts.push(rest);
  const kept = parts.filter((p) => p.trim() !== '');
  return kept.length > 0 ? kept : [text];
}
