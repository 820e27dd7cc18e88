import { DateTime } from 'luxon';
import { validZone } from '../time-zones.js';
import { FORUM_TIME_ZONE } from '../../models/index.js';
import type { OutboundMessage } from '../outbound-message.js';
import type { Preferences } from './preferences.js';

/**
 * The one place that decides whether a person's preferences hold a message back. Held is never
 * dropped: the outbox records it with the reason, as `pending` until `until` (deferred) or as
 * `skipped` (never sent). Direct replies do not come here and are never delayed; deadline
 * reminders and meeting changes are not broadcasts, so muting broadcasts never touches them.
 */


/** What kind of message asks: only broadcasts can be muted; quiet hours hold back all of these. */
export type GatedKind = 'broadcast' | 'digest';

export function isQuietHour(hour: number, quiet: { from: number; to: number }): boolean {
  return quiet.from < quiet.to ? hour >= quiet.from && hour < quiet.to : hour >= quiet.from || hour < quiet.to;
}

/** The person's clock; a zone that is not one (bad data) counts as the forum's, never as "no quiet hours". */
export function personalNow(now: Date | DateTime, zone: string): DateTime {
  const at = now instanceof Date ? DateTime.fromJSDate(now) : now;
  return at.setZone(validZone(zone, FORUM_TIME_ZONE));
}

/** Undefined: send now. */
export function holdFor(kind: GatedKind, preferences: Preferences, zone: string, at: Date | DateTime): OutboundMessage['held'] {
  if (kind === 'broadcast' && preferences.muteBroadcasts) return { reason: 'muted_broadcasts' as const };
  const now = personalNow(at, zone);
  const quiet = preferences.quiet;
  if (quiet && isQuietHour(now.hour, quiet)) {
    let until = now.set({ hour: quiet.to, minute: 0, second: 0, millisecond: 0 });
    if (until <= now) until = until.plus({ days: 1 });
    return { reason: 'quiet_hours' as const, until: until.toJSDate() };
  }
  return undefined;
}
