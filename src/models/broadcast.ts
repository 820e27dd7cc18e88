import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { bilingualSchema } from './shared.js';
import { audienceSchema } from './audience.js';

const broadcastSchema = new Schema(
  {
    text: { type: bilingualSchema, required: true },
    audience: { type: audienceSchema, default: () => ({}) },
    scheduledAt: { type: Date, required: true },
    state: { type: String, enum: ['draft', 'scheduled', 'sending', 'sent', 'cancelled'], default: 'draft' },
    createdBy: { type: Schema.Types.ObjectId, ref: 'Contact' },
    counts: {
      recipients: { type: Number, default: 0 },
      sent: { type: Number, default: 0 },
      failed: { type: Number, default: 0 },
    },
  },
  { timestamps: true },
);
broadcastSchema.index({ state: 1, scheduledAt: 1 });

export type Broadcast = InferSchemaType<typeof broadcastSchema>;
export type BroadcastDoc = HydratedDocument<Broadcast>;
export const BroadcastModel = model('Broadcast', broadcastSchema);
