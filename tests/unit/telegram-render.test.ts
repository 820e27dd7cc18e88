import { describe, expect, it } from 'vitest';
import type { MessageEntity } from 'grammy/types';
import { MAX_MESSAGE_LENGTH, inlineKeyboard, isPersonContent, splitText, toInboundEvent, toMessages } from '../../src/bots/telegram/render.js';
import { retryShortRateLimits } from '../../src/bots/telegram/rate-limit.js';

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

describe('Replies to Telegram messages', () => {
  it('lays out one button per row and none without choices', () => {
    expect(inlineKeyboard({ text: 'x', choices: [] })).toBeUndefined();
    expect(inlineKeyboard({ text: 'x', choices: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }] })).toEqual({
      inline_keyboard: [[{ text: 'A', callback_data: 'a' }], [{ text: 'B', callback_data: 'b' }]],
    });
  });

  it('splits long texts at line breaks and puts the buttons under the last piece', () => {
    const line = 'Pasākums 3.3 „Caurskatāmība” — procesā, termiņš 13.02.2026.';
    const text = Array.from({ length: 200 }, (_, i) => `${i + 1}. ${line}`).join('\n');
    const messages = toMessages({ text, choices: [{ id: 'sf:start', label: 'Ziņot statusu' }] });
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.every((m) => m.text.length > 0 && m.text.length <= MAX_MESSAGE_LENGTH)).toBe(true);
    expect(messages.map((m) => m.text).join('\n')).toBe(text);
    expect(messages.slice(0, -1).every((m) => m.reply_markup === undefined)).toBe(true);
    expect(messages.at(-1)?.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Ziņot statusu', callback_data: 'sf:start' }]] });
  });

  it('never cuts a character in two when there is nowhere better to cut', () => {
    const text = '😀'.repeat(3000);
    const pieces = splitText(text);
    expect(pieces.join('')).toBe(text);
    expect(pieces.every((p) => p.length <= MAX_MESSAGE_LENGTH && !/^[\udc00-\udfff]/.test(p))).toBe(true);
    expect(splitText('īss teksts')).toEqual(['īss teksts']);
  });
});

describe('short rate-limit retries', () => {
  type Prev = Parameters<ReturnType<typeof retryShortRateLimits>>[0];
  const limited = (retryAfter: number) => ({ ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: retryAfter } });

  function run(method: string, answers: unknown[], maxWaitSeconds = 3) {
    const waits: number[] = [];
    let calls = 0;
    const prev = (async () => answers[Math.min(calls++, answers.length - 1)]) as unknown as Prev;
    const transformer = retryShortRateLimits({ maxWaitSeconds, sleep: async (ms) => void waits.push(ms) });
    return transformer(prev, method as never, {} as never).then((result) => ({ result, waits, calls }));
  }

  it('waits out a short retry_after and tries again', async () => {
    const { result, waits, calls } = await run('sendMessage', [limited(1), { ok: true, result: true }]);
    expect(result).toEqual({ ok: true, result: true });
    expect(waits).toEqual([1000]);
    expect(calls).toBe(2);
  });

  it('gives up on a long wait, after its retries, and leaves getUpdates to grammY', async () => {
    expect(await run('sendMessage', [limited(60)])).toMatchObject({ waits: [], calls: 1, result: { error_code: 429 } });
    expect(await run('sendMessage', [limited(1)])).toMatchObject({ waits: [1000, 1000], calls: 3 });
    expect(await run('getUpdates', [limited(1)])).toMatchObject({ waits: [], calls: 1 });
  });
});
