import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { duePeriod, overlappingPeriodIds } from '../../src/domain/digests/digest-period.js';

const riga = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Riga' });
const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone('Europe/Riga');
const weekly = { digest: 'weekly', digestHour: 9 } as const;
const daily = { digest: 'daily', digestHour: 9 } as const;
/** `<id> <since>–<until>` in UTC, or null: what a tick at `now` would produce. */
const due = (preferences: Parameters<typeof duePeriod>[0], now: DateTime) => {
  const p = duePeriod(preferences, now);
  return p ? `${p.id} ${p.since.toUTC().toISO()}–${p.until.toUTC().toISO()}` : null;
};

describe('duePeriod', () => {
  it('weekly: due from Monday at the hour until the week ends (a late tick still gets it), covering the week before', () => {
    expect(due(weekly, riga('2026-12-07T08:59:59'))).toBeNull();
    expect(due(weekly, riga('2026-12-07T09:00'))).toBe('2026-W50 2026-11-30T07:00:00.000Z–2026-12-07T07:00:00.000Z');
    expect(due(weekly, riga('2026-12-09T15:00'))).toBe('2026-W50 2026-11-30T07:00:00.000Z–2026-12-07T07:00:00.000Z');
  });

  it('Sunday night still belongs to the week that began on Monday; Monday morning before the hour is nothing', () => {
    expect(duePeriod(weekly, riga('2026-12-06T23:59'))?.id).toBe('2026-W49');
    expect(duePeriod(weekly, riga('2026-12-07T00:30'))).toBeNull();
    expect(duePeriod(weekly, riga('2026-12-07T08:59'))).toBeNull();
    expect(duePeriod(weekly, riga('2026-12-07T09:00'))?.id).toBe('2026-W50');
  });

  it('follows the person’s hour', () => {
    expect(duePeriod({ digest: 'weekly', digestHour: 17 }, riga('2026-12-07T16:59'))).toBeNull();
    expect(duePeriod({ digest: 'weekly', digestHour: 17 }, riga('2026-12-07T17:00'))?.id).toBe('2026-W50');
    expect(duePeriod({ digest: 'daily', digestHour: 0 }, riga('2026-12-08T00:00'))?.id).toBe('2026-12-08');
  });

  it('numbers weeks by the ISO week year (2026 has 53 weeks)', () => {
    expect(duePeriod(weekly, riga('2026-12-28T09:00'))?.id).toBe('2026-W53');
    expect(duePeriod(weekly, riga('2027-01-01T12:00'))?.id).toBe('2026-W53');
    expect(duePeriod(weekly, riga('2027-01-04T09:00'))?.id).toBe('2027-W01');
  });

  it('daily: due from the hour each day, covering the day before', () => {
    expect(due(daily, riga('2026-12-08T08:59'))).toBeNull();
    expect(due(daily, riga('2026-12-08T09:00'))).toBe('2026-12-08 2026-12-07T07:00:00.000Z–2026-12-08T07:00:00.000Z');
    expect(due(daily, riga('2026-12-08T23:59'))).toBe('2026-12-08 2026-12-07T07:00:00.000Z–2026-12-08T07:00:00.000Z');
  });

  it('off: never', () => {
    expect(duePeriod({ digest: 'off', digestHour: 9 }, riga('2026-12-07T09:00'))).toBeNull();
    expect(duePeriod({ digest: 'off', digestHour: 9 }, riga('2026-12-08T23:00'))).toBeNull();
  });

  it('keeps 09:00 local across the clock change: the spring week is an hour shorter, the autumn week an hour longer', () => {
    // Riga moves to summer time on Sunday 29 March 2026 (UTC+2 → UTC+3) and back on 25 October.
    expect(duePeriod(weekly, utc('2026-03-30T05:59'))).toBeNull();
    expect(due(weekly, utc('2026-03-30T06:00'))).toBe('2026-W14 2026-03-23T07:00:00.000Z–2026-03-30T06:00:00.000Z');
    expect(duePeriod(weekly, utc('2026-10-26T06:59'))).toBeNull();
    expect(due(weekly, utc('2026-10-26T07:00'))).toBe('2026-W44 2026-10-19T06:00:00.000Z–2026-10-26T07:00:00.000Z');
    expect(due(daily, utc('2026-03-29T07:00'))).toBe('2026-03-29 2026-03-28T07:00:00.000Z–2026-03-29T06:00:00.000Z');
  });
});

describe('overlappingPeriodIds', () => {
  it('names this week’s dailies for a weekly, and that Monday’s weekly for a Monday daily', () => {
    const week = duePeriod(weekly, riga('2026-12-09T12:00'))!;
    expect(overlappingPeriodIds(week, riga('2026-12-09T12:00'))).toEqual(['2026-12-07', '2026-12-08', '2026-12-09']);
    expect(overlappingPeriodIds(duePeriod(daily, riga('2026-12-07T12:00'))!, riga('2026-12-07T12:00'))).toEqual(['2026-W50']);
    expect(overlappingPeriodIds(duePeriod(daily, riga('2026-12-08T12:00'))!, riga('2026-12-08T12:00'))).toEqual([]);
  });
});
