import { Types } from 'mongoose';
import { ChannelIdentityModel, ContactModel, MeasureModel, type Channel, type ContactRole, type Language } from '../models/index.js';
import { preferencesOf, preferredIdentities, type Preferences } from './preferences/preferences.js';

/**
 * Who a message is for, resolved to where each person can be reached. Reminders (the owners of a
 * measure), coordinator notices (everyone with the coordinator role), and next meetings and
 * broadcasts (roles, institutions, commitments, named invitees) all ask here, so "who is in" is
 * decided once: active contacts only, active chat identities only.
 *
 * Each list that is given narrows the audience: a person must match at least one entry of every
 * given list ("contact persons of VARAM" = roles and institutions). A list left out does not
 * narrow; an empty list matches nobody, so an empty selection (no open measures) never turns into
 * "everybody". Stored audiences (models/audience.ts) write "everybody" as empty lists, so
 * whoever turns one into an Audience must leave the empty lists out.
 *
 * One query per collection, whatever the size: measures (only for commitments), contacts, chat
 * identities. A broadcast to every contact is three reads, not one per person.
 */

type Id = string | Types.ObjectId;

export interface Audience {
  roles?: readonly ContactRole[];
  /** Institution codes, as on the contact (VK, VARAM, …). */
  institutions?: readonly string[];
  /** The owners of any measure of these commitments of one plan. */
  commitments?: { plan: Id; numbers: readonly number[] };
  /** The owners of these measures. */
  measures?: readonly Id[];
  /** Named people (contact ids): meeting invitees, a broadcast's extra recipients. */
  contacts?: readonly Id[];
}

/** Everyone who is told about overdue measures and "not my measure" answers. */
export const COORDINATORS: Audience = { roles: ['coordinator'] };

export interface AudienceMember {
  contactId: string;
  name: string;
  institution: string;
  roles: ContactRole[];
  language: Language;
  timeZone: string;
  /** Every measure the person answers for, in any plan. */
  measureIds: string[];
  /**
   * Where to reach them: their preferred chat when they chose one and are linked there, else every
   * active chat identity; empty for someone who has not linked a chat yet.
   */
  identities: { channel: Channel; address: string }[];
  preferences: Preferences;
}

/** One chat identity of one person: what a producer needs to write a delivery. */
export interface Recipient {
  contactId: string;
  language: Language;
  timeZone: string;
  channel: Channel;
  address: string;
}

/** Above this many people the chats are read whole rather than by contact id (see audienceMembers). */
const LARGE_AUDIENCE = 1_000;

const objectIds = (ids: readonly Id[]) =>
  ids.filter((id) => Types.ObjectId.isValid(String(id))).map((id) => new Types.ObjectId(String(id)));

/** The contacts filter, or null when some given list cannot match anybody. */
async function contactFilter(audience: Audience): Promise<Record<string, unknown>[] | null> {
  const lists = [audience.roles, audience.institutions, audience.measures, audience.contacts, audience.commitments?.numbers];
  if (lists.some((list) => list?.length === 0)) return null;
  const and: Record<string, unknown>[] = [{ active: true }];
  if (audience.roles) and.push({ roles: { $in: [...audience.roles] } });
  if (audience.institutions) and.push({ institution: { $in: [...audience.institutions] } });
  if (audience.measures) and.push({ measures: { $in: objectIds(audience.measures) } });
  if (audience.contacts) and.push({ _id: { $in: objectIds(audience.contacts) } });
  if (audience.commitments) {
    const { plan, numbers } = audience.commitments;
    if (!Types.ObjectId.isValid(String(plan))) return null;
    const measures = await MeasureModel.find({ plan: new Types.ObjectId(String(plan)), commitmentNumber: { $in: [...numbers] } }, { _id: 1 }).lean();
    and.push({ measures: { $in: measures.map((m) => m._id) } });
  }
  return and;
}

/** The people in the audience with their chat identities, by name. */
export async function audienceMembers(audience: Audience): Promise<AudienceMember[]> {
  const and = await contactFilter(audience);
  if (!and) return [];
  const contacts = await ContactModel.find(
    { $and: and },
    { name: 1, institution: 1, roles: 1, language: 1, timeZone: 1, measures: 1, preferences: 1 },
  )
    .sort({ name: 1, _id: 1 })
    .lean();
  if (contacts.length === 0) return [];
  const wanted = new Set(contacts.map((c) => String(c._id)));
  // A large audience reads every active chat and keeps its own: FerretDB answers an `$in` of
  // thousands of ids by testing each document against the whole list (3.4 s against 0.9 s for
  // 10,000), and MongoDB reads most of the collection either way.
  const filter = contacts.length > LARGE_AUDIENCE ? { active: true } : { contact: { $in: contacts.map((c) => c._id) }, active: true };
  const identities = await ChannelIdentityModel.find(filter, { contact: 1, channel: 1, address: 1 }).sort({ channel: 1 }).lean();
  const byContact = new Map<string, AudienceMember['identities']>();
  for (const identity of identities) {
    const id = String(identity.contact);
    if (!wanted.has(id)) continue;
    byContact.set(id, [...(byContact.get(id) ?? []), { channel: identity.channel, address: identity.address }]);
  }
  return contacts.map((c) => {
    const preferences = preferencesOf(c);
    return {
      contactId: String(c._id),
      name: c.name,
      institution: c.institution ?? '',
      roles: c.roles,
      language: c.language,
      timeZone: c.timeZone,
      measureIds: c.measures.map(String),
      identities: preferredIdentities(byContact.get(String(c._id)) ?? [], preferences),
      preferences,
    };
  });
}

/** Every active chat identity of every person in the audience: one recipient per identity. */
export async function resolveAudience(audience: Audience): Promise<Recipient[]> {
  const members = await audienceMembers(audience);
  return members.flatMap((m) =>
    m.identities.map((i) => ({ contactId: m.contactId, language: m.language, timeZone: m.timeZone, channel: i.channel, address: i.address })),
  );
}
