import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { bilingualSchema } from './shared.js';

export const INSTITUTION_KINDS = ['institution', 'partner'] as const;

const institutionSchema = new Schema(
  {
    /** The abbreviation the documents use: VK, VARAM, Delna, … */
    code: { type: String, required: true, trim: true },
    name: { type: bilingualSchema, required: true },
    kind: { type: String, enum: INSTITUTION_KINDS, required: true, default: 'institution' },
  },
  { timestamps: true },
);
institutionSchema.index({ code: 1 }, { unique: true });

export type Institution = InferSchemaType<typeof institutionSchema>;
export type InstitutionDoc = HydratedDocument<Institution>;
export const InstitutionModel = model('Institution', institutionSchema);
