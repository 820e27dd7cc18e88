import { fanOutBroadcast, type BroadcastJobs } from '../../src/domain/broadcasts/broadcasts.js';
import { broadcastPrefix, keyPrefixPattern } from '../../src/domain/delivery-keys.js';
import type { OutboundMessage } from '../../src/domain/outbound-message.js';
import type { BroadcastQueue } from '../../src/jobs/broadcast-queue.js';
import { BroadcastModel, ChannelIdentityModel, ContactModel, DeliveryModel, type ContactRole, type IdentityChannel, type Language } from '../../src/models/index.js';

/**
 * What the broadcast end-to-end tests (tests/e2e/broadcast-*.test.ts) share: people with chats
 * on one or both platforms (or none), a kicker that produces every broadcast more than once, and
 * reads of a broadcast's deliveries. Each test file seeds its own people into its own database.
 */

export interface Person {
  name: string;
  email: string;
  roles: ContactRole[];
  language: Language;
  timeZone?: string;
  institution?: string;
  /** Where the person is linked: the platform's user id and the chat messages go to. */
  chats?: Partial<Record<IdentityChannel, { externalId: string; address: string }>>;
  prefer?: IdentityChannel;
  muteBroadcasts?: boolean;
}

/** Contacts with their linked chats, as invitations and e-mail linking leave them; returns ids by e-mail. */
export async function seedPeople(people: Person[]): Promise<Record<string, string>> {
  const contacts = await ContactModel.insertMany(
    people.map((p) => ({
      name: p.name,
      email: p.email,
      roles: p.roles,
      language: p.language,
      timeZone: p.timeZone ?? 'Europe/Riga',
      institution: p.institution ?? 'VK',
      ...(p.prefer || p.muteBroadcasts ? { preferences: { ...(p.prefer ? { channel: p.prefer } : {}), ...(p.muteBroadcasts ? { muteBroadcasts: true } : {}) } } : {}),
    })),
  );
  const identities = people.flatMap((p, i) =>
    Object.entries(p.chats ?? {}).map(([channel, chat]) => ({ contact: contacts[i]!._id, channel, externalId: chat.externalId, address: chat.address })),
  );
  if (identities.length > 0) await ChannelIdentityModel.insertMany(identities);
  return Object.fromEntries(contacts.map((c) => [c.email, String(c._id)]));
}

/**
 * The queue as the bots get it, except that every confirm asks for the broadcast three more
 * times: the same kick again (still one job while it exists), a kick at another instant (a second
 * fan-out job, which the other worker may run at the same moment), and the fan-out run right
 * here, outside the queue: three fan-outs in all. Each person must still get one copy.
 */
export function kickingThrice(queue: BroadcastQueue, produce: (messages: OutboundMessage[]) => Promise<unknown>): BroadcastJobs {
  return {
    async kick(id, at) {
      await queue.kick(id, at);
      await queue.kick(id, at);
      await queue.kick(id, new Date(at.getTime() + 1));
      await fanOutBroadcast(id, new Date(), produce);
    },
    retryFailed: (id, retry) => queue.retryFailed(id, retry),
  };
}

export async function broadcastDeliveries(id: string) {
  return DeliveryModel.find({ key: { $regex: keyPrefixPattern(broadcastPrefix(id)) } }).lean();
}

/** A broadcast's deliveries by state: `{ sent: 4, skipped: 1 }`. */
export async function deliveryStates(id: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const d of await broadcastDeliveries(id)) counts[d.state] = (counts[d.state] ?? 0) + 1;
  return counts;
}

/** The newest broadcast (the one the test just composed). */
export async function lastBroadcastId(): Promise<string> {
  const b = await BroadcastModel.findOne({}, { _id: 1 }).sort({ _id: -1 }).orFail().lean();
  return String(b._id);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops the workers and empties and closes the queues of a broadcast test file (in that order). */
export async function closeBroadcastQueues(rig: {
  broadcastWorkers: { close(): Promise<void> }[];
  outboxWorkers?: { close(): Promise<void> };
  queue?: BroadcastQueue;
  outbox?: { queues: Record<string, { obliterate(options: { force: boolean }): Promise<void> }>; close(): Promise<void> };
}): Promise<void> {
  await Promise.all(rig.broadcastWorkers.map((w) => w.close()));
  await rig.outboxWorkers?.close();
  await rig.queue?.queue.obliterate({ force: true });
  await Promise.all(Object.values(rig.outbox?.queues ?? {}).map((q) => q.obliterate({ force: true })));
  await rig.queue?.close();
  await rig.outbox?.close();
}
