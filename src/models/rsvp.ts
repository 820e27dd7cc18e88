import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

export const RSVP_ANSWERS = ['yes', 'no', 'maybe'] as const;

const rsvpSchema = new Schema(
  {
    meeting: { type: Schema.Types.ObjectId, ref: 'Meeting', required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    answer: { type: String, enum: RSVP_ANSWERS, required: true },
    answeredAt: { type: Date, required: true },
  },
  { timestamps: true },
);
rsvpSchema.index({ meeting: 1, contact: 1 }, { unique: true });

export type Rsvp = InferSchemaType<typeof rsvpSchema>;
export type RsvpDoc = HydratedDocument<Rsvp>;
export const RsvpModel = model('Rsvp', rsvpSchema);
