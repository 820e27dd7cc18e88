import type { Channel } from '../../models/index.js';
import { replyKey } from '../delivery-keys.js';
import type { OutboundMessage } from '../outbound-message.js';
import type { Reply } from './message.js';

/**
 * A direct answer the platform will not take now (rate limited for longer than a person can be
 * kept waiting, or the network failed) is not dropped: the replies from the one that failed on
 * go to the outbox, in order, at the top priority, under keys of the inbound event. The event was
 * already handled (and its effects stored), so only the telling is left to do, once.
 */
export function handOffReplies(args: { eventKey: string; channel: Channel; address: string; contactId?: string; replies: Reply[]; from: number }): OutboundMessage[] {
  return args.replies.slice(args.from).map((reply, i) => ({
    key: replyKey({ eventKey: args.eventKey, index: args.from + i }),
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
