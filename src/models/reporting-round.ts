import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { bilingualSchema, FORUM_TIME_ZONE } from './shared.js';
import { announcesWrites } from './announced-writes.js';

export const ROUND_STATES = ['open', 'closed'] as const;

/** When reminders go out, relative to the deadline; see src/domain for how it is applied. */
const reminderPolicySchema = new Schema(
  {
    daysBefore: { type: [Number], default: [14, 7, 2] },
    onDeadlineMorning: { type: Boolean, default: true },
    overdueEveryWorkingDays: { type: Number, default: 3 },
    tellCoordinatorAfterOverdue: { type: Number, default: 2 },
    officeHoursStart: { type: Number, default: 9 },
    officeHoursEnd: { type: Number, default: 17 },
  },
  { _id: false },
);

const reportingRoundSchema = new Schema(
  {
    plan: { type: Schema.Types.ObjectId, ref: 'Plan', required: true },
    /** Short key unique within the plan, e.g. `2025`. */
    key: { type: String, required: true, trim: true },
    title: { type: bilingualSchema, required: true },
    deadline: { type: Date, required: true },
    timeZone: { type: String, required: true, default: FORUM_TIME_ZONE },
    state: { type: String, enum: ROUND_STATES, required: true, default: 'open' },
    policy: { type: reminderPolicySchema, default: () => ({}) },
    openedBy: { type: Schema.Types.ObjectId, ref: 'Contact' },
    closedAt: { type: Date },
    /**
     * 'open' while the round is open, the round's own id once closed: with the unique index below
     * at most one round per plan is open, without transactions or partial indexes (FerretDB).
     */
    openGuard: { type: String, required: true, default: 'open' },
  },
  { timestamps: true },
);
reportingRoundSchema.index({ plan: 1, key: 1 }, { unique: true });
reportingRoundSchema.index({ state: 1 });
reportingRoundSchema.index({ plan: 1, openGuard: 1 }, { unique: true });

// Before model(): the plan cache learns of every write (announced-writes.ts).
reportingRoundSchema.plugin(announcesWrites('plan'));

export type ReportingRound = InferSchemaType<typeof reportingRoundSchema>;
export type ReportingRoundDoc = HydratedDocument<ReportingRound>;
export const ReportingRoundModel = model('ReportingRound', reportingRoundSchema);
