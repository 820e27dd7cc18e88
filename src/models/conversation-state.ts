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
 * Moves a person's conversation stored under a random id (before ids were keyed, or by an older
 * process during a rolling deploy) to its keyed id; true when there was one. The original goes
 * first, taken whole by `findOneAndDelete` so that a step written meanwhile is not lost, because
 * the unique {contact, channel} index would refuse the copy beside it: a crash in between loses
 * that one draft. Safe when two processes do it at once.
 */
export async function rekeyConversation(contact: Types.ObjectId, channel: string): Promise<boolean> {
  const _id = conversationId(contact, channel);
  const stray = await ConversationStateModel.findOne({ contact, channel, _id: { $ne: _id } }, { _id: 1 }).lean();
  if (!stray) return false;
  const taken = await ConversationStateModel.findOneAndDelete({ _id: stray._id }).lean();
  if (taken) {
    await ConversationStateModel.collection.insertOne({ ...taken, _id }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error;
    });
  }
  return true;
}

/** Every conversation not under its keyed id, moved; run at the start of the web role. */
export async function rekeyConversations(): Promise<number> {
  let moved = 0;
  for (const doc of await ConversationStateModel.find({}, { contact: 1, channel: 1 }).lean()) {
    if (doc._id.equals(conversationId(doc.contact, doc.channel))) continue;
    if (await rekeyConversation(doc.contact, doc.channel)) moved += 1;
  }
  return moved;
}
