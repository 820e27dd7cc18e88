import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { bilingualSchema, FORUM_TIME_ZONE } from './shared.js';
import { CONTACT_ROLES } from './contact.js';

/**
 * A council, forum, working-group meeting or public event. Times are instants; `timeZone` is the
 * zone the meeting happens in (Europe/Riga), each person sees them in their own. `key` is the
 * coordinator's name for it (`padome-2026-03`), unique, so a meeting file imported again edits
 * the same meeting. `sequence` counts the changes people were told about: the calendar file's
 * SEQUENCE, and part of the change notice's delivery key.
 */

export const MEETING_KINDS = ['council', 'forum', 'working_group', 'public_event'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

/** What a change notice is about (`lastChange`), in the order it names them: only these raise `sequence`. */
export const MEETING_CHANGES = ['time', 'place', 'link'] as const;
export type MeetingChange = (typeof MEETING_CHANGES)[number];

export const MEETING_STATES = ['announced', 'cancelled'] as const;
export type MeetingState = (typeof MEETING_STATES)[number];

const agendaItemSchema = new Schema(
  {
    number: { type: Number, required: true },
    title: { type: bilingualSchema, required: true },
    presenter: { type: String, default: '' },
    /** The council's decision on this item ("Padomes lēmums"), once taken. */
    decision: { type: String, default: '' },
  },
  { _id: false },
);

/** A material or the minutes: a link, or a stored file (StoredFile id), with a label. */
const documentSchema = new Schema(
  {
    label: { type: String, required: true },
    url: { type: String },
    fileId: { type: String },
    fileName: { type: String },
    mediaType: { type: String },
  },
  { _id: false },
);

/** Who is invited. Lists left empty do not narrow; `contacts` names people on top of the rest. */
const meetingAudienceSchema = new Schema(
  {
    roles: { type: [{ type: String, enum: CONTACT_ROLES }], default: [] },
    institutions: { type: [String], default: [] },
    /** Commitment numbers of the meeting's plan. */
    commitments: { type: [Number], default: [] },
    /** Named people, by contact id. */
    contacts: { type: [{ type: Schema.Types.ObjectId, ref: 'Contact' }], default: [] },
  },
  { _id: false },
);

const meetingSchema = new Schema(
  {
    key: { type: String, required: true, trim: true },
    plan: { type: Schema.Types.ObjectId, ref: 'Plan' },
    kind: { type: String, enum: MEETING_KINDS, required: true },
    title: { type: bilingualSchema, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    timeZone: { type: String, required: true, default: FORUM_TIME_ZONE },
    place: { type: String, default: '' },
    onlineUrl: { type: String, default: '' },
    registrationDeadline: { type: Date },
    capacity: { type: Number },
    agenda: { type: [agendaItemSchema], default: [] },
    materials: { type: [documentSchema], default: [] },
    audience: { type: meetingAudienceSchema, default: () => ({}) },
    /** The coordinator people are told to contact (refusals name them). */
    organizer: { type: Schema.Types.ObjectId, ref: 'Contact' },
    state: { type: String, enum: MEETING_STATES, required: true, default: 'announced' },
    sequence: { type: Number, required: true, default: 0 },
    /** What the last change notice was about: `time`, `place`, `link`. */
    lastChange: { type: [String], default: [] },
    minutes: { type: documentSchema },
    minutesSentAt: { type: Date },
    cancelledAt: { type: Date },
  },
  { timestamps: true },
);
meetingSchema.index({ key: 1 }, { unique: true });
meetingSchema.index({ startsAt: 1 });

export type Meeting = InferSchemaType<typeof meetingSchema>;
export type MeetingDoc = HydratedDocument<Meeting>;
export const MeetingModel = model('Meeting', meetingSchema);
