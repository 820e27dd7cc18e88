import { describe, expect, it } from 'vitest';
import type { MessageEntity } from 'grammy/types';
import { isPersonContent, toInboundEvent } from '../../src/bots/telegram/inbound.js';

const command = (text: string, length = text.split(' ')[0]?.length ?? 0) => ({
  text,
  entities: [{ type: 'bot_command', offset: 0, length } as MessageEntity],
});

describe('Telegram messages to router events', () => {
  it('reads commands with payload, bot address and aliases', () => {
    expect(toInboundEvent(command('/start abcDEF_123-xyz'), 'ogp_bot')).toEqual({ type: 'command', name: 'start', args: 'abcDEF_123-xyz' });
    expect(toInboundEvent(command('/Status@OGP_Bot'), 'ogp_bot')).toEqual({ type: 'command', name: 'status', args: '' });
    expect(toInboundEvent(command('/lang en'), 'ogp_bot')).toEqual({ type: 'command', name: 'language', args: 'en' });
    expect(toInboundEvent(command('/help@other_bot'), 'ogp_bot')).toEqual({ type: 'text', text: '/help@other_bot' });
  });

  it('keeps text as typed, with a command only at the start', () => {
    expect(toInboundEvent({ text: 'Darbs ir pabeigts /status' }, 'ogp_bot')).toEqual({ type: 'text', text: 'Darbs ir pabeigts /status' });
    // A slash without Telegram's bot_command entity (e.g. a path) is text.
    expect(toInboundEvent({ text: '/home/dati ir publicēti' }, 'ogp_bot')).toEqual({ type: 'text', text: '/home/dati ir publicēti' });
    expect(toInboundEvent({ caption: 'Pielikumā atskaite' }, 'ogp_bot')).toEqual({ type: 'text', text: 'Pielikumā atskaite' });
    expect(toInboundEvent({}, 'ogp_bot')).toEqual({ type: 'text', text: '' });
  });

  it('answers what a person sent, not service messages', () => {
    expect(isPersonContent({ text: 'x' })).toBe(true);
    expect(isPersonContent({ photo: [] })).toBe(true);
    expect(isPersonContent({ message_auto_delete_timer_changed: { message_auto_delete_time: 60 } } as never)).toBe(false);
  });
});
