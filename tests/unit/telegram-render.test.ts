import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH, inlineKeyboard, renderTelegram, splitText, type TelegramCall } from '../../src/bots/telegram/render.js';
import { choice, type Attachment, type Message } from '../../src/domain/chat/message.js';

const file = (name: string, mediaType: string): Attachment => ({ name, mediaType, source: { kind: 'stored', fileId: `id-${name}` } });
const texts = (calls: TelegramCall[]) => calls.map((c) => ('text' in c ? c.text : undefined));
const markups = (calls: TelegramCall[]) => calls.map((c) => c.reply_markup);
const primaries = (calls: TelegramCall[]) => calls.flatMap((c, i) => (c.primary ? [i] : []));
/** True when a string starts or ends inside a surrogate pair. */
const cutInPair = (s: string) => /^[\udc00-\udfff]|[\ud800-\udbff]$/.test(s);

const thirtyChoices = Array.from({ length: 30 }, (_, i) => choice(`sf:m:${i + 1}`, `Pasākums ${i + 1}`));
const start = { id: 'sf:start', label: 'Ziņot statusu' };

describe('Telegram text splitting', () => {
  it('splits exactly at 4096 UTF-16 units when the line break falls there', () => {
    const text = `${'a'.repeat(4096)}\n${'b'.repeat(4096)}`;
    expect(splitText(text)).toEqual(['a'.repeat(4096), 'b'.repeat(4096)]);
    expect(splitText('a'.repeat(4096))).toEqual(['a'.repeat(4096)]);
    expect(splitText(`${'a'.repeat(4095)}\n${'b'.repeat(10)}`)).toEqual(['a'.repeat(4095), 'b'.repeat(10)]);
    // "x\n" and the line would end at 4097 units: the cut goes to the earlier line break.
    expect(splitText(`x\n${'a'.repeat(4095)}\ny`)).toEqual(['x', 'a'.repeat(4095), 'y']);
  });

  it('prefers the last line break that fits, so lines stay whole', () => {
    const line = 'Pasākums 3.3 „Caurskatāmība” — procesā, termiņš 13.02.2026.';
    const text = Array.from({ length: 200 }, (_, i) => `${i + 1}. ${line}`).join('\n');
    const parts = splitText(text);
    expect(parts.length).toBe(Math.ceil(text.length / MAX_MESSAGE_LENGTH));
    expect(parts.every((p) => p.length > 0 && p.length <= MAX_MESSAGE_LENGTH && /^\d+\. Pasākums/.test(p) && p.endsWith('2026.'))).toBe(true);
    expect(parts.join('\n')).toBe(text);
  });

  it('never cuts a surrogate pair in two, even where the limit falls inside one', () => {
    // With one leading unit, position 4096 falls between the halves of an emoji.
    const text = `x${'😀'.repeat(3000)}`;
    const parts = splitText(text);
    expect(parts.join('')).toBe(text);
    expect(parts[0]).toHaveLength(4095);
    expect(parts.every((p) => p.length <= MAX_MESSAGE_LENGTH && !cutInPair(p))).toBe(true);
    expect(splitText('īss teksts')).toEqual(['īss teksts']);
  });

  it('sends no empty piece when a long text ends with a line break', () => {
    expect(splitText(`${'a'.repeat(4096)}\n`)).toEqual(['a'.repeat(4096)]);
    expect(splitText('')).toEqual(['']);
  });
});

