import { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { handleInbound, type InboundContext } from '../../src/domain/chat/router.js';
import { createInvitation, redeemInvitation } from '../../src/domain/chat/invitations.js';
import { ChannelIdentityModel, ContactModel, ConversationStateModel, conversationId, identityId, rekeyConversations } from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { z } from 'zod';
import { runFlow, type FlowDefinition } from '../../src/domain/chat/flow-runner.js';

/**
 * The documents every conversation step reads have `_id`s made from their natural keys (an
 * identity's channel and account, a conversation's person and channel), so the step reads them by
 * `_id`; documents stored before that still work.
 */

useTestDatabase();

const now = new Date('2026-01-20T10:00:00Z');
const telegram = (externalId: string): InboundContext => ({ channel: 'telegram', externalId, address: externalId, commandPrefix: '/', now });

async function contact(email: string) {
  return ContactModel.create({ name: `Persona ${email}`, email, roles: ['contact_person'] });
}

describe('chat identities by keyed _id', () => {
  it('links an account under the id made from channel and account, and a new account on the platform replaces the old', async () => {
    const anna = await contact('anna.keyed@example.lv');
    const first = await createInvitation({ contactId: anna._id, actor: 'test', now });
    expect(await redeemInvitation({ token: first.token, channel: 'telegram', externalId: '81001', address: '81001', now })).toMatchObject({ ok: true });
    expect((await ChannelIdentityModel.find({ contact: anna._id }).lean()).map((i) => String(i._id))).toEqual([String(identityId('telegram', '81001'))]);

    const second = await createInvitation({ contactId: anna._id, actor: 'test', now });
    expect(await redeemInvitation({ token: second.token, channel: 'telegram', externalId: '81002', address: '81002', now })).toMatchObject({ ok: true });
    const identities = await ChannelIdentityModel.find({ contact: anna._id }).lean();
    expect(identities.map((i) => [String(i._id), i.externalId])).toEqual([[String(identityId('telegram', '81002')), '81002']]);
    expect((await handleInbound(telegram('81002'), { type: 'command', name: 'help', args: '' })).outcome).toBe('ok');
    expect((await handleInbound(telegram('81001'), { type: 'command', name: 'help', args: '' })).outcome).toBe('unknown_person');
  });

  it('still knows a person whose identity was linked before ids were keyed (a random _id)', async () => {
    const janis = await contact('janis.legacy@example.lv');
    await ChannelIdentityModel.collection.insertOne({
      _id: new Types.ObjectId(),
      contact: janis._id,
      channel: 'telegram',
      externalId: '81003',
      address: '81003',
      active: true,
      linkedAt: now,
    });
    expect((await handleInbound(telegram('81003'), { type: 'command', name: 'help', args: '' })).outcome).toBe('ok');
    // Another account cannot take it, keyed or not.
    const other = await contact('other.legacy@example.lv');
    const invitation = await createInvitation({ contactId: other._id, actor: 'test', now });
    expect(await redeemInvitation({ token: invitation.token, channel: 'telegram', externalId: '81003', address: '81003', now })).toMatchObject({
      ok: false,
      reason: 'identity_taken',
    });
  });
});

/** A Telegram conversation as a process before keyed ids stored it: under a random `_id`. */
async function storeUnkeyedConversation(contactId: Types.ObjectId, state: { flow: string; step: string; data: object; version: number }): Promise<Types.ObjectId> {
  const _id = new Types.ObjectId();
  await ConversationStateModel.collection.insertOne({ _id, contact: contactId, channel: 'telegram', ...state, createdAt: now, updatedAt: now });
  return _id;
}

describe('conversations by keyed _id', () => {
  it('moves a conversation stored under a random _id to its keyed id at start, once, keeping where it stood', async () => {
    const liga = await contact('liga.rekey@example.lv');
    const legacyId = await storeUnkeyedConversation(liga._id, { flow: 'status', step: 'note', data: { nonce: 'n1', editing: false, draft: { status: 'in_progress' } }, version: 3 });
    expect(await rekeyConversations()).toBe(1);
    expect(await rekeyConversations()).toBe(0);
    expect(await ConversationStateModel.findById(legacyId).lean()).toBeNull();
    expect(await ConversationStateModel.findById(conversationId(liga._id, 'telegram')).lean()).toMatchObject({
      step: 'note',
      version: 3,
      data: { draft: { status: 'in_progress' } },
    });
  });
});

describe('a conversation an older process stored under a random _id after the start', () => {
  /** Counts the person's messages: the stored number shows whether the old conversation went on. */
  const counting: FlowDefinition<{ step: 'n'; n: number }, never, null> = {
    name: 'counting',
    state: z.object({ step: z.literal('n'), n: z.number() }),
    load: async () => null,
    step: (state) => ({ type: 'continue', state: { step: 'n', n: (state?.n ?? 0) + 1 }, replies: [{ text: String((state?.n ?? 0) + 1), choices: [] }] }),
    apply: async () => null,
  };

  it('is moved to its keyed id at the next step, which goes on from it', async () => {
    const peteris = await contact('peteris.rolling@example.lv');
    await storeUnkeyedConversation(peteris._id, { flow: 'counting', step: 'n', data: { n: 5 }, version: 0 });
    const result = await runFlow(() => counting, { contactId: peteris._id, channel: 'telegram', event: { type: 'text', text: 'vēl' } });
    expect(result.replies.map((r) => r.text)).toEqual(['6']);
    expect(await ConversationStateModel.find({ contact: peteris._id }).lean()).toMatchObject([{ _id: conversationId(peteris._id, 'telegram'), data: { n: 6 } }]);
  });
});

