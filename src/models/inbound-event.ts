import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * Platform events already taken in (Telegram update ids, Slack event ids). Platforms redeliver
 * when they think an answer got lost; the unique key makes the second copy a no-op.
 */
const inboundEventSchema = new Schema(
  {
    key: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
inboundEventSchema.index({ key: 1 }, { unique: true });
inboundEventSchema.index({ at: 1 });

export type InboundEvent = InferSchemaType<typeof inboundEventSchema>;
export const InboundEventModel = model('InboundEvent', inboundEventSchema);