describe('Telegram rendering of a message', () => {
  it('lays out callback buttons one per row in order, then URL buttons', () => {
    expect(inlineKeyboard({ choices: [] })).toBeUndefined();
    const keyboard = inlineKeyboard({ choices: thirtyChoices, links: [{ label: 'Plāns / Plan', url: 'https://www.mk.gov.lv/lv/ogp' }] });
    expect(keyboard?.inline_keyboard).toHaveLength(31);
    expect(keyboard?.inline_keyboard.every((row) => row.length === 1)).toBe(true);
    expect(keyboard?.inline_keyboard[0]).toEqual([{ text: 'Pasākums 1', callback_data: 'sf:m:1' }]);
    expect(keyboard?.inline_keyboard[29]).toEqual([{ text: 'Pasākums 30', callback_data: 'sf:m:30' }]);
    expect(keyboard?.inline_keyboard[30]).toEqual([{ text: 'Plāns / Plan', url: 'https://www.mk.gov.lv/lv/ogp' }]);
  });

  it('puts the keyboard on the last part of a long text only, and that part stands for the message', () => {
    const text = Array.from({ length: 400 }, (_, i) => `${i + 1}. Pasākums *${i}* <b>_x_</b>`).join('\n');
    const message: Message = { text, choices: thirtyChoices, links: [{ label: 'Plāns', url: 'https://example.lv/plan' }] };
    const calls = renderTelegram(message);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.every((c) => c.method === 'sendMessage')).toBe(true);
    expect(texts(calls).join('\n')).toBe(text);
    expect(markups(calls).slice(0, -1).every((m) => m === undefined)).toBe(true);
    expect(calls.at(-1)?.reply_markup?.inline_keyboard).toHaveLength(31);
    expect(primaries(calls)).toEqual([calls.length - 1]);
    // Plain text: the person's own `*`, `_` and `<b>` must not turn into formatting.
    expect(JSON.stringify(calls)).not.toContain('parse_mode');
  });

  it('sends a CSV as a document and PNG or JPEG as photos, after the text that carries the buttons', () => {
    const csv = file('atbildes-2025.csv', 'text/csv');
    const png = file('grafiks.png', 'image/png');
    const jpeg = file('foto.jpg', 'image/JPEG');
    const gif = file('anim.gif', 'image/gif');
    const calls = renderTelegram({ text: 'Eksports', choices: [start], attachments: [csv, png, jpeg, gif] });
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'sendDocument', 'sendPhoto', 'sendPhoto', 'sendDocument']);
    expect(calls.slice(1).map((c) => ('attachment' in c ? c.attachment : undefined))).toEqual([csv, png, jpeg, gif]);
    expect(markups(calls).map(Boolean)).toEqual([true, false, false, false, false]);
    expect(primaries(calls)).toEqual([0]);
  });

  it('puts the buttons on the last file when there is no text', () => {
    const calls = renderTelegram({ text: '', choices: [start], attachments: [file('a.csv', 'text/csv'), file('b.md', 'text/markdown')] });
    expect(calls.map((c) => c.method)).toEqual(['sendDocument', 'sendDocument']);
    expect(markups(calls).map(Boolean)).toEqual([false, true]);
    expect(primaries(calls)).toEqual([1]);
  });

  it('edits the earlier message with the first part of a long text and sends the rest, buttons on the last', () => {
    const ref = { address: '42', messageId: '7' };
    const text = `${'a'.repeat(4000)}\n${'b'.repeat(4000)}\n${'c'.repeat(200)}`;
    const calls = renderTelegram({ text, choices: [start], edit: { ref }, attachments: [file('a.csv', 'text/csv')] });
    expect(calls).toEqual([
      { method: 'editMessageText', ref, text: 'a'.repeat(4000), primary: true },
      { method: 'sendMessage', text: 'b'.repeat(4000) },
      { method: 'sendMessage', text: 'c'.repeat(200), reply_markup: { inline_keyboard: [[{ text: 'Ziņot statusu', callback_data: 'sf:start' }]] } },
    ]);
  });

  it('keeps the buttons on an edit that fits in one message, and an edit without choices removes them', () => {
    const ref = { address: '42', messageId: '7' };
    expect(renderTelegram({ text: 'Nosūtīti 1200 no 2000', choices: [start], edit: { ref } })).toEqual([
      { method: 'editMessageText', ref, text: 'Nosūtīti 1200 no 2000', primary: true, reply_markup: { inline_keyboard: [[{ text: 'Ziņot statusu', callback_data: 'sf:start' }]] } },
    ]);
    expect(renderTelegram({ text: 'Gatavs', choices: [], edit: { ref } })).toEqual([{ method: 'editMessageText', ref, text: 'Gatavs', primary: true }]);
  });

  it('refuses an edit by delivery key, which the outbox resolves before sending', () => {
    expect(() => renderTelegram({ text: 'x', choices: [], edit: { deliveryKey: 'broadcast:1' } })).toThrow(TypeError);
  });
});
