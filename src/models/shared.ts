import { Schema } from 'mongoose';

export const LANGUAGES = ['lv', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

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
