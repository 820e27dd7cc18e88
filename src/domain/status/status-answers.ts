import type { Language } from '../../models/shared.js';
import { t } from '../../i18n/index.js';
import type { RejectReason } from '../chat/conversation.js';
import { parseLinks } from './status-links.js';

/**
 * The rules for a progress note and its links, once, for every way of answering: the
 * conversation's note and links steps and the status form (a Slack modal). Each check gives the
 * stored value or the refusal in the person's language.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; message: string };

export function characters(lang: Language, count: number): string {
  return t(lang, 'count.characters', { count });
}

export function checkNote(text: string, lang: Language, maxLength: number): Checked<string> {
  // Some keyboards send "ā" as "a" + combining macron; store one form so lengths and searches agree.
  const note = text.normalize('NFC').trim();
  if (note.length === 0) return { ok: false, reason: 'note_empty', message: t(lang, 'error.note_empty') };
  const length = [...note].length;
  if (length > maxLength) {
    const message = t(lang, 'error.note_too_long', { limit: characters(lang, maxLength), length: characters(lang, length) });
    return { ok: false, reason: 'note_too_long', message };
  }
  return { ok: true, value: note };
}

/**
 * `where` says how the person can do without links: the chat offers a "no links" button, the
 * form an empty field, so the refusal of a bad link says the matching thing.
 */
export function checkLinks(text: string, lang: Language, max: number, where: 'chat' | 'form'): Checked<string[]> {
  const parsed = parseLinks(text, max);
  if (parsed.ok) return { ok: true, value: parsed.links };
  if (parsed.reason === 'too_many_links') {
    return { ok: false, reason: parsed.reason, message: t(lang, 'error.too_many_links', { count: parsed.count, max }) };
  }
  const message =
    where === 'chat'
      ? t(lang, 'error.link_invalid', { link: parsed.link, skip: t(lang, 'button.skip_links') })
      : t(lang, 'form.status.link_invalid', { link: parsed.link });
  return { ok: false, reason: parsed.reason, message };
}
