import { describe, expect, it } from 'vitest';
import {
  ChannelIdentityModel,
  ContactModel,
  InvitationModel,
  AuditEntryModel,
} from '../../src/models/index.js';
import {
  createInvitation,
  hashInvitationToken,
  linkSlackByEmail,
  redeemInvitation,
  telegramInviteLink,
} from '../../src/domain/chat/invitations.js';
import { useTestDatabase } from '../support/mongo.js';

useTestDatabase();

const day = 24 * 60 * 60 * 1000;
let counter = 0;
async function contact(name = 'Anna Bērziņa') {
  counter += 1;
  return ContactModel.create({ name, email: `person${counter}@example.lv`, roles: ['contact_person'] });
}

describe('invitations', () => {
  it('stores only the hash of the token and builds a Telegram deep link', async () => {
    const anna = await contact();
    const now = new Date('2025-03-01T10:00:00Z');
    const { token, expiresAt } = await createInvitation({ contactId: anna._id, actor: 'cli', now });
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(expiresAt.getTime() - now.getTime()).toBe(14 * day);
    const stored = await InvitationModel.find({ contact: anna._id }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.hash).toBe(hashInvitationToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(telegramInviteLink('@ogp_lv_bot', token)).toBe(`https://t.me/ogp_lv_bot?start=${token}`);
  });

  it('links a Telegram account once, then refuses the same link as used', async () => {
    const anna = await contact();
    const now = new Date('2025-03-01T10:00:00Z');
    const { token } = await createInvitation({ contactId: anna._id, actor: 'cli', now });
    const first = await redeemInvitation({ token, channel: 'telegram', externalId: '1001', address: '1001', now });
    expect(first.ok && String(first.contact._id)).toBe(String(anna._id));
    const identity = await ChannelIdentityModel.findOne({ contact: anna._id, channel: 'telegram' }).lean();
    expect(identity).toMatchObject({ externalId: '1001', address: '1001', active: true });
    expect(await AuditEntryModel.countDocuments({ action: 'identity.link', subject: `contact:${String(anna._id)}` })).toBe(1);

    const again = await redeemInvitation({ token, channel: 'telegram', externalId: '1002', address: '1002', now });
    expect(again).toEqual({ ok: false, reason: 'used' });
    expect(await ChannelIdentityModel.countDocuments({ contact: anna._id })).toBe(1);
  });

  it('lets only one of two simultaneous taps link', async () => {
    const anna = await contact();
    const { token } = await createInvitation({ contactId: anna._id, actor: 'cli' });
    const results = await Promise.all(
      ['2001', '2002', '2003'].map((id) => redeemInvitation({ token, channel: 'telegram', externalId: id, address: id })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['used', 'used']);
    expect(await ChannelIdentityModel.countDocuments({ contact: anna._id })).toBe(1);
  });

  it('refuses an expired link and an unknown or malformed token', async () => {
    const anna = await contact();
    const now = new Date('2025-03-01T10:00:00Z');
    const { token } = await createInvitation({ contactId: anna._id, actor: 'cli', now, ttlDays: 2 });
    const later = new Date(now.getTime() + 2 * day + 1);
    expect(await redeemInvitation({ token, channel: 'telegram', externalId: '3001', address: '3001', now: later })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await redeemInvitation({ token: 'A'.repeat(32), channel: 'telegram', externalId: '3001', address: '3001' })).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(await redeemInvitation({ token: 'x y', channel: 'telegram', externalId: '3001', address: '3001' })).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(await ChannelIdentityModel.countDocuments({ externalId: '3001' })).toBe(0);
  });

  it('makes an older unused link stop working when a new one is made', async () => {
    const anna = await contact();
    const now = new Date('2025-03-01T10:00:00Z');
    const old = await createInvitation({ contactId: anna._id, actor: 'cli', now });
    const fresh = await createInvitation({ contactId: anna._id, actor: 'cli', now: new Date(now.getTime() + 1000) });
    const later = new Date(now.getTime() + 2000);
    expect(await redeemInvitation({ token: old.token, channel: 'telegram', externalId: '4001', address: '4001', now: later })).toEqual({
      ok: false,
      reason: 'expired',
    });
    const ok = await redeemInvitation({ token: fresh.token, channel: 'telegram', externalId: '4001', address: '4001', now: later });
    expect(ok.ok).toBe(true);
  });

  it("refuses an account that is already another contact's, and keeps the link usable", async () => {
    const anna = await contact('Anna');
    const juris = await contact('Juris');
    await ChannelIdentityModel.create({ contact: anna._id, channel: 'telegram', externalId: '5001', address: '5001' });
    const { token } = await createInvitation({ contactId: juris._id, actor: 'cli' });
    expect(await redeemInvitation({ token, channel: 'telegram', externalId: '5001', address: '5001' })).toEqual({
      ok: false,
      reason: 'identity_taken',
    });
    expect((await InvitationModel.findOne({ hash: hashInvitationToken(token) }).lean())?.usedAt).toBeNull();
    const right = await redeemInvitation({ token, channel: 'telegram', externalId: '5002', address: '5002' });
    expect(right.ok).toBe(true);
    expect((await ChannelIdentityModel.findOne({ externalId: '5001' }).lean())?.contact.equals(anna._id)).toBe(true);
  });

  it('replaces the contact\'s old account on the same platform and reactivates a blocked one', async () => {
    const anna = await contact();
    await ChannelIdentityModel.create({
      contact: anna._id,
      channel: 'telegram',
      externalId: '6001',
      address: '6001',
      active: false,
      inactiveReason: 'blocked',
    });
    const { token } = await createInvitation({ contactId: anna._id, actor: 'cli' });
    expect((await redeemInvitation({ token, channel: 'telegram', externalId: '6002', address: '6002' })).ok).toBe(true);
    const identities = await ChannelIdentityModel.find({ contact: anna._id }).lean();
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({ externalId: '6002', active: true });
    expect(identities[0]?.inactiveReason).toBeUndefined();
  });

  it('links Slack accounts by e-mail through the injected lookup', async () => {
    const anna = await contact('Anna');
    const juris = await contact('Juris');
    const ilze = await contact('Ilze');
    const other = await contact('Other');
    await ChannelIdentityModel.create({ contact: other._id, channel: 'slack', externalId: 'U_TAKEN', address: 'U_TAKEN' });
    const directory: Record<string, string> = { [anna.email]: 'U_ANNA', [ilze.email]: 'U_TAKEN' };
    const lookup = async (email: string) => (directory[email] ? { userId: directory[email] } : null);
    const outcomes = await linkSlackByEmail({ lookup, contacts: [anna, juris, ilze], actor: 'cli' });
    expect(outcomes.map((o) => o.result)).toEqual(['linked', 'not_found', 'identity_taken']);
    expect(await ChannelIdentityModel.findOne({ contact: anna._id, channel: 'slack' }).lean()).toMatchObject({
      externalId: 'U_ANNA',
      address: 'U_ANNA',
    });
    const second = await linkSlackByEmail({ lookup, contacts: [anna], actor: 'cli' });
    expect(second[0]?.result).toBe('already_linked');

    const failing = await linkSlackByEmail({
      lookup: async () => Promise.reject(Object.assign(new Error('ratelimited'), { code: 'slack_webapi_rate_limited_error' })),
      contacts: [juris],
      actor: 'cli',
    });
    expect(failing[0]).toMatchObject({ result: 'error', error: 'slack_webapi_rate_limited_error' });
  });
});
