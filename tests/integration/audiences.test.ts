import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import mongoose, { type Types } from 'mongoose';
import { ChannelIdentityModel, CommitmentModel, ContactModel, MeasureModel, PlanModel } from '../../src/models/index.js';
import { audienceMembers, COORDINATORS, resolveAudience, type Audience } from '../../src/domain/audiences.js';
import { useTestDatabase } from '../support/mongo.js';

useTestDatabase();

const ids: Record<string, Types.ObjectId> = {};

/**
 * Plan 5 has commitments 1 (measures 1.1, 1.2) and 2 (2.1); plan 6 has its own commitment 1 (6/1.1).
 * Anna: VK coordinator, lv, Telegram and Slack. Juris: VARAM contact person, en, London, owns 1.1
 * and 2.1, Telegram. Ilze: VARAM contact person, owns 1.2, her only identity is blocked. Pēteris:
 * FM, owns plan 6's 1.1, Telegram. Old: a VARAM coordinator who left (inactive contact, identity
 * still active).
 */
beforeAll(async () => {
  const p5 = await PlanModel.create({ key: 'nap-5', number: 5, title: { lv: '5. plāns' }, startYear: 2022, endYear: 2025 });
  const p6 = await PlanModel.create({ key: 'nap-6', number: 6, title: { lv: '6. plāns' }, startYear: 2026, endYear: 2029 });
  ids.p5 = p5._id;
  const measure = async (plan: typeof p5, number: number, code: string, order: number) => {
    const c = (await CommitmentModel.findOne({ plan: plan._id, number })) ?? (await CommitmentModel.create({ plan: plan._id, number, title: { lv: `Apņemšanās ${number}` } }));
    return MeasureModel.create({ plan: plan._id, commitment: c._id, commitmentNumber: number, code, order, title: { lv: `Pasākums ${code}` } });
  };
  ids.m11 = (await measure(p5, 1, '1.1', 1))._id;
  ids.m12 = (await measure(p5, 1, '1.2', 2))._id;
  ids.m21 = (await measure(p5, 2, '2.1', 3))._id;
  ids.q11 = (await measure(p6, 1, '1.1', 1))._id;

  const contact = async (key: string, fields: Record<string, unknown>) => {
    ids[key] = (await ContactModel.create({ name: key, email: `${key}@example.lv`, ...fields }))._id;
  };
  await contact('anna', { institution: 'VK', roles: ['coordinator'], language: 'lv' });
  await contact('juris', { institution: 'VARAM', roles: ['contact_person'], language: 'en', timeZone: 'Europe/London', measures: [ids.m11, ids.m21] });
  await contact('ilze', { institution: 'VARAM', roles: ['contact_person'], measures: [ids.m12] });
  await contact('peteris', { institution: 'FM', roles: ['contact_person'], measures: [ids.q11] });
  await contact('old', { institution: 'VARAM', roles: ['coordinator'], active: false });
  await ChannelIdentityModel.create([
    { contact: ids.anna, channel: 'telegram', externalId: 'a', address: 'tg-anna' },
    { contact: ids.anna, channel: 'slack', externalId: 'UA', address: 'D-anna' },
    { contact: ids.juris, channel: 'telegram', externalId: 'j', address: 'tg-juris' },
    { contact: ids.ilze, channel: 'slack', externalId: 'UI', address: 'D-ilze', active: false, inactiveReason: 'blocked' },
    { contact: ids.peteris, channel: 'telegram', externalId: 'p', address: 'tg-peteris' },
    { contact: ids.old, channel: 'telegram', externalId: 'o', address: 'tg-old' },
  ]);
});

afterEach(() => {
  mongoose.set('debug', false);
});

const names = async (audience: Audience) => (await audienceMembers(audience)).map((m) => m.contactId).map((id) => Object.keys(ids).find((k) => String(ids[k]) === id));
const addresses = async (audience: Audience) => (await resolveAudience(audience)).map((r) => r.address).sort();

