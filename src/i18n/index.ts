import type { DateTime } from 'luxon';
import type { Language } from '../models/shared.js';
import type { MeasureStatus } from '../models/measure-status.js';
import { lv } from './lv.js';
import { en } from './en.js';
import { formatDate, formatTime, type DateStyle } from './format.js';
import type { Catalogue, Message, MessageKey, ParamsArg } from './types.js';

export { formatDate, formatTime, type DateStyle } from './format.js';
export type { Catalogue, Message, MessageKey, Params, ParamsArg, PluralForms } from './types.js';

export const catalogues: Readonly<Record<Language, Catalogue>> = { lv, en };

const pluralRules = new Map<Language, Intl.PluralRules>();
function pluralCategory(lang: Language, count: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return rules.select(count);
}

function pick(lang: Language, message: Message, count: unknown): string {
  if (typeof message === 'string') return message;
  const n = typeof count === 'number' ? count : Number.NaN;
  return message[pluralCategory(lang, n)] ?? message.other;
}

/**
 * The text of `key` in `lang` with its `{name}` parameters filled in. Parameters are checked by
 * tsc against the Latvian text. A parameter missing at run time stays visible as `{name}` rather
 * than throwing: a slightly odd message is better than none.
 */
export function t<K extends MessageKey>(lang: Language, key: K, ...args: ParamsArg<K>): string {
  const params = (args[0] ?? {}) as Record<string, string | number>;
  const text = pick(lang, catalogues[lang][key], params.count);
  return text.replace(/\{([a-zA-Z_]+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/**
 * Latvian first, English second, in one message: for people whose language we do not know yet
 * (an unknown person, an invitation link) and for errors shown before a contact is known.
 */
export function tBoth<K extends MessageKey>(key: K, ...args: ParamsArg<K>): string {
  return `${t('lv', key, ...args)}\n\n${t('en', key, ...args)}`;
}

export function statusLabel(lang: Language, status: MeasureStatus): string {
  return t(lang, `status.${status}`);
}

/** "2026. gada 1. februāris, plkst. 13.00" / "1 February 2026, 13:00". */
export function formatDateTime(
  lang: Language,
  when: Date | DateTime,
  zone: string,
  style: DateStyle = 'long',
): string {
  return t(lang, 'date.at_time', { date: formatDate(lang, when, zone, style), time: formatTime(lang, when, zone) });
}

/** The English text when there is one and English is asked for; the Latvian otherwise (it is required). */
export function localTitle(title: { lv: string; en?: string | null }, lang: Language): string {
  return lang === 'en' && title.en ? title.en : title.lv;
}

/** Text cut to `max` characters (not UTF-16 units, so "ā" counts once), with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}
