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

export function duePeriod(preferences: Pick<Preferences, 'digest' | 'digestHour'>, now: DateTime): DigestPeriod | null {
  if (preferences.digest === 'off') return null;
  const start = preferences.digest === 'weekly' ? now.startOf('week') : now.startOf('day');
  const due = start.set({ hour: preferences.digestHour });
  if (now < due) return null;
  const id = preferences.digest === 'weekly' ? due.toFormat("kkkk-'W'WW") : due.toISODate() ?? '';
  return { id, since: due.minus(preferences.digest === 'weekly' ? { weeks: 1 } : { days: 1 }), until: due };
}
