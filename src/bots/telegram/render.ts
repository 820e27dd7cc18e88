import type { InlineKeyboardMarkup, Message, MessageEntity } from 'grammy/types';
import type { Reply } from '../../domain/chat/message.js';
import type { InboundEvent } from '../../domain/chat/router.js';

/**
 * Pure translation between Telegram's shapes and the router's: a message becomes an
 * InboundEvent, a Reply becomes one or more sendMessage calls. Kept apart from bot.ts so it can
 * be tested without a bot.
 */

/** Telegram refuses longer message texts (counted in UTF-16 code units, as JavaScript does). */
export const MAX_MESSAGE_LENGTH = 4096;

/** Commands whose Telegram spelling differs from the router's name. */
const ALIASES: Record<string, string> = { lang: 'language' };

/**
 * A private message as the router's event. A command counts only when it opens the message and,
 * if addressed (`/status@SomeBot`), is addressed to this bot; a command for another bot is text.
 * A message without text (a photo, a sticker) becomes its caption, or empty text, so the flow
 * can say what it wants instead of the bot keeping silent.
 */
export function toInboundEvent(message: Pick<Message, 'text' | 'caption' | 'entities'>, botUsername: string): InboundEvent {
  const text = message.text ?? message.caption ?? '';
  const command = leadingCommand(text, message.entities);
  if (command) {
    const [, rawName = '', target] = /^\/([^@\s]+)(?:@(\S+))?$/.exec(command.token) ?? [];
    if (!target || target.toLowerCase() === botUsername.toLowerCase()) {
      const name = rawName.toLowerCase();
      return { type: 'command', name: ALIASES[name] ?? name, args: text.slice(command.length).trim() };
    }
  }
  return { type: 'text', text };
}

function leadingCommand(text: string, entities: MessageEntity[] | undefined): { token: string; length: number } | null {
  const entity = entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (!entity) return null;
  return { token: text.slice(0, entity.length), length: entity.length };
}

/** What a person can send; anything else in a private chat is a service message (timer changed, …). */
const CONTENT_FIELDS = ['text', 'caption', 'photo', 'document', 'sticker', 'voice', 'video', 'audio', 'animation', 'video_note', 'contact', 'location', 'venue', 'poll', 'dice'] as const;

/** Whether the message is something a person wrote or sent, which deserves an answer. */
export function isPersonContent(message: Partial<Record<(typeof CONTENT_FIELDS)[number], unknown>>): boolean {
  return CONTENT_FIELDS.some((field) => message[field] !== undefined);
}

/** True when a group message is a command meant for this bot (so it deserves the private-only note). */
export function isCommandForUs(message: Pick<Message, 'text' | 'entities'>, botUsername: string): boolean {
  const event = toInboundEvent(message, botUsername);
  return event.type === 'command';
}

/** One button per row, in the order the domain gave. */
export function inlineKeyboard(reply: Reply): InlineKeyboardMarkup | undefined {
  if (reply.choices.length === 0) return undefined;
  return { inline_keyboard: reply.choices.map((c) => [{ text: c.label, callback_data: c.id }]) };
}

/**
 * A text cut into pieces Telegram accepts: at the last line break that fits, else at a space,
 * else hard (never inside a surrogate pair). Long overviews and "my measures" lists need this.
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
  return parts.filter((p, i) => p.length > 0 || i === parts.length - 1);
}

export interface OutgoingMessage {
  text: string;
  reply_markup?: InlineKeyboardMarkup;
}

/** The sendMessage calls for one reply; the buttons go under the last piece. */
export function toMessages(reply: Reply): OutgoingMessage[] {
  const pieces = splitText(reply.text);
  const keyboard = inlineKeyboard(reply);
  return pieces.map((text, i) => (i === pieces.length - 1 && keyboard ? { text, reply_markup: keyboard } : { text }));
}
