import type { Channel } from '../../models/index.js';

/** One message for the outbox, in the shape `produceDeliveries` takes. */
export interface OutboundMessage {
  key: string;
  purpose: string;
  contact?: string;
  channel: Channel;
  address: string;
  text: string;
  choices?: { id: string; label: string }[];
}

/** "Anna Ozola (VK), Juris Kalns (VARAM)". */
export function ownersText(owners: { name: string; institution?: string | null }[]): string {
  return owners.map((o) => (o.institution ? `${o.name} (${o.institution})` : o.name)).join(', ');
}

/** The same key twice in one batch (two owners, one coordinator notice) is one message. */
export function uniqueByKey(messages: OutboundMessage[]): OutboundMessage[] {
  return [...new Map(messages.map((m) => [m.key, m])).values()];
}
