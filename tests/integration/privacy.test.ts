import { beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { handleInbound, type InboundContext } from '../../src/domain/chat/router.js';
import { readAttachment } from '../../src/domain/chat/files.js';
import type { OutboundMessage } from '../../src/domain/outbound-message.js';
import { t } from '../../src/i18n/index.js';
import { AuditEntryModel, ChannelIdentityModel, ContactModel, RsvpModel, StatusReportModel } from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';

useTestDatabase();

/** /mydata gives a person everything stored about them; /forget removes it, keeping the institution's reports. */

const NOW = new Date('2026-12-01T10:00:00Z');
const ids: Record<string, Types.ObjectId> = {};
const ctx = (externalId: string): InboundContext => ({ channel: 'telegram', externalId, address: externalId, commandPrefix: '/', now: NOW });

beforeAll(async () => {
  ids.marta = (await ContactModel.create({ name: 'Marta Zariņa', email: 'marta.privacy@example.lv', institution: 'VARAM', roles: ['contact_person'], preferences: { muteBroadcasts: true } }))._id;
  ids.ilze = (await ContactModel.create({ name: 'Ilze Bērziņa', email: 'ilze.privacy@example.lv', institution: 'VK', roles: ['coordinator'] }))._id;
  await ChannelIdentityModel.create([
    { contact: ids.marta, channel: 'telegram', externalId: '5001', address: '5001' },
    { contact: ids.ilze, channel: 'telegram', externalId: '5002', address: '5002' },
  ]);
  ids.report = (
    await StatusReportModel.create({ round: new Types.ObjectId(), measure: new Types.ObjectId(), status: 'in_progress', note: 'Uzsākts darbs ar grozījumiem.', author: ids.marta })
  )._id;
  await RsvpModel.create({ _id: `m1:${String(ids.marta)}`, meeting: new Types.ObjectId(), contact: ids.marta, answer: 'on_site', answeredAt: NOW });
});

describe('/mydata', () => {
  it('sends a JSON file with the contact, chats, reports, meeting answers and settings', async () => {
    const result = await handleInbound(ctx('5001'), { type: 'command', name: 'mydata', args: '' });
    expect(result.outcome).toBe('ok');
    const [file] = result.replies[0]?.attachments ?? [];
    expect([file?.name, file?.mediaType]).toEqual(['mani-dati.json', 'application/json']);
    const data = JSON.parse((await readAttachment(file!)).toString('utf8')) as {
      contact: unknown;
      chats: unknown;
      statusReports: { note: string }[];
      meetingAnswers: { answer: string }[];
    };
    expect(data.contact).toMatchObject({ name: 'Marta Zariņa', email: 'marta.privacy@example.lv', institution: 'VARAM', preferences: { muteBroadcasts: true } });
    expect(data.chats).toEqual([expect.objectContaining({ channel: 'telegram', externalId: '5001', active: true })]);
    expect(data.statusReports.map((r) => r.note)).toEqual(['Uzsākts darbs ar grozījumiem.']);
    expect(data.meetingAnswers.map((r) => r.answer)).toEqual(['on_site']);
  });
});

describe('/forget', () => {
  it('asks first; "keep" changes nothing', async () => {
    const asked = await handleInbound(ctx('5001'), { type: 'command', name: 'forget', args: '' });
    expect(asked.replies[0]?.choices.map((c) => c.id)).toEqual(['pv:forget', 'pv:keep']);
    const kept = await handleInbound(ctx('5001'), { type: 'choice', id: 'pv:keep' });
    expect(kept.replies[0]?.text).toBe(t('lv', 'privacy.kept'));
    expect(await ChannelIdentityModel.countDocuments({ contact: ids.marta })).toBe(1);
  });

  it('removes the chats and personal data, keeps the report anonymously, tells the coordinators and audits it', async () => {
    const produced: OutboundMessage[] = [];
    const result = await handleInbound(ctx('5001'), { type: 'choice', id: 'pv:forget' }, { produce: async (m) => void produced.push(...m) });
    expect(result.replies[0]?.text).toBe(t('lv', 'privacy.forgotten'));

    expect(await ChannelIdentityModel.countDocuments({ contact: ids.marta })).toBe(0);
    expect(await RsvpModel.countDocuments({ contact: ids.marta })).toBe(0);
    const contact = await ContactModel.findById(ids.marta).lean();
    expect(contact).toMatchObject({ name: '—', email: `forgotten-${String(ids.marta)}@invalid`, active: false, roles: [] });
    expect(contact?.institution).toBe('VARAM');
    expect(contact?.preferences).toBeUndefined();
    expect((await StatusReportModel.findById(ids.report).lean())?.note).toBe('Uzsākts darbs ar grozījumiem.');

    expect(produced.map((m) => [m.address, m.text])).toEqual([['5002', t('lv', 'privacy.forgotten_notice', { name: 'Marta Zariņa', institution: 'VARAM', measures: 0 })]]);
    expect(await AuditEntryModel.countDocuments({ action: 'contact.forget', subject: `contact:${String(ids.marta)}` })).toBe(1);

    // The chat is no longer linked: the person is a stranger now.
    const after = await handleInbound(ctx('5001'), { type: 'command', name: 'mydata', args: '' });
    expect(after.outcome).toBe('unknown_person');
  });
});
