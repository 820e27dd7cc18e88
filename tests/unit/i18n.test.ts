import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { catalogues, formatDate, formatDateTime, formatTime, statusLabel, t, tBoth, truncate } from '../../src/i18n/index.js';
import { lv } from '../../src/i18n/lv.js';
import { en } from '../../src/i18n/en.js';
import { MEASURE_STATUSES } from '../../src/models/measure-status.js';

const placeholders = (message: unknown): string[] => {
  const texts = typeof message === 'string' ? [message] : Object.values(message as Record<string, string>);
  const names = texts.flatMap((text) => [...text.matchAll(/\{([a-zA-Z_]+)\}/g)].map((m) => m[1] as string));
  if (typeof message !== 'string') names.push('count');
  return [...new Set(names)].sort();
};

describe('catalogues', () => {
  it('have the same keys in Latvian and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(lv).sort());
  });

  it('use the same parameters in both languages, so one call fills both', () => {
    for (const key of Object.keys(lv) as (keyof typeof lv)[]) {
      expect({ key, params: placeholders(en[key]) }).toEqual({ key, params: placeholders(lv[key]) });
    }
  });

  it('give every plural message the forms its language needs', () => {
    for (const [lang, catalogue] of Object.entries(catalogues)) {
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const [key, message] of Object.entries(catalogue)) {
        if (typeof message === 'string') continue;
        for (const category of needed) expect({ lang, key, has: category in message }).toEqual({ lang, key, has: true });
      }
    }
  });

  it('leave no message empty', () => {
    for (const catalogue of Object.values(catalogues)) {
      for (const message of Object.values(catalogue)) {
        const texts = typeof message === 'string' ? [message] : Object.values(message);
        for (const text of texts) expect(text.trim().length).toBeGreaterThan(0);
      }
    }
  });

  it('are checked by the type checker: parameters are required and known', () => {
    // @ts-expect-error 'code' and 'status' are required by flow.saved
    expect(t('lv', 'flow.saved')).toContain('{code}');
    // @ts-expect-error flow.cancelled takes no parameters
    t('lv', 'flow.cancelled', { x: 1 });
    // @ts-expect-error no such key
    expect(() => t('lv', 'no.such.key')).toThrow();
  });
});

describe('plurals', () => {
  const lvMeasures = (count: number) => t('lv', 'count.measures', { count });
  const enMeasures = (count: number) => t('en', 'count.measures', { count });

  it('follow Latvian rules: zero for 0 and 10–20, one for 1 and 21 but not 11, other otherwise', () => {
    expect([0, 1, 2, 11, 21, 22].map(lvMeasures)).toEqual([
      '0 pasākumu',
      '1 pasākums',
      '2 pasākumi',
      '11 pasākumu',
      '21 pasākums',
      '22 pasākumi',
    ]);
    expect([10, 19, 30, 100, 101, 111].map(lvMeasures)).toEqual([
      '10 pasākumu',
      '19 pasākumu',
      '30 pasākumu',
      '100 pasākumu',
      '101 pasākums',
      '111 pasākumu',
    ]);
    expect([1, 2, 10].map((count) => t('lv', 'count.days', { count }))).toEqual(['1 diena', '2 dienas', '10 dienu']);
  });

  it('follow English rules', () => {
    expect([0, 1, 2, 11, 21, 22].map(enMeasures)).toEqual([
      '0 measures',
      '1 measure',
      '2 measures',
      '11 measures',
      '21 measures',
      '22 measures',
    ]);
  });

  it('can be nested in a sentence', () => {
    expect(t('lv', 'mine.header', { measures: lvMeasures(21) })).toBe('Jums ir 21 pasākums:');
    expect(t('en', 'mine.header', { measures: enMeasures(1) })).toBe('You have 1 measure:');
  });
});

