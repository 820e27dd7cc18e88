import { describe, expect, it } from 'vitest';
import { answeredMessage, isLinkAction, LINK_ACTION_PREFIX, renderSlack, splitText, type KnownBlock } from '../../src/bots/slack/render.js';
import { parseSlashCommand } from '../../src/bots/slack/commands.js';
import { homeView } from '../../src/bots/slack/home.js';
import { formView, readFormTarget, readFormValues, type ViewValues } from '../../src/bots/slack/form-view.js';
import { statusFlow } from '../../src/domain/status/status-flow.js';
import { DateTime } from 'luxon';
import { choice } from '../../src/domain/chat/message.js';
import { tBoth } from '../../src/i18n/index.js';
import { manyMeasures } from '../support/my-measures-fixture.js';

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

describe('renderSlack', () => {
  const sectionTexts = (blocks: KnownBlock[]) => blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
  const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  it('has one escaping rule: plain text in the blocks, only the fallback escaped', () => {
    const words = 'Piezīme: <!channel> & *svarīgi* _x_ ~y~ <https://x.lv|klikšķis>';
    const { messages, update } = renderSlack({ text: words, choices: [] });
    expect(update).toBeUndefined();
    expect(messages).toEqual([
      {
        text: 'Piezīme: &lt;!channel&gt; &amp; *svarīgi* _x_ ~y~ &lt;https://x.lv|klikšķis&gt;',
        blocks: [{ type: 'section', text: { type: 'plain_text', text: words, emoji: true } }],
      },
    ]);
    const withButtons = renderSlack({ text: '*a*', choices: [choice('x', '_b_ <!here>')], links: [{ label: '~c~', url: 'https://a.lv' }] });
    expect(JSON.stringify(withButtons)).not.toContain('mrkdwn');
  });

  it('splits a long text at line ends into sections of at most 3000 and messages of at most 50 blocks, buttons on the last', () => {
    const line = `${'ā'.repeat(999)}\n`;
    const text = line.repeat(200).trimEnd();
    const { messages } = renderSlack({ text, choices: [choice('ok', 'Labi')] });
    expect(messages.length).toBe(2);
    for (const message of messages) expect(message.blocks.length).toBeLessThanOrEqual(50);
    const sections = messages.flatMap((m) => sectionTexts(m.blocks));
    for (const section of sections) expect(section.length).toBeLessThanOrEqual(3000);
    expect(sections.join('\n')).toBe(text);
    expect(messages[0]?.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(messages[1]?.blocks.at(-1)).toMatchObject({ type: 'actions', elements: [{ action_id: 'ok' }] });
    // The notification fallback stays far under Slack's 40,000 characters.
    for (const message of messages) expect(message.text.length).toBeLessThan(40_000);
  });

  it('cuts a text without line breaks between characters, never inside a surrogate pair', () => {
    // The leading "x" puts a high surrogate at index 2999, where a naive cut would fall.
    const text = `x${'ā😀'.repeat(2000)}`;
    const sections = sectionTexts(renderSlack({ text, choices: [] }).messages[0]!.blocks);
    expect(sections.length).toBe(3);
    expect(sections[0]?.length).toBe(2999);
    for (const section of sections) {
      expect(section.length).toBeLessThanOrEqual(3000);
      expect(section).not.toMatch(loneSurrogate);
    }
    expect(sections.join('')).toBe(text);
    expect(splitText('a b\n'.repeat(10), 10).every((chunk) => chunk.length <= 10)).toBe(true);
  });

  it('gives the buttons a message of their own when the sections leave no room', () => {
    const text = Array.from({ length: 49 }, () => 'ā'.repeat(2999)).join('\n');
    const choices = Array.from({ length: 30 }, (_, i) => choice(`c:${i}`, `${i}`));
    const { messages } = renderSlack({ text, choices });
    expect(messages.map((m) => m.blocks.map((b) => b.type[0]).join(''))).toEqual(['s'.repeat(49), 'aa']);
    expect(messages[1]?.text).toBe(Array.from({ length: 30 }, (_, i) => `${i}`).join(' · '));
  });

  it('lays 30 buttons out as two actions blocks, the id as action id and value, labels cut to 75', () => {
    const choices = Array.from({ length: 30 }, (_, i) => choice(`sf:abc:m:${i}`, `${i} ${'Ļoti gara pasākuma nosaukuma daļa '.repeat(4)}`));
    const [message] = renderSlack({ text: 'Izvēlieties', choices }).messages;
    const [, first, second] = message!.blocks as { type: string; elements: { action_id: string; value: string; text: { text: string } }[] }[];
    expect(message!.blocks).toHaveLength(3);
    expect(first?.elements).toHaveLength(25);
    expect(second?.elements.map((e) => e.action_id)).toEqual(['sf:abc:m:25', 'sf:abc:m:26', 'sf:abc:m:27', 'sf:abc:m:28', 'sf:abc:m:29']);
    for (const element of [...first!.elements, ...second!.elements]) {
      expect(element.value).toBe(element.action_id);
      expect(element.text.text.length).toBeLessThanOrEqual(75);
    }
    expect(first?.elements[0]?.text.text).toMatch(/…$/);
  });

  it('renders a URL button after the choices, with a link action id the adapter can ignore', () => {
    const [message] = renderSlack({ text: 'Sanāksme', choices: [choice('rsvp:yes', 'Būšu')], links: [{ label: 'Pievienoties', url: 'https://meet.example.lv/ogp' }] }).messages;
    const [, actions] = message!.blocks as unknown as { elements: Record<string, unknown>[] }[];
    expect(actions?.elements).toEqual([
      { type: 'button', action_id: 'rsvp:yes', value: 'rsvp:yes', text: { type: 'plain_text', text: 'Būšu', emoji: true } },
      { type: 'button', action_id: `${LINK_ACTION_PREFIX}0`, url: 'https://meet.example.lv/ogp', text: { type: 'plain_text', text: 'Pievienoties', emoji: true } },
    ]);
    expect(isLinkAction(String(actions?.elements[1]?.action_id))).toBe(true);
    expect(isLinkAction('rsvp:yes')).toBe(false);
  });

  it('renders an edit as an update of the earlier message, further parts after it', () => {
    const ref = { address: 'D100', messageId: '1700000000.000100' };
    const short = renderSlack({ text: 'Atbildēts', choices: [], edit: { ref } });
    expect(short).toEqual({ update: ref, messages: [{ text: 'Atbildēts', blocks: [{ type: 'section', text: { type: 'plain_text', text: 'Atbildēts', emoji: true } }] }] });
    const long = renderSlack({ text: 'ā'.repeat(3000 * 60), choices: [], edit: { ref } });
    expect(long.update).toEqual(ref);
    expect(long.messages.map((m) => m.blocks.length)).toEqual([50, 10]);
  });

  it('renders nothing for a message that only carries files (the sender uploads them)', () => {
    expect(renderSlack({ text: '', choices: [], attachments: [{ name: 'a.csv', mediaType: 'text/csv', source: { kind: 'stored', fileId: 'x' } }] })).toEqual({ messages: [] });
  });
});

describe('answeredMessage', () => {
  it('removes the buttons of an outbox reminder, keeps its text and says what was pressed', () => {
    const [sent] = renderSlack({ text: 'Atgādinājums: līdz 13.02.2026.', choices: [choice('rm:r:a', 'Ziņot statusu'), choice('rm:s:a', 'Atgādināt rīt')] }).messages;
    const answered = answeredMessage(sent, 'Atgādināt rīt', 'lv');
    expect(answered.text).toBe('Atgādinājums: līdz 13.02.2026.');
    expect(answered.blocks).toEqual([
      sent!.blocks[0],
      { type: 'context', elements: [{ type: 'plain_text', text: '✓ Atgādināt rīt', emoji: true }] },
    ]);
  });

  it('keeps URL buttons (a meeting’s join link) and drops the ones that answer', () => {
    const [sent] = renderSlack({ text: 'Ielūgums', choices: [choice('mt:s:a', 'Piedalīšos')], links: [{ label: 'Pievienoties', url: 'https://meet.example.lv/x' }] }).messages;
    const answered = answeredMessage(sent, 'Piedalīšos', 'lv');
    const buttons = answered.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons).toEqual([expect.objectContaining({ type: 'button', url: 'https://meet.example.lv/x' })]);
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

describe('a form as a modal', () => {
  const form = (noteMaxLength: number) => {
    const measures = [{ id: MEASURE, code: '3.3', title: 'Caurskatāmība', roundId: ROUND, answer: { status: 'delayed', note: 'Vēl nav.', links: ['https://a.lv/x'] } }];
    const outcome = statusFlow(null, { type: 'start', measureId: MEASURE }, { language: 'lv', measures, noteMaxLength, now: DateTime.now() });
    const found = outcome.replies[0]?.form;
    if (!found) throw new Error('the status flow offered no form');
    return found;
  };

  it('fits Slack’s limits, starts from the earlier answer and carries the flow and its context', () => {
    const view = formView(form(5000));
    expect([...view.title.text].length).toBeLessThanOrEqual(24);
    expect(readFormTarget(view.private_metadata)).toEqual({ flow: 'status', context: JSON.stringify({ r: ROUND, m: MEASURE }) });
    const note = view.blocks.find((b) => b.block_id === 'note') as { element: { max_length: number; initial_value: string } };
    expect(note.element.max_length).toBe(3000);
    expect(note.element.initial_value).toBe('Vēl nav.');
    const status = view.blocks.find((b) => b.block_id === 'status') as { element: { initial_option: { value: string } } };
    expect(status.element.initial_option.value).toBe('delayed');
    expect(readFormTarget('{"f":1}')).toBeNull();
    expect(readFormTarget('not json')).toBeNull();
  });

  it('reads the answers back by field id', () => {
    const values: ViewValues = {
      status: { value: { selected_option: { value: 'completed' } } },
      note: { value: { value: 'Gatavs.' } },
      links: { value: { value: null } },
    };
    expect(readFormValues(values)).toEqual({ status: 'completed', note: 'Gatavs.', links: '' });
  });
});

describe('homeView', () => {
  it('explains access to a stranger in both languages', () => {
    expect(homeView(null)).toEqual({ type: 'home', blocks: [{ type: 'section', text: { type: 'plain_text', text: tBoth('access.unknown_person'), emoji: true } }] });
  });

  it('stays within Slack’s 100 blocks for a person with many measures', () => {
    const mine = manyMeasures(60);
    const view = homeView(mine);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(view.blocks.at(-1)?.type).toBe('context');
    expect(JSON.stringify(view.blocks)).toContain('Pēdējā atbilde: pabeigts');
  });
});
