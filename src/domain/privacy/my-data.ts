import { Types } from 'mongoose';
import {
  ChannelIdentityModel,
  ContactModel,
  DeliveryModel,
  MeasureModel,
  RsvpModel,
  StatusReportModel,
} from '../../models/index.js';

/**
 * Everything the service stores about one person, as they may ask for it (/mydata): who they
 * are, their chats, the reports they wrote, their meeting answers, their settings, and what was
 * sent to them in the last 90 days. Built for the one person asking, never logged.
 */

const DELIVERIES_SHOWN_DAYS = 90;

export async function myData(contactId: Types.ObjectId, now: Date): Promise<Record<string, unknown> | null> {
  const contact = await ContactModel.findById(contactId, { __v: 0 }).lean();
  if (!contact) return null;
  const since = new Date(now.getTime() - DELIVERIES_SHOWN_DAYS * 86_400_000);
  const [identities, reports, rsvps, deliveries, measures] = await Promise.all([
    ChannelIdentityModel.find({ contact: contactId }, { _id: 0, channel: 1, externalId: 1, active: 1, inactiveReason: 1, linkedAt: 1 }).lean(),
    StatusReportModel.find({ author: contactId }, { _id: 0, round: 1, measure: 1, status: 1, note: 1, links: 1, createdAt: 1, updatedAt: 1 }).lean(),
    RsvpModel.find({ contact: contactId }, { _id: 0, meeting: 1, answer: 1, deputy: 1, waitlisted: 1, answeredAt: 1 }).lean(),
    DeliveryModel.find({ contact: contactId, createdAt: { $gte: since } }, { _id: 0, purpose: 1, channel: 1, state: 1, text: 1, createdAt: 1, sentAt: 1 })
      .sort({ createdAt: 1 })
      .lean(),
    MeasureModel.find({ _id: { $in: contact.measures } }, { code: 1 }).lean(),
  ]);
  return {
    generatedAt: now.toISOString(),
    contact: {
      name: contact.name,
      email: contact.email,
      institution: contact.institution ?? null,
      roles: contact.roles,
      language: contact.language,
      timeZone: contact.timeZone,
      measures: measures.map((m) => m.code),
      preferences: contact.preferences ?? {},
      createdAt: (contact as { createdAt?: Date }).createdAt ?? null,
    },
    chats: identities,
    statusReports: reports,
    meetingAnswers: rsvps,
    [`messagesLast${DELIVERIES_SHOWN_DAYS}Days`]: deliveries,
  };
}
