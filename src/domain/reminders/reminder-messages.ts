import { ChannelIdentityModel, ContactModel, type Channel, type Language } from '../../models/index.js';

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

export interface CoordinatorRecipient {
  contactId: string;
  language: Language;
  channel: Channel;
  address: string;
}

/** Every active chat identity of every active coordinator: they are told on all their channels. */
export async function coordinatorRecipients(): Promise<CoordinatorRecipient[]> {
  const coordinators = await ContactModel.find({ active: true, roles: 'coordinator' }, { language: 1 }).lean();
  if (coordinators.length === 0) return [];
  const identities = await ChannelIdentityModel.find({ contact: { $in: coordinators.map((c) => c._id) }, active: true }).lean();
  return identities.map((i) => ({
    contactId: String(i.contact),
    language: (coordinators.find((c) => c._id.equals(i.contact))?.language ?? 'lv') as Language,
    channel: i.channel,
    address: i.address,
  }));
}

/** "Anna Ozola (VK), Juris Kalns (VARAM)". */
export function ownersText(owners: { name: string; institution?: string | null }[]): string {
  return owners.map((o) => (o.institution ? `${o.name} (${o.institution})` : o.name)).join(', ');
}

/** The same key twice in one batch (two owners, one coordinator notice) is one message. */
export function uniqueByKey(messages: OutboundMessage[]): OutboundMessage[] {
  return [...new Map(messages.map((m) => [m.key, m])).values()];
}
