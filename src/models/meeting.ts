import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { bilingualSchema, FORUM_TIME_ZONE } from './shared.js';
import { audienceSchema } from './audience.js';

const agendaItemSchema = new Schema(
  {
    number: { type: Number, required: true },
    title: { type: bilingualSchema, required: true },
    presenter: { type: String, default: '' },
    /** The minutes' decision on this item, e.g. "Pieņemt zināšanai". */
    decision: { type: String, default: '' },
  },
  { _id: false },
);

const meetingSchema = new Schema(
  {
    plan: { type: Schema.Types.ObjectId, ref: 'Plan' },
    title: { type: bilingualSchema, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    timeZone: { type: String, required: true, default: FORUM_TIME_ZONE },
    place: { type: String, default: '' },
    registrationDeadline: { type: Date },
    agenda: { type: [agendaItemSchema], default: [] },
    audience: { type: audienceSchema, default: () => ({}) },
    minutes: { type: String, default: '' },
    state: { type: String, enum: ['draft', 'announced', 'held', 'cancelled'], default: 'draft' },
  },
  { timestamps: true },
);
meetingSchema.index({ startsAt: 1 });

export type Meeting = InferSchemaType<typeof meetingSchema>;
export type MeetingDoc = HydratedDocument<Meeting>;
export const MeetingModel = model('Meeting', meetingSchema);
