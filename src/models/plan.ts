import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { bilingualSchema, FORUM_TIME_ZONE } from './shared.js';
import { announcesWrites } from './announced-writes.js';

const planSchema = new Schema(
  {
    /** Stable key used by imports and commands, e.g. `lv-nap-5`. */
    key: { type: String, required: true, trim: true, match: /^[a-z0-9][a-z0-9-]*$/ },
    number: { type: Number, required: true, min: 1 },
    title: { type: bilingualSchema, required: true },
    startYear: { type: Number, required: true },
    endYear: { type: Number, required: true },
    timeZone: { type: String, required: true, default: FORUM_TIME_ZONE },
    /** When the imported statuses were last true, e.g. the council meeting of 27 March 2025. */
    statusAsOf: { type: Date },
  },
  { timestamps: true },
);
planSchema.index({ key: 1 }, { unique: true });

// Before model(): the plan cache learns of every write (announced-writes.ts).
planSchema.plugin(announcesWrites('plan'));

export type Plan = InferSchemaType<typeof planSchema>;
export type PlanDoc = HydratedDocument<Plan>;
export const PlanModel = model('Plan', planSchema);
