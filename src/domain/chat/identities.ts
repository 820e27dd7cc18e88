import type { Types } from 'mongoose';
import { ChannelIdentityModel, identityId, type ChannelIdentity, type IdentityChannel } from '../../models/index.js';

/**
 * Finding and linking chat identities by their keyed `_id` (models/contact.ts identityId): the
 * lookup every inbound event makes is one read by `_id`, not a query over all identities.
 */

export type StoredIdentity = ChannelIdentity & { _id: Types.ObjectId };

/**
 * The identity of an account, active or not. One linked before ids were keyed (and a stranger,
 * who has none) is looked for by channel and account as well, which reads the collection.
 */
export async function findIdentity(channel: IdentityChannel, externalId: string): Promise<StoredIdentity | null> {
  const keyed = await ChannelIdentityModel.findById(identityId(channel, externalId)).lean<StoredIdentity>();
  return keyed ?? (await ChannelIdentityModel.findOne({ channel, externalId }).lean<StoredIdentity>());
}

/** The identity through which a linked person writes; null for strangers and unlinked accounts. */
export async function findActiveIdentity(channel: IdentityChannel, externalId: string): Promise<StoredIdentity | null> {
  const identity = await findIdentity(channel, externalId);
  return identity?.active ? identity : null;
}

/**
 * Links the account to the contact: one identity per contact and platform, so an account linked
 * before on that platform is replaced. Throws the duplicate-key error when another contact holds
 * the account (callers check that first; this catches the race). The old identity goes first,
 * since the unique {contact, channel} index would refuse the new one beside it: in that race the
 * person is left unlinked on the platform and told the account is taken.
 */
export async function linkIdentity(input: { contact: Types.ObjectId; channel: IdentityChannel; externalId: string; address: string; now: Date }): Promise<void> {
  const _id = identityId(input.channel, input.externalId);
  await ChannelIdentityModel.deleteMany({ contact: input.contact, channel: input.channel, _id: { $ne: _id } });
  await ChannelIdentityModel.updateOne(
    { _id, contact: input.contact },
    {
      $set: { channel: input.channel, externalId: input.externalId, address: input.address, active: true, linkedAt: input.now },
      $unset: { inactiveReason: 1 },
    },
    { upsert: true },
  );
}
