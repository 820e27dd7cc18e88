import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  holidayName,
  isWorkingDay,
  nextWorkingDay,
  previousWorkingDay,
} from '../../src/domain/reminders/working-days.js';

const riga = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Riga' });
const day = (d: DateTime) => d.toISODate();

describe('isWorkingDay', () => {
  it('is true on an ordinary Monday to Friday and false at the weekend', () => {
    expect(isWorkingDay(riga('2026-02-02'))).toBe(true); // Monday
    expect(isWorkingDay(riga('2026-02-06'))).toBe(true); // Friday
    expect(isWorkingDay(riga('2026-02-07'))).toBe(false); // Saturday
    expect(isWorkingDay(riga('2026-02-08'))).toBe(false); // Sunday
  });

  it.each([
    ['2026-01-01', 'Jaunais Gads'],
    ['2026-04-03', 'Lielā Piektdiena'],
    ['2026-04-06', 'Otrās Lieldienas'],
    ['2026-05-01', 'Darba svētki'],
    ['2026-05-04', 'Latvijas Republikas Neatkarības atjaunošanas diena'],
    ['2026-06-23', 'Līgo Diena'],
    ['2026-06-24', 'Jāņi'],
    ['2026-11-18', 'Latvijas Republikas proklamēšanas diena'],
    ['2026-12-24', 'Ziemassvētku vakars'],
    ['2026-12-25', 'Ziemassvētki'],
    ['2026-12-31', 'Vecgada vakars'],
  ])('treats the Latvian public holiday %s (%s) as a day off', (iso, name) => {
    expect(isWorkingDay(riga(iso))).toBe(false);
    expect(holidayName(riga(iso), 'lv')).toBe(name);
  });

  it('gives the Monday off when 4 May or 18 November falls on a weekend (date-holidays substitute)', () => {
    expect(isWorkingDay(riga('2025-05-05'))).toBe(false); // 4 May 2025 was a Sunday
    expect(isWorkingDay(riga('2023-11-20'))).toBe(false); // 18 Nov 2023 was a Saturday
    expect(isWorkingDay(riga('2026-05-05'))).toBe(true); // 4 May 2026 is a Monday: no substitute
  });

  it('knows the bridge days the Cabinet moved (not in date-holidays)', () => {
    expect(isWorkingDay(riga('2026-01-02'))).toBe(false);
    expect(isWorkingDay(riga('2026-06-22'))).toBe(false);
    expect(isWorkingDay(riga('2025-11-17'))).toBe(false);
    expect(holidayName(riga('2026-06-22'), 'en')).toBe('Transferred day off');
  });

  it('keeps the Saturdays the work moved to as weekend days', () => {
    expect(isWorkingDay(riga('2026-01-17'))).toBe(false);
    expect(isWorkingDay(riga('2026-06-27'))).toBe(false);
  });

  it('does not count observances such as Mother’s Day, and knows the one-off 29 May 2023', () => {
    expect(holidayName(riga('2026-05-10'))).toBeNull();
    expect(isWorkingDay(riga('2023-05-29'))).toBe(false);
  });

  it('judges the calendar date in the DateTime’s own zone', () => {
    // 18 Nov 2026 01:00 in Riga is still 17 Nov in New York: a working day there.
    const instant = riga('2026-11-18T01:00');
    expect(isWorkingDay(instant)).toBe(false);
    expect(isWorkingDay(instant.setZone('America/New_York'))).toBe(true);
    expect(isWorkingDay(instant.setZone('America/New_York').plus({ hours: 12 }))).toBe(false);
  });

  it('refuses an invalid date with a clear error', () => {
    expect(() => isWorkingDay(DateTime.fromISO('2026-02-30'))).toThrow(/Nederīgs datums.*Invalid date/);
  });
});

describe('holidayName', () => {
  it('speaks Latvian by default and English on request, and is null on working days', () => {
    expect(holidayName(riga('2026-06-24'))).toBe('Jāņi');
    expect(holidayName(riga('2026-06-24'), 'en')).toBe('Midsummer');
    expect(holidayName(riga('2026-02-03'), 'en')).toBeNull();
  });
});

describe('moving by working days', () => {
  it('skips a weekend and keeps the local time of day', () => {
    const friday = riga('2026-01-30T09:00');
    expect(nextWorkingDay(friday).toISO()).toBe('2026-02-02T09:00:00.000+02:00');
    expect(previousWorkingDay(riga('2026-02-02T09:00')).toISO()).toBe('2026-01-30T09:00:00.000+02:00');
  });

  it('jumps the whole Christmas and New Year break', () => {
    expect(day(nextWorkingDay(riga('2025-12-23')))).toBe('2025-12-29');
    expect(day(nextWorkingDay(riga('2025-12-30')))).toBe('2026-01-05');
    expect(day(previousWorkingDay(riga('2026-01-05')))).toBe('2025-12-30');
  });

  it('jumps Easter and Jāņi with the bridge Monday', () => {
    expect(day(nextWorkingDay(riga('2026-04-02')))).toBe('2026-04-07');
    expect(day(nextWorkingDay(riga('2026-06-19')))).toBe('2026-06-25');
  });

  it('keeps 09:00 local across the March and October clock changes', () => {
    const before = riga('2026-03-27T09:00'); // Friday, UTC+2
    const after = nextWorkingDay(before); // Monday, UTC+3
    expect(after.toISO()).toBe('2026-03-30T09:00:00.000+03:00');
    expect(after.toUTC().hour).toBe(6);
    expect(nextWorkingDay(riga('2026-10-23T09:00')).toISO()).toBe('2026-10-26T09:00:00.000+02:00');
  });

  it('adds and subtracts working days without counting the start day', () => {
    const sunday = riga('2026-02-01');
    expect(day(addWorkingDays(sunday, 3))).toBe('2026-02-04');
    expect(day(addWorkingDays(sunday, 6))).toBe('2026-02-09');
    expect(day(addWorkingDays(riga('2026-02-04'), -3))).toBe('2026-01-30');
    expect(addWorkingDays(sunday, 0).equals(sunday)).toBe(true);
    expect(() => addWorkingDays(sunday, 1.5)).toThrow(/Working days must be an integer/);
  });
});
