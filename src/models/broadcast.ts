import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { bilingualSchema, CHANNELS } from './shared.js';
import { CONTACT_ROLES } from './contact.js';

/**
 * draft: composed, shown as a preview, not confirmed · scheduled: confirmed, due at `scheduledAt`
 * · sending: the deliveries are being written and sent · sent: nothing pending any more ·
 * cancelled: stopped by a coordinator (what had gone out stays out).
 */
export const BROADCAST_STATES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const;
export type BroadcastState = (typeof BROADCAST_STATES)[number];

/** Who a broadcast is for; domain/broadcasts/broadcast-audience.ts turns it into an Audience. */
export const BROADCAST_AUDIENCE_KINDS = ['everyone', 'roles', 'institutions', 'commitments', 'owners', 'meeting'] as const;
export type BroadcastAudienceKind = (typeof BROADCAST_AUDIENCE_KINDS)[number];

const broadcastAudienceSchema = new Schema(
  {
    kind: { type: String, enum: BROADCAST_AUDIENCE_KINDS, required: true },
    roles: { type: [{ type: String, enum: CONTACT_ROLES }], default: undefined },
    /** Institution codes (VK, VARAM, …). */
    institutions: { type: [String], default: undefined },
    /** Commitment numbers of `plan`. */
    commitments: { type: [Number], default: undefined },
    /** A meeting's key: its invitees. */
    meeting: { type: String },
  },
  { _id: false },
);

const broadcastSchema = new Schema(
  {
    /** Latvian always; English optional (people reading English get Latvian when it is missing). */
    text: { type: bilingualSchema, required: true },
    link: { type: new Schema({ url: { type: String, required: true }, label: { type: bilingualSchema } }, { _id: false }) },
    /** A StoredFile sent with the message (domain/chat/files.ts). */
    attachment: {
      type: new Schema(
        { name: { type: String, required: true }, mediaType: { type: String, required: true }, fileId: { type: String, required: true } },
        { _id: false },
      ),
    },
    audience: { type: broadcastAudienceSchema, required: true },
    /** The plan that commitments and measure owners belong to. */
    plan: { type: Schema.Types.ObjectId, ref: 'Plan' },
    state: { type: String, enum: BROADCAST_STATES, required: true, default: 'draft' },
    scheduledAt: { type: Date },
    /** Audit actor: a contact id, or `cli`. */
    author: { type: String, required: true },
    authorName: { type: String, required: true },
    /** Where the author follows the progress (the chat it was confirmed in); the CLI has none. */
    notify: {
      type: new Schema(
        { contact: { type: String, required: true }, channel: { type: String, enum: CHANNELS, required: true }, address: { type: String, required: true } },
        { _id: false },
      ),
    },
    startedAt: { type: Date },
    /** Every delivery written: sending may end once none of them is pending. */
    fannedOutAt: { type: Date },
    finishedAt: { type: Date },
    cancelledAt: { type: Date },
    cancelledBy: { type: String },
    /** Why the system stopped it (the audience no longer resolves), for the report. */
    problem: { type: bilingualSchema },
    /** People with a chat on the audience at fan-out, and those without (names, for the report). */
    recipients: { type: Number },
    /** Copies to go out (one per person and chat, the muted not counted): "sent N of copies". */
    copies: { type: Number },
    unreachable: { type: [String], default: undefined },
    unreachableCount: { type: Number },
    /** The progress text last put on the author's message: an edit that would change nothing is not made. */
    progressShown: { type: String },
    /** "Retry the failed ones" pressed so many times: each retry gets a report of its own. */
    retries: { type: Number, required: true, default: 0 },
  },
  { timestamps: true },
);
// The tick's sweep for confirmed broadcasts whose time has come.
broadcastSchema.index({ state: 1, scheduledAt: 1 });

export type Broadcast = InferSchemaType<typeof broadcastSchema>;
export type BroadcastDoc = HydratedDocument<Broadcast>;
export const BroadcastModel = model('Broadcast', broadcastSchema);
