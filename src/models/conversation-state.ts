import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/** Where a person stands in a guided conversation, so a restart resumes it. */
const conversationStateSchema = new Schema(
  {
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    channel: { type: String, required: true },
    flow: { type: String, required: true },
    step: { type: String, required: true },
    /** The flow's own draft (plain data; no arrays of arrays, no dotted keys). */
    data: { type: Schema.Types.Mixed, default: {} },
    /** Bumped on every write; a stale writer loses instead of overwriting. */
    version: { type: Number, required: true, default: 0 },
    /** When a text was last refused as too long: the rest of the same paste follows within seconds. */
    longTextRefusedAt: { type: Date },
  },
  { timestamps: true, minimize: false },
);
conversationStateSchema.index({ contact: 1, channel: 1 }, { unique: true });

export type ConversationState = InferSchemaType<typeof conversationStateSchema>;
export type ConversationStateDoc = HydratedDocument<ConversationState>;
export const ConversationStateModel = model('ConversationState', conversationStateSchema);
