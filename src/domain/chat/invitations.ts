import { createHash, randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import {
  AuditEntryModel,
  ChannelIdentityModel,
  ContactModel,
  InvitationClaimModel,
  InvitationModel,
  MeasureModel,
  PlanModel,
  type ContactDoc,
  type IdentityChannel,
  type Language,
} from '../../models/index.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';
import { findActiveIdentity, findIdentity, linkIdentity } from './identities.js';

/**
 * One-time links that tie a chat account to a contact. A token is 24 random bytes in base64url
 * (32 characters of A–Z a–z 0–9 _ -, which is what Telegram allows in a `start` parameter);
 * only its SHA-256 is stored. Redeeming inserts a claim under the invitation's id, so of two taps
 * on the same link at most one links.
 */

export const DEFAULT_INVITATION_DAYS = 14;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,64}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function telegramInviteLink(botUsername: string, token: string): string {
  return `https://t.me/${botUsername.replace(/^@/, '')}?start=${token}`;
}

export interface CreatedInvitation {
  contactId: string;
  token: string;
  expiresAt: Date;
}

/**
 * A new invitation for one contact. Older unused ones of that contact stop working (they are
 * marked expired), so only the newest link handed out is good.
 */
export async function createInvitation(input: {
  contactId: Types.ObjectId | string;
  actor: string;
  now?: Date;
  ttlDays?: number;
}): Promise<CreatedInvitation> {
  const now = input.now ?? new Date();
  const contact = new Types.ObjectId(String(input.contactId));
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + (input.ttlDays ?? DEFAULT_INVITATION_DAYS) * DAY_MS);
  await InvitationModel.updateMany({ contact, usedAt: null, expiresAt: { $gt: now } }, { $set: { expiresAt: now } });
  await InvitationModel.create({ contact, hash: hashInvitationToken(token), expiresAt, createdBy: input.actor });
  await AuditEntryModel.create({
    at: now,
    actor: input.actor,
    action: 'invitation.create',
    subject: `contact:${String(contact)}`,
    details: { expiresAt },
  });
  return { contactId: String(contact), token, expiresAt };
}

export type RedeemFailure = 'unknown' | 'expired' | 'used' | 'identity_taken';
export type RedeemResult = { ok: true; contact: ContactDoc } | { ok: false; reason: RedeemFailure };

export interface RedeemInput {
  token: string;
  channel: IdentityChannel;
  /** Telegram user id / Slack user id. */
  externalId: string;
  /** Where messages go: Telegram private chat id / Slack DM channel or user id. */
  address: string;
  now?: Date;
}

/** Another contact already has this chat account? Then the link must not move it silently. */
async function takenByOther(channel: IdentityChannel, externalId: string, contact: Types.ObjectId): Promise<boolean> {
  const existing = await findIdentity(channel, externalId);
  return existing !== null && !existing.contact.equals(contact);
}

/**
 * Links the chat account to the invitation's contact and consumes the invitation. A contact who
 * links a new account on the same platform replaces the old one (one identity per platform).
 */
