import type { Message, MessageEntity } from 'grammy/types';
import type { InboundEvent } from '../../domain/chat/router.js';

/**
 * Pure translation of what a person sent on Telegram into the router's events, kept apart from
 * bot.ts so it can be tested without a bot.
 */

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
