import type { Channel, DeliveryPriority, HoldReason } from '../models/index.js';
import type { Attachment, EditTarget, LinkButton } from './chat/message.js';

/**
 * One message for the outbox, in the shape `produceDeliveries` takes, whoever produces it
 * (reminders, coordinator notices, and next broadcasts and digests): the recipient and the
 * message contract's fields side by side, under a key from delivery-keys.ts. `priority` says who
 * waits for whom on the channel's queue (models/delivery.ts); without it the outbox derives one
 * from `purpose`.
 */
export interface OutboundMessage {
  key: string;
  purpose: string;
  priority?: DeliveryPriority;
  contact?: string;
  channel: Channel;
  address: string;
  text: string;
  choices?: { id: string; label: string }[];
  links?: LinkButton[];
  attachments?: Attachment[];
  edit?: EditTarget;
  /**
   * Sent only once the delivery under this key has left `pending`: the second of two replies
   * handed to the outbox together must not overtake the first.
   */
  after?: string;
  /** Reminders and overdue notices: the measures listed (ids), kept on the Delivery. */
  measures?: string[];
  /**
   * A preference held it back (domain/preferences/preference-gate.ts): with `until` it waits until
   * then; without, it is recorded as skipped and never sent. Either way the record says why.
   */
  held?: { reason: HoldReason; until?: Date };
}

/** The same key twice in one batch (two owners, one coordinator notice) is one message. */
export function uniqueByKey(messages: OutboundMessage[]): OutboundMessage[] {
  return [...new Map(messages.map((m) => [m.key, m])).values()];
}