export async function redeemInvitation(input: RedeemInput): Promise<RedeemResult> {
  const now = input.now ?? new Date();
  if (!TOKEN_SHAPE.test(input.token)) return { ok: false, reason: 'unknown' };

  const invitation = await InvitationModel.findOne({ hash: hashInvitationToken(input.token) }).lean();
  if (!invitation) return { ok: false, reason: 'unknown' };
  if (await InvitationClaimModel.exists({ _id: invitation._id })) return { ok: false, reason: 'used' };
  if (invitation.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  // Refuse before claiming, so a person who tapped with the wrong account does not burn the link.
  if (await takenByOther(input.channel, input.externalId, invitation.contact)) return { ok: false, reason: 'identity_taken' };

  try {
    await InvitationClaimModel.create({ _id: invitation._id, channel: input.channel, externalId: input.externalId, at: now });
  } catch (error) {
    if (isDuplicateKey(error)) return { ok: false, reason: 'used' };
    throw error;
  }
  const release = () => InvitationClaimModel.deleteOne({ _id: invitation._id, externalId: input.externalId });

  const contact = await ContactModel.findById(invitation.contact);
  if (!contact || !contact.active) {
    await release();
    return { ok: false, reason: 'unknown' };
  }
  try {
    await linkIdentity({ contact: contact._id, channel: input.channel, externalId: input.externalId, address: input.address, now });
  } catch (error) {
    // Somebody else linked this account in the meantime (its keyed _id, or an older identity's unique {channel, externalId}).
    if (isDuplicateKey(error)) {
      await release();
      return { ok: false, reason: 'identity_taken' };
    }
    throw error;
  }
  await InvitationModel.updateOne({ _id: invitation._id }, { $set: { usedAt: now } });
  await AuditEntryModel.create({
    at: now,
    actor: String(contact._id),
    action: 'identity.link',
    subject: `contact:${String(contact._id)}`,
    details: { channel: input.channel, via: 'invitation' },
  });
  return { ok: true, contact };
}


/** Active contacts who own a measure of the plan, and the coordinators; null if no such plan. */
export async function planContacts(planKey: string): Promise<ContactDoc[] | null> {
  const plan = await PlanModel.findOne({ key: planKey }, { _id: 1 }).lean();
  if (!plan) return null;
  const measures = await MeasureModel.find({ plan: plan._id }, { _id: 1 }).lean();
  return ContactModel.find({
    active: true,
    $or: [{ measures: { $in: measures.map((m) => m._id) } }, { roles: 'coordinator' }],
  }).sort({ name: 1 });
}

/** What the Slack adapter passes: `users.lookupByEmail`, with "not found" turned into null. */
export type SlackEmailLookup = (email: string) => Promise<{ userId: string; address?: string } | null>;

export interface SlackLinkOutcome {
  contactId: string;
  email: string;
  result: 'linked' | 'already_linked' | 'not_found' | 'identity_taken' | 'error';
  error?: string;
}

/**
 * Links contacts to their Slack accounts by the e-mail address the workspace knows. Slack proves
 * the address, so no token is needed; people not found can still use an invitation token with
 * the slash command (that goes through redeemInvitation).
 */
export async function linkSlackByEmail(input: {
  lookup: SlackEmailLookup;
  contacts: ContactDoc[];
  actor: string;
  now?: Date;
  /** Told of each person as soon as they are done (the CLI prints progress). */
  onOutcome?: (outcome: SlackLinkOutcome) => void;
}): Promise<SlackLinkOutcome[]> {
  const now = input.now ?? new Date();
  const outcomes: SlackLinkOutcome[] = [];
  const record = (outcome: SlackLinkOutcome) => {
    outcomes.push(outcome);
    input.onOutcome?.(outcome);
  };
  for (const contact of input.contacts) {
    const base = { contactId: String(contact._id), email: contact.email };
    let found: Awaited<ReturnType<SlackEmailLookup>>;
    try {
      found = await input.lookup(contact.email);
    } catch (error) {
      record({ ...base, result: 'error', error: (error as { code?: string }).code ?? (error as Error).message });
      continue;
    }
    if (!found) {
      record({ ...base, result: 'not_found' });
      continue;
    }
    const current = await ChannelIdentityModel.findOne({ contact: contact._id, channel: 'slack' }).lean();
    if (current?.active && current.externalId === found.userId) {
      record({ ...base, result: 'already_linked' });
      continue;
    }
    if (await takenByOther('slack', found.userId, contact._id)) {
      record({ ...base, result: 'identity_taken' });
      continue;
    }
    try {
      await linkIdentity({ contact: contact._id, channel: 'slack', externalId: found.userId, address: found.address ?? found.userId, now });
    } catch (error) {
      if (isDuplicateKey(error)) {
        record({ ...base, result: 'identity_taken' });
        continue;
      }
      throw error;
    }
    await AuditEntryModel.create({
      at: now,
      actor: input.actor,
      action: 'identity.link',
      subject: `contact:${String(contact._id)}`,
      details: { channel: 'slack', via: 'email' },
    });
    record({ ...base, result: 'linked' });
  }
  return outcomes;
}

/** The part of Slack's WebClient the lookup needs, so the domain does not import the platform. */
export interface SlackUsersApi {
  users: { lookupByEmail(args: { email: string }): Promise<{ user?: { id?: string } }> };
}

/** `users.lookupByEmail` as a SlackEmailLookup: Slack's `users_not_found` means "no such person". */
export function slackEmailLookup(client: SlackUsersApi): SlackEmailLookup {
  return async (email) => {
    try {
      const found = await client.users.lookupByEmail({ email });
      return found.user?.id ? { userId: found.user.id } : null;
    } catch (error) {
      if ((error as { data?: { error?: string } }).data?.error === 'users_not_found') return null;
      throw error;
    }
  };
}

/**
 * A Slack user who wrote to us, linked by the e-mail address Slack itself reported for them
 * (users.info): the active contact with that address gets this identity. Null when no contact has
 * it; otherwise the outcome of linkSlackByEmail.
 */
export async function linkSlackUserByVerifiedEmail(input: {
  userId: string;
  address: string;
  email: string;
  now: Date;
}): Promise<SlackLinkOutcome['result'] | null> {
  const email = input.email.trim().toLowerCase();
  const contact = await ContactModel.findOne({ email, active: true });
  if (!contact) return null;
  // Slack has just told us this user owns the address, so the lookup answers from that.
  const lookup = async (wanted: string) => (wanted === email ? { userId: input.userId, address: input.address } : null);
  const [outcome] = await linkSlackByEmail({ lookup, contacts: [contact], actor: `slack:${input.userId}`, now: input.now });
  return outcome?.result ?? null;
}

/** Where to reach a linked person on a channel, and in which language; null for strangers. */
export async function findLinkedPerson(
  channel: IdentityChannel,
  externalId: string,
): Promise<{ contactId: string; language: Language; address: string } | null> {
  const identity = await findActiveIdentity(channel, externalId);
  if (!identity) return null;
  const contact = await ContactModel.findById(identity.contact, { language: 1, active: 1 }).lean();
  return contact?.active ? { contactId: String(contact._id), language: contact.language, address: identity.address } : null;
}
