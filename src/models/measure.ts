import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { bilingualSchema } from './shared.js';
import { MEASURE_STATUSES } from './measure-status.js';
import { announcesWrites } from './announced-writes.js';

const subItemSchema = new Schema(
  {
    code: { type: String, required: true },
    title: { type: bilingualSchema, required: true },
  },
  { _id: false },
);

const statusSchema = new Schema(
  {
    status: { type: String, enum: MEASURE_STATUSES, required: true },
    note: { type: String, default: '' },
    asOf: { type: Date, required: true },
    /** Where it came from: `import` for the plan file, or the reporting round's id. */
    source: { type: String, required: true },
  },
  { _id: false },
);

const measureSchema = new Schema(
  {
    plan: { type: Schema.Types.ObjectId, ref: 'Plan', required: true },
    commitment: { type: Schema.Types.ObjectId, ref: 'Commitment', required: true },
    commitmentNumber: { type: Number, required: true },
    /** As the plan writes it: `3.5`, `4.1`, `6.3`. */
    code: { type: String, required: true, trim: true, match: /^\d+\.\d+(\.[a-z])?$/ },
    /** Sort key so that 3.10 follows 3.9. */
    order: { type: Number, required: true },
    title: { type: bilingualSchema, required: true },
    subItems: { type: [subItemSchema], default: [] },
    /** Institution codes (see Institution.code). */
    institutions: { type: [String], default: [] },
    partners: { type: [String], default: [] },
    currentStatus: { type: statusSchema },
  },
  { timestamps: true },
);
measureSchema.index({ plan: 1, code: 1 }, { unique: true });
measureSchema.index({ plan: 1, order: 1 });

// Before model(): the plan cache learns of every write (announced-writes.ts).
measureSchema.plugin(announcesWrites('plan'));

export type Measure = InferSchemaType<typeof measureSchema>;
export type MeasureDoc = HydratedDocument<Measure>;
export const MeasureModel = model('Measure', measureSchema);
