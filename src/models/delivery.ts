import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';
import { CHANNELS } from './shared.js';

/**
 * pending: recorded, maybe not yet queued · sent: the platform accepted it · failed: gave up after
 * retries · undeliverable: the recipient cannot be reached (blocked the bot, left) · cancelled.
 */
export const DELIVERY_STATES = ['pending', 'sent', 'failed', 'undeliverable', 'cancelled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const choiceSchema = new Schema(
  {
    /** Opaque action id the bots route back to the domain. */
    id: { type: String, required: true },
    label: { type: String, required: true },
  },
  { _id: false },
);

const deliverySchema = new Schema(
  {
    /** Deterministic idempotency key, e.g. `reminder:<round>:<measure>:<contact>:d-7`. */
    key: { type: String, required: true },
    purpose: { type: String, required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact' },
    channel: { type: String, enum: CHANNELS, required: true },
    /** Chat id / channel id on the platform. */
    address: { type: String, required: true },
    text: { type: String, required: true },
    choices: { type: [choiceSchema], default: [] },
    state: { type: String, enum: DELIVERY_STATES, required: true, default: 'pending' },
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