describe('audiences', () => {
  it('resolve coordinators to every active chat identity, with language and zone', async () => {
    expect(await resolveAudience(COORDINATORS)).toEqual([
      { contactId: String(ids.anna), language: 'lv', timeZone: 'Europe/Riga', channel: 'slack', address: 'D-anna' },
      { contactId: String(ids.anna), language: 'lv', timeZone: 'Europe/Riga', channel: 'telegram', address: 'tg-anna' },
    ]);
  });

  it('resolve institutions, measures, commitments and named people', async () => {
    expect(await names({ institutions: ['VARAM'] })).toEqual(['ilze', 'juris']);
    expect(await addresses({ institutions: ['VARAM'] })).toEqual(['tg-juris']);
    expect(await names({ measures: [ids.m11!, ids.m12!] })).toEqual(['ilze', 'juris']);
    expect(await names({ measures: [String(ids.m21)] })).toEqual(['juris']);
    // Commitment 1 of plan 5, not plan 6's commitment of the same number.
    expect(await names({ commitments: { plan: ids.p5!, numbers: [1] } })).toEqual(['ilze', 'juris']);
    expect(await names({ commitments: { plan: String(ids.p5), numbers: [2] } })).toEqual(['juris']);
    expect(await names({ contacts: [ids.anna!, String(ids.old), 'not-an-id'] })).toEqual(['anna']);
    expect(await resolveAudience({ measures: [ids.m11!] })).toEqual([
      { contactId: String(ids.juris), language: 'en', timeZone: 'Europe/London', channel: 'telegram', address: 'tg-juris' },
    ]);
  });

  it('narrow with every list given, and leave out those who left', async () => {
    expect(await names({ roles: ['contact_person'], institutions: ['VARAM'] })).toEqual(['ilze', 'juris']);
    expect(await names({ roles: ['contact_person'], institutions: ['VARAM'], commitments: { plan: ids.p5!, numbers: [2] } })).toEqual(['juris']);
    expect(await names({ roles: ['coordinator'], institutions: ['VARAM'] })).toEqual([]);
    expect(await names({})).toEqual(['anna', 'ilze', 'juris', 'peteris']);
  });

  it('give the members their measures and identities, none for someone not linked', async () => {
    const [ilze, juris] = await audienceMembers({ institutions: ['VARAM'] });
    expect(ilze).toMatchObject({ name: 'ilze', institution: 'VARAM', measureIds: [String(ids.m12)], identities: [] });
    expect(juris).toMatchObject({ measureIds: [String(ids.m11), String(ids.m21)], identities: [{ channel: 'telegram', address: 'tg-juris' }] });
  });

  it('match nobody for an empty list, without asking the database', async () => {
    const queries: string[] = [];
    mongoose.set('debug', (collection: string) => void queries.push(collection));
    for (const audience of [{ measures: [] }, { roles: [] }, { contacts: [] }, { institutions: [] }, { commitments: { plan: ids.p5!, numbers: [] } }] as Audience[]) {
      expect(await resolveAudience(audience)).toEqual([]);
    }
    expect(queries).toEqual([]);
  });

  it('read each collection once, however many people are in', async () => {
    const many = await ContactModel.insertMany(
      Array.from({ length: 120 }, (_, i) => ({ name: `Person ${i}`, email: `p${i}@example.lv`, institution: 'VARAM', measures: [ids.m12] })),
    );
    await ChannelIdentityModel.insertMany(many.map((c, i) => ({ contact: c._id, channel: 'telegram', externalId: `many-${i}`, address: `tg-${i}` })));
    const queries: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => void queries.push(`${collection}.${method}`));
    const recipients = await resolveAudience({ commitments: { plan: ids.p5!, numbers: [1] } });
    mongoose.set('debug', false);
    expect(recipients).toHaveLength(121);
    expect(queries.sort()).toEqual(['channelidentities.find', 'contacts.find', 'measures.find']);
    await ContactModel.deleteMany({ _id: { $in: many.map((c) => c._id) } });
  });
});
