import type { Types } from 'mongoose';
import {
  AuditEntryModel,
  ChannelIdentityModel,
  ContactModel,
  ConversationStateModel,
  DeliveryModel,
  InvitationModel,
  ReminderStateModel,
  RsvpModel,
} from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { resolveAudience, COORDINATORS } from '../audiences.js';
import { forgottenNoticeKey } from '../delivery-keys.js';
import type { OutboundMessage } from '../outbound-message.js';

/**
 * /forget: a person's chats and personal data go; what their institution reported stays (the
 * council's record), its author now an anonymous contact. The coordinators are told so that the
 * measures find a new contact person. Persisted before the person is told it is done.
 */
export async function forgetPerson(contactId: Types.ObjectId, now: Date, produce: (messages: OutboundMessage[]) => Promise<unknown>): Promise<boolean> {
  const contact = await ContactModel.findById(contactId, { name: 1, institution: 1, measures: 1 }).lean();
  if (!contact) return false;
  const id = String(contactId);
  await Promise.all([
    ChannelIdentityModel.deleteMany({ contact: contactId }),
    InvitationModel.deleteMany({ contact: contactId }),
    RsvpModel.deleteMany({ contact: contactId }),
    ReminderStateModel.deleteMany({ contact: contactId }),
    ConversationStateModel.deleteMany({ contact: contactId }),
    DeliveryModel.updateMany({ contact: contactId, state: 'pending' }, { $set: { state: 'cancelled', lastError: { code: 'forgotten', message: 'the person asked to be forgotten', at: now } } }),
  ]);
  // The contact stays as an anonymous author of the institution's reports; the address is unique, so it becomes an invalid one of its own.
  await ContactModel.updateOne(
    { _id: contactId },
    { $set: { name: '—', email: `forgotten-${id}@invalid`, active: false, measures: [], roles: [] }, $unset: { preferences: 1 } },
  );
  await AuditEntryModel.create({ at: now, actor: id, action: 'contact.forget', subject: `contact:${id}`, details: { institution: contact.institution ?? null, measures: contact.measures.length } });
  const coordinators = await resolveAudience(COORDINATORS);
  await produce(
    coordinators
      .filter((c) => c.contactId !== id)
      .map((c) => ({
        key: forgottenNoticeKey({ contactId: id, coordinatorId: c.contactId, channel: c.channel }),
        purpose: 'contact.forgotten',
        priority: 'notice' as const,
        contact: c.contactId,
        channel: c.channel,
        address: c.address,
        text: t(c.language, 'privacy.forgotten_notice', { name: contact.name, institution: contact.institution ?? '—', measures: contact.measures.length }),
        choices: [],
      })),
  );
  return true;
}