describe('dates and times', () => {
  // 1 February 2026, 13:00 in Riga is 11:00 UTC (winter time, UTC+2).
  const winter = new Date(Date.UTC(2026, 1, 1, 11, 0));
  // 27 March 2025 was before the clock change; 27 July is summer time (UTC+3).
  const summer = DateTime.fromISO('2025-07-27T13:00', { zone: 'Europe/Riga' });
  const riga = 'Europe/Riga';

  it('write Latvian dates long and numeric, with the closing dot', () => {
    expect(formatDate('lv', winter, riga)).toBe('2026. gada 1. februāris');
    expect(formatDate('lv', winter, riga, 'numeric')).toBe('01.02.2026.');
    expect(formatDate('lv', summer, riga)).toBe('2025. gada 27. jūlijs');
    expect(formatDate('lv', summer, riga, 'numeric')).toBe('27.07.2025.');
  });

  it('write English dates day first', () => {
    expect(formatDate('en', winter, riga)).toBe('1 February 2026');
    expect(formatDate('en', winter, riga, 'numeric')).toBe('1 Feb 2026');
  });

  it('write Latvian times with a dot and English with a colon, in the given zone', () => {
    expect(formatTime('lv', winter, riga)).toBe('13.00');
    expect(formatTime('en', winter, riga)).toBe('13:00');
    expect(formatTime('lv', summer, riga)).toBe('13.00');
    expect(formatTime('lv', winter, 'UTC')).toBe('11.00');
    expect(formatDateTime('lv', winter, riga)).toBe('2026. gada 1. februāris, plkst. 13.00');
    expect(formatDateTime('en', winter, riga)).toBe('1 February 2026, 13:00');
  });

  it('uses the date of the zone, not of the server', () => {
    const lateEvening = new Date(Date.UTC(2026, 0, 31, 22, 30)); // 00:30 on 1 February in Riga
    expect(formatDate('lv', lateEvening, riga, 'numeric')).toBe('01.02.2026.');
    expect(formatDate('lv', lateEvening, 'UTC', 'numeric')).toBe('31.01.2026.');
  });

  it('refuses an unknown time zone', () => {
    expect(() => formatDate('lv', winter, 'Europe/Nowhere')).toThrow(/Europe\/Nowhere/);
  });
});

describe('texts', () => {
  it('label every status in both languages', () => {
    expect(MEASURE_STATUSES.map((s) => statusLabel('lv', s))).toEqual([
      'nav uzsākts',
      'procesā',
      'būtisks progress',
      'pabeigts',
      'kavējas',
      'atcelts',
    ]);
    expect(MEASURE_STATUSES.map((s) => statusLabel('en', s))).toEqual([
      'not started',
      'in progress',
      'substantial progress',
      'completed',
      'delayed',
      'cancelled',
    ]);
  });

  it('fill parameters', () => {
    const date = formatDate('lv', new Date(Date.UTC(2026, 1, 1, 11)), 'Europe/Riga', 'numeric');
    expect(t('lv', 'reminder.text', { date, code: '3.5', title: 'Atvērtie dati' })).toBe(
      'Atgādinājums: līdz 01.02.2026. jāiesniedz pasākuma 3.5 „Atvērtie dati” progress. Atbildēt var šeit, dažos klikšķos.',
    );
    expect(t('lv', 'reminder.button.report')).toBe('Ziņot statusu');
    expect(t('lv', 'reminder.button.tomorrow')).toBe('Atgādināt rīt');
    expect(t('lv', 'reminder.button.not_mine')).toBe('Nav mans pasākums');
    expect(t('en', 'command.status')).toBe('report the status of a measure');
  });

  it('put a parameter value in verbatim, even one that looks like a placeholder', () => {
    expect(t('en', 'flow.saved', { code: '{status}', status: 'done' })).toBe('Saved: measure {status}, status “done”. Thank you!');
  });

  it('says the note limit with the right plural', () => {
    const text = t('lv', 'error.note_too_long', {
      limit: t('lv', 'count.characters', { count: 1000 }),
      length: t('lv', 'count.characters', { count: 1234 }),
    });
    expect(text).toContain('Atļautais garums: 1000 rakstzīmju, jūsu tekstā: 1234 rakstzīmes.');
  });

  it('explain access to an unknown person in Latvian first, then English', () => {
    const text = tBoth('access.unknown_person');
    const lvAt = text.indexOf('Valsts kancelejas koordinatoram ielūguma saiti');
    const enAt = text.indexOf('State Chancellery for an invitation link');
    expect(lvAt).toBeGreaterThanOrEqual(0);
    expect(enAt).toBeGreaterThan(lvAt);
  });

  it('truncate by characters, not UTF-16 units', () => {
    expect(truncate('ābece', 10)).toBe('ābece');
    expect(truncate('Sabiedrības līdzdalība', 10)).toBe('Sabiedrīb…');
    expect([...truncate('ā'.repeat(20), 5)]).toHaveLength(5);
  });
});
