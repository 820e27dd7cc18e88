import type { DateTime } from 'luxon';
import type { OutboundMessage } from '../outbound-message.js';
import type { Preferences } from './preferences.js';

/**
 * The one place that decides whether a person's preferences hold a message back. Held is never
 * dropped: the outbox records it with the reason, as `pending` until `until` (deferred) or as
 * `skipped` (never sent). Direct replies do not come here and are never delayed; deadline
 * reminders and meeting changes are not broadcasts, so muting broadcasts never touches them.
 */

export const HOLD_REASONS = ['muted_broadcasts', 'quiet_hours', 'empty_digest'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** What kind of message asks: only broadcasts can be muted; quiet hours hold back all of these. */
export type GatedKind = 'broadcast' | 'digest';

export function isQuietHour(hour: number, quiet: { from: number; to: number }): boolean {
  return quiet.from < quiet.to ? hour >= quiet.from && hour < quiet.to : hour >= quiet.from || hour < quiet.to;
}

/** `now` in the person's zone. Undefined: send now. */
export function holdFor(kind: GatedKind, preferences: Preferences, now: DateTime): OutboundMessage['held'] {
  if (kind === 'broadcast' && preferences.muteBroadcasts) return { reason: 'muted_broadcasts' satisfies HoldReason };
  const quiet = preferences.quiet;
  if (quiet && isQuietHour(now.hour, quiet)) {
    let until = now.set({ hour: quiet.to, minute: 0, second: 0, millisecond: 0 });
    if (until <= now) until = until.plus({ days: 1 });
    return { reason: 'quiet_hours' satisfies HoldReason, until: until.toJSDate() };
  }
  return undefined;
}
