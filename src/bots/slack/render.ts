import type { types } from '@slack/bolt';
import type { Choice, LinkButton, Message, MessageRef } from '../../domain/chat/message.js';
import { t } from '../../i18n/index.js';
import type { Language } from '../../models/shared.js';

/**
 * The one Slack rendering of a Message, for direct replies and the outbox alike (bots/slack/sender.ts
 * sends it). One escaping rule: every text in the blocks is `plain_text`, never mrkdwn, so a
 * person's `*`, `_`, `~`, `<!channel>` or `<url|label>` stays literal; only the notification
 * fallback `text`, which Slack always reads as mrkdwn, is escaped (`&`, `<`, `>`).
 *
 * Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks): section text 3000
 * characters, button text 75, 25 elements per actions block, 50 blocks per message. A message
 * longer than that becomes several Slack messages, posted in order with the buttons on the last.
 */

export type KnownBlock = types.KnownBlock;

const SECTION_MAX = 3000;
const BUTTON_TEXT_MAX = 75;
const ACTIONS_MAX = 25;
const BLOCKS_MAX = 50;
/**
 * Slack cuts `text` at 40,000 characters; as a notification a few lines say enough, and a
 * cut before escaping keeps an entity like `&amp;` whole (escaped, 4000 stays under 40,000).
 */
const FALLBACK_MAX = 4000;

/**
 * URL buttons need an action_id too, and Slack still sends a block_actions payload when one is
 * clicked; the adapter recognises them by this prefix and only acknowledges them.
 */
export const LINK_ACTION_PREFIX = 'ogp-link:';

export const isLinkAction = (actionId: string): boolean => actionId.startsWith(LINK_ACTION_PREFIX);

/** One chat.postMessage / chat.update payload. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface SlackRendering {
  /** For an edit: the message that `messages[0]` replaces by chat.update; the rest are posted after it. */
  update?: MessageRef;
  /** In order; the buttons are on the last. Empty only for a message with nothing but attachments. */
  messages: SlackMessage[];
}

/** Slack reads `&`, `<` and `>` in `text` as control characters (mentions, links, entities). */
function escapeFallback(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * At most `max` UTF-16 units: Slack's "characters" are never more than that, so the limit holds
 * however Slack counts. A cut never separates the halves of a surrogate pair.
 */
function cutAt(text: string, max: number): number {
  if (text.length <= max) return text.length;
  return isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, cutAt(text, max - 1)).trimEnd()}…`;
}

/**
 * Splits a long text into section-sized chunks, preferring a line break, then a space, in the
 * second half of the chunk (so no chunk is shorter than half a section and the block count stays
 * bounded); only a text without either is cut mid-word. The line break at a cut is dropped.
 */
export function splitText(text: string, max = SECTION_MAX): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const head = rest.slice(0, cutAt(rest, max));
    const newline = head.lastIndexOf('\n');
    const space = head.lastIndexOf(' ');
    if (newline >= max / 2) {
      chunks.push(head.slice(0, newline));
      rest = rest.slice(newline + 1);
    } else if (space >= max / 2) {
      chunks.push(head.slice(0, space + 1));
      rest = rest.slice(space + 1);
    } else {
      chunks.push(head);
      rest = rest.slice(head.length);
    }
  }
  chunks.push(rest);
  // Slack refuses an empty text object; a blank chunk would show nothing anyway.
  return chunks.filter((chunk) => chunk.trim() !== '');
}

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

function textSections(text: string): KnownBlock[] {
  return splitText(text).map((chunk) => ({ type: 'section', text: plain(chunk) }));
}

type Button = types.Button;

function choiceButton(choice: Choice): Button {
  // The id comes back as both action_id and value; the adapter reads the value.
  return { type: 'button', action_id: choice.id, value: choice.id, text: plain(shorten(choice.label, BUTTON_TEXT_MAX)) };
}

function linkButton(link: LinkButton, index: number): Button {
  return { type: 'button', action_id: `${LINK_ACTION_PREFIX}${index}`, url: link.url, text: plain(shorten(link.label, BUTTON_TEXT_MAX)) };
}

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}

/** Choices first, then URL buttons, 25 to an actions block. */
function buttonBlocks(choices: Choice[], links: LinkButton[] = []): KnownBlock[] {
  const buttons = [...choices.map(choiceButton), ...links.map(linkButton)];
  return chunk(buttons, ACTIONS_MAX).map((elements) => ({ type: 'actions', elements }));
}

/**
 * Sections fill messages of 50 blocks; the actions blocks join the last one if they fit, else
 * they get a message of their own, so the message carrying the buttons is always the last.
 */
function pack(sections: KnownBlock[], actions: KnownBlock[]): KnownBlock[][] {
  const messages = chunk(sections, BLOCKS_MAX);
  const last = messages.at(-1);
  if (last && last.length + actions.length <= BLOCKS_MAX) last.push(...actions);
  else messages.push(...chunk(actions, BLOCKS_MAX));
  return messages;
}

function fallbackOf(blocks: KnownBlock[]): string {
  const texts = blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
  const labels = blocks.flatMap((block) => (block.type === 'actions' ? block.elements.flatMap((e) => (e.type === 'button' ? [e.text.text] : [])) : []));
  return escapeFallback(shorten(texts.length > 0 ? texts.join('\n') : labels.join(' · '), FALLBACK_MAX));
}

/**
 * A Message as Slack messages. Attachments are not part of the rendering: the sender uploads
 * them. An edit by delivery key cannot be rendered (the outbox resolves it to a ref first).
 */
export function renderSlack(message: Message): SlackRendering {
  const blocks = pack(textSections(message.text), buttonBlocks(message.choices, message.links));
  const messages = blocks.filter((b) => b.length > 0).map((b) => ({ text: fallbackOf(b), blocks: b }));
  const update = message.edit && 'ref' in message.edit ? message.edit.ref : undefined;
  return update ? { update, messages } : { messages };
}

/**
 * The pressed message without its buttons and with a line saying what was chosen, so that old
 * buttons are visibly gone. Works on any message of ours (a reminder from the outbox or a reply)
 * because it only removes interactive parts of the blocks Slack sent back with the press.
 */
export function answeredMessage(
  message: { text?: string; blocks?: unknown } | undefined,
  pressedLabel: string,
  lang: Language,
): SlackMessage {
  const original = Array.isArray(message?.blocks) ? (message.blocks as KnownBlock[]) : [];
  const kept = original
    .flatMap((block): KnownBlock[] => {
      if (block.type !== 'actions') return [block];
      // URL buttons stay (a meeting's "join online" link); the ones that answered go.
      const links = block.elements.filter((element) => element.type === 'button' && isLinkAction(element.action_id ?? ''));
      return links.length > 0 ? [{ ...block, elements: links }] : [];
    })
    .map((block) => {
      if (block.type !== 'section' || !block.accessory || block.accessory.type !== 'button') return block;
      const { accessory: _accessory, ...rest } = block;
      return rest;
    });
  const text = message?.text ?? '';
  const body = kept.length > 0 ? kept : textSections(text);
  const mark: KnownBlock = {
    type: 'context',
    elements: [{ type: 'plain_text', text: t(lang, 'slack.answered.mark', { label: shorten(pressedLabel, BUTTON_TEXT_MAX) }), emoji: true }],
  };
  return { text, blocks: [...body, mark] };
}
