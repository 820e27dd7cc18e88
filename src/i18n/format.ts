import { DateTime } from 'luxon';
import type { Language } from '../models/shared.js';

/**
 * Dates and times as each language writes them. Node's ICU (via luxon) is right for the long
 * Latvian date ("2026. gada 1. februāris") and the English one ("1 February 2026", en-GB: day
 * first, as Europe reads it), so those come from the library. It is not right for the rest of the
 * Latvian conventions: it gives "01.02.2026" without the closing dot and "13:00" with a colon,
 * where Latvian writes "01.02.2026." and "13.00", so those two are explicit formats.
 *
 * The zone is always the caller's (the recipient's or the round's): a default here would quietly
 * show the forum's time to someone who chose another zone.
 */

export type DateStyle = 'long' | 'numeric';

const LOCALES: Record<Language, string> = { lv: 'lv', en: 'en-GB' };

function inZone(lang: Language, when: Date | DateTime, zone: string): DateTime {
  const dt = when instanceof Date ? DateTime.fromJSDate(when) : when;
  const zoned = dt.setZone(zone);
  if (!zoned.isValid) throw new RangeError(`Cannot format a date in time zone '${zone}': ${zoned.invalidExplanation ?? ''}`);
  return zoned.setLocale(LOCALES[lang]);
}

/** "2026. gada 1. februāris" / "01.02.2026." in Latvian; "1 February 2026" / "1 Feb 2026" in English. */
export function formatDate(lang: Language, when: Date | DateTime, zone: string, style: DateStyle = 'long'): string {
  const dt = inZone(lang, when, zone);
  if (style === 'long') return dt.toLocaleString(DateTime.DATE_FULL);
  // English numeric dates are ambiguous between readers (01/02 vs 02/01), so spell the month.
  return lang === 'lv' ? dt.toFormat('dd.MM.yyyy.') : dt.toFormat('d MMM yyyy');
}

/** "13.00" in Latvian, "13:00" in English; always 24-hour. */
export function formatTime(lang: Language, when: Date | DateTime, zone: string): string {
  return inZone(lang, when, zone).toFormat(lang === 'lv' ? 'HH.mm' : 'HH:mm');
}
