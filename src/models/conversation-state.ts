import { Schema, model, type InferSchemaType, type HydratedDocument, type Types } from 'mongoose';
import { keyedObjectId } from './keyed-id.js';
import { isDuplicateKey } from './duplicate-key.js';

/**
 * Where a person stands in a guided conversation, so a restart resumes it. Its `_id` is made from
 * the person and the channel ({@link conversationId}), so each step reads and writes it by `_id`.
 */
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

/** The `_id` of a person's conversation on a channel. */
export function conversationId(contact: Types.ObjectId | string, channel: string): Types.ObjectId {
  return keyedObjectId('conversation', String(contact), channel);
}

export type ConversationState = InferSchemaType<typeof conversationStateSchema>;
export type ConversationStateDoc = HydratedDocument<ConversationState>;
export const ConversationStateModel = model('ConversationState', conversationStateSchema);

/**
 * Moves conversations stored before their ids were keyed (random ids) to their keyed id, so a
 * deploy does not drop a draft half-way. Run at the start of the web role; idempotent, and safe
 * when two processes run it at once. The original goes first because the unique {contact,
 * channel} index would refuse the copy beside it: a crash in between loses that one draft.
 */
export async function rekeyConversations(): Promise<number> {
  let moved = 0;
  for (const doc of await ConversationStateModel.find({}).lean()) {
    const _id = conversationId(doc.contact, doc.channel);
    if (doc._id.equals(_id)) continue;
    await ConversationStateModel.deleteOne({ _id: doc._id });
    await ConversationStateModel.collection.insertOne({ ...doc, _id }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
    moved += 1;
  }
  return moved;
}
