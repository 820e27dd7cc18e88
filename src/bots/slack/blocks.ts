import type { types } from '@slack/bolt';
import type { Reply } from '../../domain/chat/message.js';
import { t, truncate } from '../../i18n/index.js';
import type { Language } from '../../models/shared.js';

/**
 * Domain replies as Slack messages. Texts are plain text (`plain_text` objects, never mrkdwn), so a
 * person's own words cannot turn into mentions or links; each choice becomes a button whose
 * `action_id` and `value` are the domain's choice id, handed back unchanged when pressed.
 */

type KnownBlock = types.KnownBlock;

/** Block Kit limits: section text 3000 characters, button text 75, 25 elements in an actions block. */
const SECTION_MAX = 3000;
const BUTTON_TEXT_MAX = 75;
const ACTIONS_MAX = 25;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/**
 * The notification fallback (`text`) is read as mrkdwn by Slack; &, < and > are its control
 * characters and must be escaped so that "<!channel>" in a note stays text.
 */
export function escapeFallback(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Long texts (a review with a long note and links) go into several sections, split at line ends. */
export function textSections(text: string): KnownBlock[] {
  const chunks: string[] = [];
  let rest = text;
  while ([...rest].length > SECTION_MAX) {
    const head = [...rest].slice(0, SECTION_MAX).join('');
    const cut = head.lastIndexOf('\n') > SECTION_MAX / 2 ? head.lastIndexOf('\n') : head.length;
    chunks.push(head.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks.map((chunk) => ({ type: 'section', text: { type: 'plain_text', text: chunk || ' ', emoji: true } }));
}

export function buttons(choices: Reply['choices']): KnownBlock[] {
  const rows: KnownBlock[] = [];
  for (let i = 0; i < choices.length; i += ACTIONS_MAX) {
    rows.push({
      type: 'actions',
      elements: choices.slice(i, i + ACTIONS_MAX).map((c) => ({
        type: 'button',
        action_id: c.id,
        value: c.id,
        text: { type: 'plain_text', text: truncate(c.label, BUTTON_TEXT_MAX), emoji: true },
      })),
    });
  }
  return rows;
}

export function renderReply(reply: Reply): SlackMessage {
  return { text: escapeFallback(reply.text), blocks: [...textSections(reply.text), ...buttons(reply.choices)] };
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
    .filter((block) => block.type !== 'actions')
    .map((block) => {
      if (block.type !== 'section' || !block.accessory || block.accessory.type !== 'button') return block;
      const { accessory: _accessory, ...rest } = block;
      return rest;
    });
  const text = message?.text ?? '';
  const body = kept.length > 0 ? kept : textSections(text);
  const mark: KnownBlock = {
    type: 'context',
    elements: [{ type: 'plain_text', text: t(lang, 'slack.answered.mark', { label: truncate(pressedLabel, BUTTON_TEXT_MAX) }), emoji: true }],
  };
  return { text, blocks: [...body, mark] };
}
