import type { Channel } from '../../models/index.js';
import { asSendError } from './channel.js';
import { replyKey } from '../delivery-keys.js';
import type { OutboundMessage } from '../outbound-message.js';
import type { Reply } from './message.js';

/**
 * A direct answer the platform will not take now (rate limited for longer than a person can be
 * kept waiting, or the network failed) is not dropped: the replies from the one that failed on
 * go to the outbox, in order, at the top priority, under keys of the inbound event. The event was
 * already handled (and its effects stored), so only the telling is left to do, once. Each waits
 * for the one before it (`after`), since the outbox sends each as a job of its own.
 */
export function handOffReplies(args: { eventKey: string; channel: Channel; address: string; contactId?: string; replies: Reply[]; from: number }): OutboundMessage[] {
  return args.replies.slice(args.from).map((reply, i) => ({
    key: replyKey({ eventKey: args.eventKey, index: args.from + i }),
    ...(i > 0 ? { after: replyKey({ eventKey: args.eventKey, index: args.from + i - 1 }) } : {}),
    purpose: 'reply',
    priority: 'reply',
    ...(args.contactId ? { contact: args.contactId } : {}),
    channel: args.channel,
    address: args.address,
    text: reply.text,
    choices: reply.choices,
    ...(reply.links?.length ? { links: reply.links } : {}),
    ...(reply.attachments?.length ? { attachments: reply.attachments } : {}),
    ...(reply.edit ? { edit: reply.edit } : {}),
  }));
}

/**
 * Whether a reply that failed so is worth handing over: a rate limit or an outage (5xx, the network)
 * will pass, and the outbox waits and retries; a refused message (400) or a person we cannot reach
 * (blocked, gone) would fail the same way later. The senders' own classification decides.
 */
export function worthHandingOff(error: unknown): boolean {
  const { kind } = asSendError(error);
  return kind === 'rate_limited' || kind === 'transient';
}
