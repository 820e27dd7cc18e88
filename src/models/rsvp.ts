import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/**
 * A person's answer to a meeting invitation. `_id` is `<meeting id>:<contact id>`, so reading and
 * writing one answer is a lookup by `_id` (the only filter FerretDB answers from an index). A
 * deputy is named by name and institution only: nothing else about them is asked or kept.
 * `waitlisted`: the answer was "attending" when the meeting was full; `waitlistedAt` orders the
 * waiting list, and a decline moves the first one up.
 */
export const RSVP_ANSWERS = ['on_site', 'online', 'not_attending', 'deputy'] as const;
export type RsvpAnswer = (typeof RSVP_ANSWERS)[number];

/** The answers that take a place: a deputy takes the person's. */
export const ATTENDING_ANSWERS: readonly RsvpAnswer[] = ['on_site', 'online', 'deputy'];
export const isAttending = (answer: string): boolean => (ATTENDING_ANSWERS as readonly string[]).includes(answer);

const rsvpSchema = new Schema(
  {
    _id: { type: String, required: true },
    meeting: { type: Schema.Types.ObjectId, ref: 'Meeting', required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    answer: { type: String, enum: RSVP_ANSWERS, required: true },
    deputy: {
      name: { type: String, trim: true },
      institution: { type: String, trim: true },
    },
    waitlisted: { type: Boolean, required: true, default: false },
    waitlistedAt: { type: Date },
    answeredAt: { type: Date, required: true },
  },
  { timestamps: true },
);
rsvpSchema.index({ meeting: 1, contact: 1 }, { unique: true });

export function rsvpId(meetingId: string, contactId: string): string {
  return `${meetingId}:${contactId}`;
}

export type Rsvp = InferSchemaType<typeof rsvpSchema>;
export type RsvpDoc = HydratedDocument<Rsvp>;
export const RsvpModel = model('Rsvp', rsvpSchema);
