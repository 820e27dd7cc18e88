import Holidays from 'date-holidays';
import type { DateTime } from 'luxon';
import type { Language } from '../../models/shared.js';

/**
 * Latvian working days. A working day is Monday to Friday that is neither a public holiday nor a
 * day off the Cabinet moved there. Holidays are Latvian for every recipient: a date is judged by
 * its calendar date in the DateTime's own zone, so a partner in New York gets no reminder on their
 * 18 November either.
 *
 * date-holidays (LV) covers the fixed and Easter holidays, Līgo and Jāņi, 24, 25, 26 and 31
 * December, the Monday substitute when 4 May or 18 November falls on a weekend, and the one-off
 * 29 May 2023. It does not know the Cabinet orders "Par darba dienu pārcelšanu <year>. gadā",
 * which give state institutions a bridge day off and move the work to a Saturday; those are below.
 */

interface ExtraDayOff {
  lv: string;
  en: string;
}

const TRANSFERRED: ExtraDayOff = { lv: 'Pārceltā brīvdiena', en: 'Transferred day off' };

/**
 * Days off that date-holidays does not return. Update yearly: the Cabinet issues the order for
 * the next year by 1 July (Labour Law, section 133(4)).
 *
 * The Saturdays the work moves to (2025-05-10, 2025-11-08, 2026-01-17, 2026-06-27) are deliberately
 * not treated as working days: the order binds only state-budget institutions, partners and many
 * others keep their weekend, and a reminder one working day later costs nothing.
 */
const EXTRA_DAYS_OFF: ReadonlyMap<string, ExtraDayOff> = new Map([
  ['2025-05-02', TRANSFERRED],
  ['2025-11-17', TRANSFERRED],
  ['2026-01-02', TRANSFERRED],
  ['2026-06-22', TRANSFERRED],
  // Closing day of the XXVIII Song and Dance Celebration is Sunday 9 July 2028; like 4 May and
  // 18 November, a weekend closing day gives the next Monday off.
  [
    '2028-07-10',
    {
      lv: 'Vispārējo latviešu Dziesmu un deju svētku noslēguma diena (brīvdiena)',
      en: 'Closing day of the Latvian Song and Dance Celebration (day off)',
    },
  ],
]);

const latvia = new Holidays('LV');
const byYearAndLang = new Map<string, ReadonlyMap<string, string>>();

/** Public holidays of one year as ISO date -> name; observances such as Mother's Day are left out. */
function publicHolidays(year: number, lang: Language): ReadonlyMap<string, string> {
  const cacheKey = `${year}:${lang}`;
  let days = byYearAndLang.get(cacheKey);
  if (!days) {
    const map = new Map<string, string>();
    for (const h of latvia.getHolidays(year, lang)) {
      if (h.type === 'public') map.set(h.date.slice(0, 10), h.name);
    }
    days = map;
    byYearAndLang.set(cacheKey, days);
  }
  return days;
}

function assertValid(date: DateTime): void {
  if (!date.isValid) {
    throw new Error(`Nederīgs datums (${date.invalidReason}) / Invalid date (${date.invalidExplanation})`);
  }
}

/** Name of the Latvian public holiday or extra day off on this date, or null on an ordinary day. */
export function holidayName(date: DateTime, lang: Language = 'lv'): string | null {
  assertValid(date);
  const iso = date.toISODate() as string;
  const extra = EXTRA_DAYS_OFF.get(iso);
  if (extra) return extra[lang];
  return publicHolidays(date.year, lang).get(iso) ?? null;
}

export function isWorkingDay(date: DateTime): boolean {
  assertValid(date);
  return date.weekday <= 5 && holidayName(date) === null;
}

function stepWorkingDays(date: DateTime, direction: 1 | -1): DateTime {
  let d = date.plus({ days: direction });
  while (!isWorkingDay(d)) d = d.plus({ days: direction });
  return d;
}

/** The nearest working day strictly after `date`, at the same local time of day. */
export function nextWorkingDay(date: DateTime): DateTime {
  return stepWorkingDays(date, 1);
}

/** The nearest working day strictly before `date`, at the same local time of day. */
export function previousWorkingDay(date: DateTime): DateTime {
  return stepWorkingDays(date, -1);
}

/** Moves `n` working days forward (n < 0: backward); the start day itself is not counted. */
export function addWorkingDays(date: DateTime, n: number): DateTime {
  if (!Number.isInteger(n)) throw new Error(`Darba dienu skaitam jābūt veselam skaitlim / Working days must be an integer: ${n}`);
  let d = date;
  for (let i = 0; i < Math.abs(n); i++) d = stepWorkingDays(d, n > 0 ? 1 : -1);
  return d;
}
