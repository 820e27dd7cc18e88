import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/**
 * A one-time link that ties a chat account to a contact. The token itself is never stored: only
 * its SHA-256, so a database dump cannot be used to take over anybody's reminders.
 * No TTL index (the MongoDB-wire servers we run on lack it): expiry is checked on redeem, and old
 * rows are harmless.
 */
const invitationSchema = new Schema(
  {
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    /** Hex SHA-256 of the token. */
    hash: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    /** Informational copy of the claim below, for people reading the collection. */
    usedAt: { type: Date, default: null },
    /** `cli`, `system`, or a contact id. */
    createdBy: { type: String, required: true },
  },
  { timestamps: true },
);
invitationSchema.index({ hash: 1 }, { unique: true });
invitationSchema.index({ contact: 1, createdAt: -1 });

export type Invitation = InferSchemaType<typeof invitationSchema>;
export type InvitationDoc = HydratedDocument<Invitation>;
export const InvitationModel = model('Invitation', invitationSchema);

/**
 * Redeeming inserts one of these with the invitation's id as `_id`: the unique `_id` is what
 * makes an invitation single-use. A conditional update (`usedAt: null` → now) would do on MongoDB,
 * but FerretDB 1.x lets two concurrent conditional updates of one document both succeed.
 */
const invitationClaimSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    channel: { type: String, required: true },
    externalId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export type InvitationClaim = InferSchemaType<typeof invitationClaimSchema>;
export const InvitationClaimModel = model('InvitationClaim', invitationClaimSchema);
