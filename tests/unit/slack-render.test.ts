import { describe, expect, it } from 'vitest';
import { answeredMessage, renderReply } from '../../src/bots/slack/blocks.js';
import { parseSlashCommand } from '../../src/bots/slack/commands.js';
import { homeView } from '../../src/bots/slack/home.js';
import { readModalTarget, readStatusAnswer, statusModal, type ViewValues } from '../../src/bots/slack/status-modal.js';
import { slackBlocks } from '../../src/jobs/senders/slack.js';
import { t, tBoth } from '../../src/i18n/index.js';
import type { MyMeasures } from '../../src/domain/status/my-measures.js';

/**
 * The Slack adapter's pure parts without any network: how replies, the form and the App Home are
 * laid out within Block Kit's limits, and how slash commands and form answers are read.
 */

const ROUND = '65a000000000000000000001';
const MEASURE = '65a0000000000000000000aa';

describe('parseSlashCommand', () => {
  it.each([
    ['', { name: 'help', args: '' }],
    ['   ', { name: 'help', args: '' }],
    ['status', { name: 'status', args: '' }],
    ['  MINE ', { name: 'mine', args: '' }],
    ['language en', { name: 'language', args: 'en' }],
    ['link  AbCdEfGhIjKlMnOpQrStUvWxYz012345', { name: 'link', args: 'AbCdEfGhIjKlMnOpQrStUvWxYz012345' }],
  ])('reads %j', (text, expected) => {
    expect(parseSlashCommand(text)).toEqual({ type: 'command', ...expected });
  });
});

describe('renderReply', () => {
  it('keeps a person’s words as plain text and escapes the notification fallback', () => {
    const message = renderReply({ text: 'Piezīme: <!channel> & *svarīgi* <https://x.lv|klikšķis>', choices: [] });
    expect(message.blocks).toEqual([{ type: 'section', text: { type: 'plain_text', text: 'Piezīme: <!channel> & *svarīgi* <https://x.lv|klikšķis>', emoji: true } }]);
    expect(message.text).toBe('Piezīme: &lt;!channel&gt; &amp; *svarīgi* &lt;https://x.lv|klikšķis&gt;');
  });

  it('splits text over 3000 characters into sections at line ends', () => {
    const line = `${'ā'.repeat(99)}\n`;
    const text = line.repeat(70);
    const sections = renderReply({ text, choices: [] }).blocks.map((b) => (b as { text: { text: string } }).text.text);
    expect(sections.length).toBe(3);
    for (const section of sections) expect([...section].length).toBeLessThanOrEqual(3000);
    expect(sections.join('\n')).toBe(text);
  });

  it('turns choices into buttons whose action id and value are the choice id, 25 to a row, labels cut to 75', () => {
    const choices = Array.from({ length: 27 }, (_, i) => ({ id: `sf:abc:m:${i}`, label: `${i} ${'Ļoti gara pasākuma nosaukuma daļa '.repeat(4)}` }));
    const [, first, second] = renderReply({ text: 'Izvēlieties', choices }).blocks as { type: string; elements: { action_id: string; value: string; text: { text: string } }[] }[];
    expect(first?.type).toBe('actions');
    expect(first?.elements).toHaveLength(25);
    expect(second?.elements.map((e) => e.action_id)).toEqual(['sf:abc:m:25', 'sf:abc:m:26']);
    for (const element of [...first!.elements, ...second!.elements]) {
      expect(element.value).toBe(element.action_id);
      expect([...element.text.text].length).toBeLessThanOrEqual(75);
    }
  });
});

