import { Types } from 'mongoose';
import { z } from 'zod';
import { MAX_CHOICE_ID_BYTES } from '../domain/chat/message.js';
import { DELIVERY_PRIORITIES, HOLD_REASONS } from '../models/delivery.js';
import { CHANNELS } from '../models/shared.js';

/**
 * What a producer hands the outbox, checked before anything is written: a batch with one bad
 * delivery is refused whole, with every problem named by index and field.
 */

/**
 * Buttons of one message, choices and links together. Far more than a person reads on a phone;
 * the renderers split them as their platform needs (Slack: 25 per actions block).
 */
const MAX_BUTTONS = 100;
/** Measures one reminder or overdue notice lists: a whole plan's, many times the 5th plan's 26. */
const MAX_MEASURES = 1_000;
/** Files on one message: ten, Telegram's media-group size, so a renderer may send them as one group. */
const MAX_ATTACHMENTS = 10;

const objectId = /^[0-9a-f]{24}$/i;

const choiceSchema = z.object({
  // Telegram's callback_data is 1–64 bytes, the smallest of the platforms' limits on a button id.
  id: z
    .string()
    .min(1)
    .refine((id) => Buffer.byteLength(id) <= MAX_CHOICE_ID_BYTES, `must be at most ${MAX_CHOICE_ID_BYTES} bytes`),
  label: z.string().trim().min(1),
});

const linkSchema = z.object({
  label: z.string().trim().min(1),
  // A person taps it, so web pages only: no `javascript:`, `file:` or `tg:` links. 3000 characters
  // is Slack's limit on a button URL.
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(3000),
});

const attachmentSchema = z.object({
  // The console channel saves the file under this name; a path would let it write elsewhere.
  name: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((name) => !/[/\\]/.test(name) && name !== '.' && name !== '..', 'must be a file name, not a path'),
  // type/subtype with optional parameters, e.g. `text/csv; charset=utf-8`.
  mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"]*"|[\w.+-]+))*$/, 'must be a media type such as text/csv'),
  source: z.object({
    kind: z.literal('stored'),
    fileId: z.string().regex(objectId, 'must be a stored file id (24 hex digits)'),
  }),
});

const editSchema = z.union(
  [
    z.strictObject({ deliveryKey: z.string().min(1).max(512) }),
    z.strictObject({ ref: z.object({ address: z.string().trim().min(1), messageId: z.string().trim().min(1) }) }),
  ],
  { error: 'must be { deliveryKey } or { ref: { address, messageId } }, one of them' },
);

/**
 * The flat shape producers build (`OutboundMessage`, domain/outbound-message.ts): key, purpose,
 * recipient and the message's fields side by side. Beyond text and choices everything is
 * optional; without a `priority` the record gets `defaultPriority(purpose)` (models/delivery.ts).
 */
const deliveryInputSchema = z
  .object({
    key: z.string().min(1).max(512),
    purpose: z.string().min(1),
    priority: z.enum(DELIVERY_PRIORITIES).optional(),
    contact: z
      .union([z.instanceof(Types.ObjectId), z.string().regex(objectId, 'must be a contact id')])
      .transform((id) => new Types.ObjectId(id))
      .optional(),
    channel: z.enum(CHANNELS),
    address: z.string().trim().min(1),
    text: z.string().trim().min(1),
    choices: z
      .array(choiceSchema)
      .refine((choices) => new Set(choices.map((c) => c.id)).size === choices.length, 'choice ids must be unique')
      .optional(),
    links: z.array(linkSchema).optional(),
    attachments: z.array(attachmentSchema).max(MAX_ATTACHMENTS).optional(),
    edit: editSchema.optional(),
    after: z.string().min(1).max(512).optional(),
    measures: z
      .array(z.string().regex(objectId, 'must be a measure id').transform((id) => new Types.ObjectId(id)))
      .min(1)
      .max(MAX_MEASURES)
      .optional(),
    held: z.object({ reason: z.enum(HOLD_REASONS), until: z.date().optional() }).optional(),
  })
  .superRefine((input, ctx) => {
    const buttons = (input.choices?.length ?? 0) + (input.links?.length ?? 0);
    if (buttons > MAX_BUTTONS) {
      ctx.addIssue({ code: 'custom', path: ['choices'], message: `at most ${MAX_BUTTONS} buttons with the links, got ${buttons}` });
    }
    if (input.after === input.key) ctx.addIssue({ code: 'custom', path: ['after'], message: 'a delivery cannot wait for itself' });
    const edit = input.edit;
    if (!edit) return;
    if (input.attachments?.length) {
      ctx.addIssue({ code: 'custom', path: ['attachments'], message: 'an edit replaces text and buttons; it cannot carry files' });
    }
    if ('deliveryKey' in edit && edit.deliveryKey === input.key) {
      ctx.addIssue({ code: 'custom', path: ['edit', 'deliveryKey'], message: 'a delivery cannot edit itself' });
    }
    // The worker paces sends per address; an edit elsewhere would dodge that chat's pace.
    if ('ref' in edit && edit.ref.address !== input.address) {
      ctx.addIssue({ code: 'custom', path: ['edit', 'ref', 'address'], message: 'must be the address of the delivery' });
    }
  });

export type DeliveryInput = z.input<typeof deliveryInputSchema>;
export type ValidDeliveryInput = z.output<typeof deliveryInputSchema>;

export class OutboxInputError extends Error {
  readonly code = 'OUTBOX_INPUT_INVALID';
  constructor(readonly problems: string[]) {
    super(`Deliveries not recorded, the input is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OutboxInputError';
  }
}

/** Every input checked; throws {@link OutboxInputError} listing the first 20 problems if any is bad. */
export function validateDeliveryInputs(inputs: DeliveryInput[]): ValidDeliveryInput[] {
  const problems: string[] = [];
  const valid = inputs.map((input, index) => {
    const parsed = deliveryInputSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`inputs[${index}].${issue.path.join('.') || '(input)'}: ${issue.message}`);
    }
    return parsed.data;
  });
  if (problems.length > 0) throw new OutboxInputError(problems.slice(0, 20));
  return valid as ValidDeliveryInput[];
}
