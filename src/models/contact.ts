import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { FORUM_TIME_ZONE, LANGUAGES } from './shared.js';
import { keyedObjectId } from './keyed-id.js';
import { announcesWrites } from './announced-writes.js';

export const CONTACT_ROLES = ['coordinator', 'contact_person', 'forum_member', 'partner'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

/** `console` is the terminal demo's chat: it goes through the same outbox and scheduler. */
export const IDENTITY_CHANNELS = ['telegram', 'slack', 'console'] as const;
export type IdentityChannel = (typeof IDENTITY_CHANNELS)[number];

export const DIGEST_CADENCES = ['weekly', 'daily', 'off'] as const;
export type DigestCadence = (typeof DIGEST_CADENCES)[number];

/**
 * What a person chose in /settings (domain/preferences). Every field is optional: a contact
 * written before preferences existed reads as the defaults (preferences.ts `preferencesOf`).
 */
const preferencesSchema = new Schema(
  {
    /** Where bulk and reminders go when linked on several chats: one copy, not two. */
    channel: { type: String, enum: IDENTITY_CHANNELS },
    digest: { type: String, enum: DIGEST_CADENCES },
    /** Local hour (0–23) the digest is due at. */
    digestHour: { type: Number, min: 0, max: 23 },
    muteBroadcasts: { type: Boolean },
    /** Local hours: nothing but direct replies from `quietFrom` until `quietTo` (may wrap midnight). */
    quietFrom: { type: Number, min: 0, max: 23 },
    quietTo: { type: Number, min: 0, max: 23 },
  },
  { _id: false },
);

/** Only what the features need: no phone numbers, no identity codes. */
const contactSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    email: { type: String, required: true, trim: true, lowercase: true },
    /** Institution code (see Institution.code). */
    institution: { type: String, trim: true },
    roles: { type: [{ type: String, enum: CONTACT_ROLES }], default: [] },
    language: { type: String, enum: LANGUAGES, required: true, default: 'lv' },
    timeZone: { type: String, required: true, default: FORUM_TIME_ZONE },
    /** Measures this person answers for. */
    measures: { type: [{ type: Schema.Types.ObjectId, ref: 'Measure' }], default: [] },
    active: { type: Boolean, required: true, default: true },
    preferences: { type: preferencesSchema },
  },
  { timestamps: true },
);
contactSchema.index({ email: 1 }, { unique: true });
contactSchema.index({ measures: 1 });
// Before model(): the people cache learns of every write (announced-writes.ts, domain/chat/people-cache.ts).
contactSchema.plugin(announcesWrites('people'));

export type Contact = InferSchemaType<typeof contactSchema>;
export type ContactDoc = HydratedDocument<Contact>;
export const ContactModel = model('Contact', contactSchema);

/**
 * A contact's account on one chat platform. Its own collection (not an array in Contact) because
 * the identity must be unique across all contacts, and the MongoDB-wire servers we run on do not
 * all support the partial indexes that a unique index on an optional array would need.
 * Its `_id` is made from channel and account ({@link identityId}): every inbound event looks the
 * person up by it. Identities linked before that have random ids and are found by a slower query.
 */
const channelIdentitySchema = new Schema(
  {
    _id: {
      type: Schema.Types.ObjectId,
      // Mongoose also asks for defaults without a document (an upsert's insert): no key then, and
      // the server gives a random id, which findIdentity still finds the slower way.
      default(this: { channel?: string; externalId?: string } | null) {
        return this?.channel && this.externalId ? identityId(this.channel, this.externalId) : undefined;
      },
    },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    channel: { type: String, enum: IDENTITY_CHANNELS, required: true },
    /** Telegram user id or Slack user id, as a string. */
    externalId: { type: String, required: true },
    /** Where messages go: the Telegram private chat id or the Slack DM channel id. */
    address: { type: String, required: true },
    active: { type: Boolean, required: true, default: true },
    /** Why it stopped: e.g. `blocked` when the user blocked the bot. */
    inactiveReason: { type: String },
    linkedAt: { type: Date, required: true, default: () => new Date() },
  },
  { timestamps: true },
);
channelIdentitySchema.index({ channel: 1, externalId: 1 }, { unique: true });
channelIdentitySchema.index({ contact: 1, channel: 1 }, { unique: true });
// Before model(): linking, deactivating (/stop, the worker on a blocked bot) and forgetting move the people cache's generation.
channelIdentitySchema.plugin(announcesWrites('people'));

/** The `_id` of the identity of `externalId` on `channel`. */
export function identityId(channel: string, externalId: string) {
  return keyedObjectId('identity', channel, externalId);
}

export type ChannelIdentity = InferSchemaType<typeof channelIdentitySchema>;
export type ChannelIdentityDoc = HydratedDocument<ChannelIdentity>;
export const ChannelIdentityModel = model('ChannelIdentity', channelIdentitySchema);
