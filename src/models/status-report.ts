import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { MEASURE_STATUSES } from './measure-status.js';

const revisionSchema = new Schema(
  {
    status: { type: String, enum: MEASURE_STATUSES, required: true },
    note: { type: String, required: true },
    links: { type: [String], default: [] },
    author: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    at: { type: Date, required: true },
    channel: { type: String },
  },
  { _id: false },
);

/** One report per measure and round; every confirmed answer adds a revision, none is lost. */
const statusReportSchema = new Schema(
  {
    round: { type: Schema.Types.ObjectId, ref: 'ReportingRound', required: true },
    measure: { type: Schema.Types.ObjectId, ref: 'Measure', required: true },
    status: { type: String, enum: MEASURE_STATUSES, required: true },
    note: { type: String, required: true },
    links: { type: [String], default: [] },
    author: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    revisions: { type: [revisionSchema], default: [] },
  },
  { timestamps: true },
);
statusReportSchema.index({ round: 1, measure: 1 }, { unique: true });

export type StatusReport = InferSchemaType<typeof statusReportSchema>;
export type StatusReportDoc = HydratedDocument<StatusReport>;
export const StatusReportModel = model('StatusReport', statusReportSchema);
