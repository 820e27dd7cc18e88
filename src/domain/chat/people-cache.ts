import type { Types } from 'mongoose';
import { cacheSlot, GenerationCache, type GenerationCacheOptions } from '../../infra/generation-cache.js';
import { ContactModel, type IdentityChannel } from '../../models/index.js';
import type { FlowContact } from './flow-runner.js';
import { findActiveIdentity } from './identities.js';

/**
 * Who is writing, held in the process: for a chat account (channel and account id), the active
 * identity it is linked through and the whole active contact behind it. Every inbound event asks;
 * read from the database that is two finds by `_id` per step (the identity, then the contact), 2 of
 * the 5 commands of a typical step (tests/integration/step-commands.test.ts).
 *
 * Correct across processes through the generation counter of infra/generation-cache.ts,
 * `<prefix>:cache:people`, which every write to contacts and chat identities moves (their schemas
 * announce the writes under the topic `people`, models/contact.ts): a language or a role changed,
 * an identity linked, deactivated by the worker (a blocked bot) or by /stop, a person forgotten,
 * a contact list imported. Those are rare beside steps, so one write dropping everybody is cheap.
 *
 * Strangers (no identity, an inactive one, an inactive contact) are not held: the map would grow
 * with every account that ever wrote, and someone who links must be known at once.
 *
 * The held contact is shared by every step of that person until the next write: read it, never
 * change it (a change goes to the database, whose write drops it).
 */

export interface KnownPerson {
  identityId: Types.ObjectId;
  /** Where the identity's messages go, as stored; the router updates it when the person writes from elsewhere. */
  address: string;
  contact: FlowContact;
}

/** The two reads by `_id`, the identity's keyed by channel and account, checked in code. */
export async function readPerson(channel: IdentityChannel, externalId: string): Promise<KnownPerson | null> {
  const identity = await findActiveIdentity(channel, externalId);
  if (!identity) return null;
  // The whole contact: a conversation step needs it too, and gets it from here rather than reading it again.
  const contact = await ContactModel.findById(identity.contact).lean<FlowContact>();
  if (!contact?.active) return null;
  return { identityId: identity._id, address: identity.address, contact };
}

export class PeopleCache {
  private readonly cache: GenerationCache<KnownPerson | null>;

  constructor(options: GenerationCacheOptions) {
    this.cache = new GenerationCache('people', options);
  }

  get key(): string {
    return this.cache.key;
  }

  get(channel: IdentityChannel, externalId: string): Promise<KnownPerson | null> {
    // Channels hold no ':', so the key is unambiguous whatever the account id holds.
    return this.cache.get(`${channel}:${externalId}`, () => readPerson(channel, externalId), (person) => person !== null);
  }

  /** After a write: forget this process's copy at once, then move the generation for the others. Never throws. */
  written(): Promise<void> {
    return this.cache.written();
  }
}

const slot = cacheSlot('people', (options) => new PeopleCache(options));

/** Turns the process's people cache on (runtime start, each CLI command), as configurePlanCache does. */
export function configurePeopleCache(options: GenerationCacheOptions): PeopleCache {
  return slot.configure(options);
}

/** Turns it off again (at close, before the Redis client goes): back to reading through. */
export function unconfigurePeopleCache(): void {
  slot.unconfigure();
}

/** The linked, active person writing from this account, or null; from the cache when one is configured. */
export function knownPerson(channel: IdentityChannel, externalId: string): Promise<KnownPerson | null> {
  return slot.current ? slot.current.get(channel, externalId) : readPerson(channel, externalId);
}
