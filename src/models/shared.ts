import { Schema } from 'mongoose';

export const LANGUAGES = ['lv', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The forum's own zone, and the shipped value of the TZ_DEFAULT setting. The service passes its
 * TZ_DEFAULT to whatever fills in a missing zone (the plan and contacts imports); this constant is
 * the fallback only where no settings are at hand: documents written directly by tests and the demo.
 */
export const FORUM_TIME_ZONE = 'Europe/Riga';

export const CHANNELS = ['telegram', 'slack', 'console'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Text kept in both languages users read: Latvian first, English second. */
export const bilingualSchema = new Schema(
  {
    lv: { type: String, required: true, trim: true },
    en: { type: String, trim: true, default: '' },
  },
  { _id: false },
);
