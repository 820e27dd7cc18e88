import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { CHANNELS } from './shared.js';

/**
 * pending: recorded, maybe not yet queued (or held until `notBefore`) · sent: the platform
 * accepted it · failed: gave up after retries · undeliverable: the recipient cannot be reached
 * (blocked the bot, left) · cancelled · skipped: a preference held it back for good (`heldReason`).
 */
export const DELIVERY_STATES = ['pending', 'sent', 'failed', 'undeliverable', 'cancelled', 'skipped'] as const;

/** Why a person's preference held a delivery back (domain/preferences/preference-gate.ts decides). */
export const HOLD_REASONS = ['muted_broadcasts', 'quiet_hours', 'empty_digest'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/**
 * Who waits for whom on a channel's queue, first to last: an answer to something a person just
 * did; a deadline reminder; a notice to coordinators or a group; a broadcast or digest to many.
 * A class, not a number, so producers say what a message is and the outbox alone decides the
 * order (jobs/outbox.ts maps each class to a BullMQ priority).
 */
export const DELIVERY_PRIORITIES = ['reply', 'reminder', 'notice', 'bulk'] as const;
export type DeliveryPriority = (typeof DELIVERY_PRIORITIES)[number];

/**
 * Records written before priorities existed, and producers that do not say, get a class from
 * the purpose: a reminder to its owner is a reminder, anything else a notice. Bulk is never a
 * default: a batch must say so, and a forgotten one still goes behind replies and reminders.
 */
export function defaultPriority(purpose: string): DeliveryPriority {
  return purpose === 'reminder' ? 'reminder' : 'notice';
}

const choiceSchema = new Schema(
  {
    /** Opaque action id the bots route back to the domain. */
    id: { type: String, required: true },
    label: { type: String, required: true },
  },
  { _id: false },
);

const linkSchema = new Schema(
  {
    label: { type: String, required: true },
    url: { type: String, required: true },
  },
  { _id: false },
);

/** A file by reference (domain/chat/message.ts `Attachment`): the worker reads the bytes at send time. */
const attachmentSchema = new Schema(
  {
    name: { type: String, required: true },
    mediaType: { type: String, required: true },
    source: {
      type: new Schema(
        {
          kind: { type: String, enum: ['stored'], required: true },
          fileId: { type: String, required: true },
        },
        { _id: false },
      ),
      required: true,
    },
  },
  { _id: false },
);

/**
 * Which earlier message this delivery replaces: exactly one of `deliveryKey` (sent by the outbox;
 * the worker reads the target by key when the edit is due) and `ref` (a platform message the
 * producer knows).
 */
const editSchema = new Schema(
  {
    deliveryKey: { type: String },
    ref: {
      type: new Schema({ address: { type: String, required: true }, messageId: { type: String, required: true } }, { _id: false }),
    },
  },
  { _id: false },
);

const deliverySchema = new Schema(
  {
    /** Deterministic idempotency key; every format is built in domain/delivery-keys.ts. */
    key: { type: String, required: true },
    purpose: { type: String, required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact' },
    channel: { type: String, enum: CHANNELS, required: true },
    /** Chat id / channel id on the platform. */
    address: { type: String, required: true },
    /** The message (domain/chat/message.ts): text, buttons, URL buttons, files, or an edit. */
    text: { type: String, required: true },
    choices: { type: [choiceSchema], default: [] },
    links: { type: [linkSchema], default: [] },
    attachments: { type: [attachmentSchema], default: [] },
    edit: { type: editSchema },
    /** The key of a delivery that goes first: this one waits while that one is pending. */
    after: { type: String },
    /**
     * The measures a reminder or a coordinators' overdue notice listed: one message covers several,
     * so the scheduler reads here what was sent for which (due-reminders.ts). Absent elsewhere.
     */
    measures: { type: [Schema.Types.ObjectId], default: undefined },
    /** Absent on records from before priorities: read it through {@link defaultPriority}. */
    priority: { type: String, enum: DELIVERY_PRIORITIES },
    state: { type: String, enum: DELIVERY_STATES, required: true, default: 'pending' },
    /** Not sent before this instant (a person's quiet hours); the job waits, no attempt is used. */
    notBefore: { type: Date },
    /** Why a preference deferred (`notBefore`) or skipped it: domain/preferences `HoldReason`. */
    heldReason: { type: String, enum: HOLD_REASONS },
    attempts: { type: Number, required: true, default: 0 },
    platformMessageId: { type: String },
    lastError: {
      code: { type: String },
      message: { type: String },
      at: { type: Date },
    },
    sentAt: { type: Date },
  },
  { timestamps: true },
);
deliverySchema.index({ key: 1 }, { unique: true });
deliverySchema.index({ state: 1, createdAt: 1 });
deliverySchema.index({ contact: 1, purpose: 1 });

export type Delivery = InferSchemaType<typeof deliverySchema>;
export type DeliveryDoc = HydratedDocument<Delivery>;
export const DeliveryModel = model('Delivery', deliverySchema);
