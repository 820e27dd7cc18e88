import { describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { useTestDatabase } from '../support/mongo.js';
import {
  ChannelIdentityModel,
  ContactModel,
  DeliveryModel,
  MeasureModel,
  PlanModel,
  CommitmentModel,
  StatusReportModel,
} from '../../src/models/index.js';

useTestDatabase();

const duplicateKey = { code: 11000 };

async function plan(key: string) {
  return PlanModel.create({ key, number: 5, title: { lv: 'Plāns', en: 'Plan' }, startYear: 2022, endYear: 2025 });
}

describe('model indexes', () => {
  it('refuses a second measure with the same code in one plan, allows it in another', async () => {
    const p5 = await plan('lv-nap-5');
    const p6 = await plan('lv-nap-6');
    const c5 = await CommitmentModel.create({ plan: p5._id, number: 1, title: { lv: 'A' } });
    const c6 = await CommitmentModel.create({ plan: p6._id, number: 1, title: { lv: 'A' } });
    const measure = (planId: Types.ObjectId, commitment: Types.ObjectId) => ({
      plan: planId,
      commitment,
      commitmentNumber: 1,
      code: '1.1',
      order: 1001,
      title: { lv: 'Pasākums' },
    });
    await MeasureModel.create(measure(p5._id, c5._id));
    await expect(MeasureModel.create(measure(p5._id, c5._id))).rejects.toMatchObject(duplicateKey);
    await expect(MeasureModel.create(measure(p6._id, c6._id))).resolves.toBeTruthy();
    expect(await MeasureModel.countDocuments({ code: '1.1' })).toBe(2);
  });

  it('refuses a second delivery under the same key', async () => {
    const delivery = { key: 'test:1', purpose: 'test', channel: 'console', address: 'x', text: 'Sveiki' };
    await DeliveryModel.create(delivery);
    await expect(DeliveryModel.create(delivery)).rejects.toMatchObject(duplicateKey);
    expect(await DeliveryModel.countDocuments({ key: 'test:1' })).toBe(1);
  });

  it('gives one chat identity to one contact only, and one identity per channel to a contact', async () => {
    const anna = await ContactModel.create({ name: 'Anna', email: 'anna@example.lv' });
    const juris = await ContactModel.create({ name: 'Juris', email: 'juris@example.lv' });
    await ChannelIdentityModel.create({ contact: anna._id, channel: 'telegram', externalId: '42', address: '42' });
    await expect(
      ChannelIdentityModel.create({ contact: juris._id, channel: 'telegram', externalId: '42', address: '42' }),
    ).rejects.toMatchObject(duplicateKey);
    await expect(
      ChannelIdentityModel.create({ contact: anna._id, channel: 'telegram', externalId: '43', address: '43' }),
    ).rejects.toMatchObject(duplicateKey);
    // The same number on another platform is another identity.
    await expect(
      ChannelIdentityModel.create({ contact: juris._id, channel: 'slack', externalId: '42', address: 'D42' }),
    ).resolves.toBeTruthy();
  });

  it('treats e-mail addresses case-insensitively for uniqueness', async () => {
    await ContactModel.create({ name: 'Ilze', email: 'Ilze@Example.lv' });
    await expect(ContactModel.create({ name: 'Ilze B', email: 'ilze@example.lv' })).rejects.toMatchObject(duplicateKey);
  });

  it('keeps one status report per measure and round', async () => {
    const round = new Types.ObjectId();
    const measure = new Types.ObjectId();
    const author = new Types.ObjectId();
    await StatusReportModel.create({ round, measure, status: 'in_progress', note: 'a', author });
    await expect(
      StatusReportModel.create({ round, measure, status: 'completed', note: 'b', author }),
    ).rejects.toMatchObject(duplicateKey);
  });
});
