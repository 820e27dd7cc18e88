import type { DateTime } from 'luxon';
import type { Preferences } from '../preferences/preferences.js';

/**
 * Which digest period a person is in at `now` (their zone), and whether its digest is due: weekly
 * on Monday at their hour (`2026-W49`), daily at their hour (`2026-12-01`). Due from that moment
 * until the period ends, so a tick after downtime still produces it; the key (`digest:<person>:
 * <period>`) makes it one per period however often and by however many schedulers it is asked.
 */
export interface DigestPeriod {
  id: string;
  /** What the digest covers: the previous period, up to the moment it is due. */
  since: DateTime;
  until: DateTime;
}

const weekId = (day: DateTime) => day.toFormat("kkkk-'W'WW");

export function duePeriod(preferences: Pick<Preferences, 'digest' | 'digestHour'>, now: DateTime): DigestPeriod | null {
  if (preferences.digest === 'off') return null;
  const start = preferences.digest === 'weekly' ? now.startOf('week') : now.startOf('day');
  const due = start.set({ hour: preferences.digestHour });
  if (now < due) return null;
  const id = preferences.digest === 'weekly' ? weekId(due) : due.toISODate() ?? '';
  return { id, since: due.minus(preferences.digest === 'weekly' ? { weeks: 1 } : { days: 1 }), until: due };
}

/**
 * The periods of the other cadence whose digest, already made, would make this one a repeat: after
 * a switch from daily to weekly mid-week, this week's daily ones (the weekly would tell the same
 * days again); after a switch from weekly to daily on a Monday past the hour, that Monday's weekly.
 * So a changed cadence starts with its next period. Only ids up to `now` (the person's zone).
 */
export function overlappingPeriodIds(period: DigestPeriod, now: DateTime): string[] {
  const start = period.until.startOf('day');
  if (period.id.includes('W')) {
    const days = Math.floor(now.startOf('day').diff(start, 'days').days);
    return Array.from({ length: Math.max(0, days) + 1 }, (_, i) => start.plus({ days: i }).toISODate() ?? '');
  }
  return start.weekday === 1 ? [weekId(start)] : [];
}
