import type { DigestCadence, IdentityChannel } from '../../models/index.js';

/**
 * A person's choices from /settings, with the defaults filled in: a contact written before
 * preferences existed, or one who never opened /settings, reads as DEFAULT_PREFERENCES.
 */
export interface Preferences {
  /** Where reminders, notices, broadcasts and digests go when linked on several chats. */
  channel?: IdentityChannel;
  digest: DigestCadence;
  /** Local hour the digest is due at (weekly: on Mondays). */
  digestHour: number;
  /** Broadcasts are skipped; deadline reminders and meeting changes still arrive. */
  muteBroadcasts: boolean;
  /** Local hours with nothing but direct replies, `from` until `to`; may wrap midnight. */
  quiet?: { from: number; to: number };
}

export const DEFAULT_PREFERENCES: Readonly<Preferences> = Object.freeze({ digest: 'weekly', digestHour: 9, muteBroadcasts: false });

/** The stored subdocument (models/contact.ts), every field optional. */
export interface StoredPreferences {
  channel?: IdentityChannel | null;
  digest?: DigestCadence | null;
  digestHour?: number | null;
  muteBroadcasts?: boolean | null;
  quietFrom?: number | null;
  quietTo?: number | null;
}

export function preferencesOf(contact: { preferences?: StoredPreferences | null }): Preferences {
  const p = contact.preferences ?? {};
  const quiet = typeof p.quietFrom === 'number' && typeof p.quietTo === 'number' && p.quietFrom !== p.quietTo ? { from: p.quietFrom, to: p.quietTo } : undefined;
  return {
    ...(p.channel ? { channel: p.channel } : {}),
    digest: p.digest ?? DEFAULT_PREFERENCES.digest,
    digestHour: p.digestHour ?? DEFAULT_PREFERENCES.digestHour,
    muteBroadcasts: p.muteBroadcasts ?? DEFAULT_PREFERENCES.muteBroadcasts,
    ...(quiet ? { quiet } : {}),
  };
}

/**
 * The chats a message goes to: the preferred one when the person is linked there, else all of
 * them (someone who never chose gets a copy on each, as before preferences existed).
 */
export function preferredIdentities<I extends { channel: string }>(identities: I[], preferences: Pick<Preferences, 'channel'>): I[] {
  const preferred = identities.filter((identity) => identity.channel === preferences.channel);
  return preferred.length > 0 ? preferred : identities;
}