describe('answeredMessage', () => {
  it('removes the buttons of an outbox reminder, keeps its text and says what was pressed', () => {
    const blocks = slackBlocks('Atgādinājums: līdz 13.02.2026.', [
      { id: 'rm:r:a', label: 'Ziņot statusu' },
      { id: 'rm:s:a', label: 'Atgādināt rīt' },
    ]);
    const answered = answeredMessage({ text: 'Atgādinājums: līdz 13.02.2026.', blocks }, 'Atgādināt rīt', 'lv');
    expect(answered.text).toBe('Atgādinājums: līdz 13.02.2026.');
    expect(answered.blocks).toEqual([
      blocks[0],
      { type: 'context', elements: [{ type: 'plain_text', text: '✓ Atgādināt rīt', emoji: true }] },
    ]);
  });

  it('drops button accessories too (the App Home style), and copes with a message without blocks', () => {
    const withAccessory = answeredMessage(
      { text: 'x', blocks: [{ type: 'section', text: { type: 'plain_text', text: 'x' }, accessory: { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' } } }] },
      'A',
      'en',
    );
    expect(JSON.stringify(withAccessory.blocks)).not.toContain('"button"');
    expect(answeredMessage({ text: 'Tikai teksts' }, 'A', 'lv').blocks[0]).toEqual({ type: 'section', text: { type: 'plain_text', text: 'Tikai teksts', emoji: true } });
  });
});

describe('the status form', () => {
  const measure = { id: MEASURE, code: '3.3', title: 'Caurskatāmība', roundId: ROUND };
  const values = (status: string | undefined, note: string | undefined, links?: string): ViewValues => ({
    status: { value: { selected_option: status ? { value: status } : null } },
    note: { value: { value: note ?? null } },
    links: { value: { value: links ?? null } },
  });

  it('fits Slack’s limits and carries the round and measure it is for', () => {
    const view = statusModal('lv', measure, { noteMaxLength: 5000 });
    expect([...view.title.text].length).toBeLessThanOrEqual(24);
    expect(readModalTarget(view.private_metadata)).toEqual({ roundId: ROUND, measureId: MEASURE });
    const note = view.blocks.find((b) => b.block_id === 'note') as { element: { max_length: number } };
    expect(note.element.max_length).toBe(3000);
    expect(readModalTarget('{"r":1}')).toBeNull();
    expect(readModalTarget('not json')).toBeNull();
  });

  it('accepts a complete answer in the conversation’s normal form', () => {
    expect(readStatusAnswer(values('completed', '  Gatavs.\u0301  ', 'https://a.lv/x <https://b.lv/y>,'), 'lv')).toEqual({
      ok: true,
      status: 'completed',
      note: 'Gatavs.\u0301'.normalize('NFC'),
      links: ['https://a.lv/x', 'https://b.lv/y'],
    });
    expect(readStatusAnswer(values('in_progress', 'Notiek darbs.'), 'lv')).toMatchObject({ ok: true, links: [] });
  });

  it('refuses every bad field at once, in the person’s language', () => {
    expect(readStatusAnswer(values('cancelled', '   ', 'javascript:alert(1)'), 'en')).toEqual({
      ok: false,
      errors: {
        status: 'Please choose a status.',
        note: t('en', 'error.note_empty'),
        links: '“javascript:alert(1)” is not a valid link: it must start with http:// or https://. If there are no links, leave the field empty.',
      },
    });
    const six = Array.from({ length: 6 }, (_, i) => `https://a.lv/${i}`).join('\n');
    expect(readStatusAnswer(values('delayed', 'ā'.repeat(11), six), 'lv', { noteMaxLength: 10 })).toEqual({
      ok: false,
      errors: {
        note: t('lv', 'error.note_too_long', { limit: t('lv', 'count.characters', { count: 10 }), length: t('lv', 'count.characters', { count: 11 }) }),
        links: t('lv', 'error.too_many_links', { count: 6, max: 5 }),
      },
    });
    expect(readStatusAnswer(values('delayed', 'ā'.repeat(10)), 'lv', { noteMaxLength: 10 }).ok).toBe(true);
  });
});

describe('homeView', () => {
  it('explains access to a stranger in both languages', () => {
    expect(homeView(null)).toEqual({ type: 'home', blocks: [{ type: 'section', text: { type: 'plain_text', text: tBoth('access.unknown_person'), emoji: true } }] });
  });

  it('stays within Slack’s 100 blocks for a person with many measures', () => {
    const mine: MyMeasures = {
      language: 'lv',
      timeZone: 'Europe/Riga',
      measures: Array.from({ length: 60 }, (_, i) => ({
        id: MEASURE,
        planId: ROUND,
        code: `1.${i}`,
        title: { lv: `Pasākums ${i}`, en: `Measure ${i}` },
        round: { id: ROUND, key: '2025', title: { lv: 'Kārta', en: 'Round' }, deadline: new Date('2026-02-13T10:00:00Z'), timeZone: 'Europe/Riga' },
        reported: true,
        currentStatus: null,
        lastAnswer: { status: 'completed' as const, note: 'Piezīme', links: [], at: new Date('2026-02-01T10:00:00Z'), roundId: ROUND },
      })),
    };
    const view = homeView(mine);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(view.blocks.at(-1)?.type).toBe('context');
    expect(JSON.stringify(view.blocks)).toContain('Pēdējā atbilde: pabeigts');
  });
});
