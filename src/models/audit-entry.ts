import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/** Who changed what: imports, rounds opened and closed, reports confirmed, identities deactivated. */
const auditEntrySchema = new Schema(
  {
    at: { type: Date, required: true, default: () => new Date() },
    /** `cli`, `system`, or a contact id. */
    actor: { type: String, required: true },
    action: { type: String, required: true },
    subject: { type: String, required: true },
    details: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false },
);
auditEntrySchema.index({ subject: 1, at: -1 });
auditEntrySchema.index({ at: -1 });

export type AuditEntry = InferSchemaType<typeof auditEntrySchema>;
export type AuditEntryDoc = HydratedDocument<AuditEntry>;
export const AuditEntryModel = model('AuditEntry', auditEntrySchema);
