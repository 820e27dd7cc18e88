import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { bilingualSchema } from './shared.js';
import { announcesWrites } from './announced-writes.js';

const commitmentSchema = new Schema(
  {
    plan: { type: Schema.Types.ObjectId, ref: 'Plan', required: true },
    number: { type: Number, required: true, min: 1 },
    title: { type: bilingualSchema, required: true },
  },
  { timestamps: true },
);
commitmentSchema.index({ plan: 1, number: 1 }, { unique: true });

// Before model(): the plan cache learns of every write (announced-writes.ts).
commitmentSchema.plugin(announcesWrites('plan'));

export type Commitment = InferSchemaType<typeof commitmentSchema>;
export type CommitmentDoc = HydratedDocument<Commitment>;
export const CommitmentModel = model('Commitment', commitmentSchema);
