import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/**
 * What one person said about the reminders for one measure in one round: "later" (snooze) or
 * "not my measure" (decline). Its own small collection, keyed like the reminders themselves, so
 * the scheduler reads a round's answers in one query and an answer is an upsert on a unique key.
 */
const reminderStateSchema = new Schema(
  {
    round: { type: Schema.Types.ObjectId, ref: 'ReportingRound', required: true },
    measure: { type: Schema.Types.ObjectId, ref: 'Measure', required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    /** No reminder for this measure before this instant. */
    snoozedUntil: { type: Date },
    /** "Not my measure": no more reminders for it in this round; the coordinators were told. */
    declinedAt: { type: Date },
  },
  { timestamps: true },
);
reminderStateSchema.index({ round: 1, measure: 1, contact: 1 }, { unique: true });

export type ReminderState = InferSchemaType<typeof reminderStateSchema>;
export type ReminderStateDoc = HydratedDocument<ReminderState>;
export const ReminderStateModel = model('ReminderState', reminderStateSchema);
