import { DateTime } from 'luxon';
import type { Types } from 'mongoose';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditEntryModel, BroadcastModel, ChannelIdentityModel, ContactModel, DeliveryModel, PlanModel } from '../../src/models/index.js';
import { confirmBroadcast, createBroadcast, fanOutBroadcast, previewBroadcast } from '../../src/domain/broadcasts/broadcasts.js';
import { handleInbound, type InboundContext } from '../../src/domain/chat/router.js';
import { produceDeliveries } from '../../src/jobs/outbox.js';
import { t } from '../../src/i18n/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { RecordingSender, until, useOutboxTestbed } from '../support/outbox.js';

useTestDatabase();
const bed = useOutboxTestbed();

/**
 * Preferences are a gate with a recorded outcome: a muted person's broadcast is recorded as
 * skipped with the reason, one in their quiet hours waits (pending, notBefore, its job delayed),
 * someone linked on two chats who chose one gets one copy, and /settings changes them through
 * the router. 23:00 in Riga, so quiet hours 22–08 are on.
 */

const NIGHT = DateTime.fromISO('2026-12-01T23:00', { zone: 'Europe/Riga' });
const ids: Record<string, Types.ObjectId> = {};

beforeEach(async () => {
  const models: { deleteMany(filter: object): PromiseLike<unknown> }[] = [PlanModel, ContactModel, ChannelIdentityModel, DeliveryModel, BroadcastModel, AuditEntryModel];
  await Promise.all(models.map((model) => model.deleteMany({})));
  await PlanModel.create({ key: 'nap-5', number: 5, title: { lv: '5. plāns' }, startYear: 2022, endYear: 2025 });
  const contact = async (key: string, fields: Record<string, unknown>) => {
    ids[key] = (await ContactModel.create({ name: key, email: `${key}-${bed.prefix}@example.lv`, roles: ['forum_member'], ...fields }))._id;
  };
  await contact('anna', { roles: ['coordinator'], preferences: { channel: 'slack' } });
  await contact('juris', { language: 'en', preferences: { muteBroadcasts: true } });
  await contact('ilze', { preferences: { quietFrom: 22, quietTo: 8 } });
  await contact('peteris', {});
  await ChannelIdentityModel.create([
    { contact: ids.anna, channel: 'telegram', externalId: `a-${bed.prefix}`, address: 'tg-anna' },
    { contact: ids.anna, channel: 'slack', externalId: `UA-${bed.prefix}`, address: 'D-anna' },
    { contact: ids.juris, channel: 'telegram', externalId: `j-${bed.prefix}`, address: 'tg-juris' },
    { contact: ids.ilze, channel: 'telegram', externalId: `i-${bed.prefix}`, address: 'tg-ilze' },
  ]);
});

async function confirmedBroadcast() {
  const author = { actor: String(ids.anna), name: 'anna' };
  const b = await createBroadcast({ text: { lv: 'Sveiki, forums!', en: 'Hello, forum!' }, audience: { kind: 'everyone' } }, author);
  const preview = await previewBroadcast(b, NIGHT.toJSDate());
  const confirmed = await confirmBroadcast({ id: String(b._id), author, now: NIGHT.toJSDate() });
  expect(confirmed.ok).toBe(true);
  return { b, preview };
}

const deliveryOf = (name: string) => DeliveryModel.find({ contact: ids[name], purpose: 'broadcast' }).lean();

describe('preferences on a broadcast', () => {
  it('skip the muted with a recorded reason, defer those in quiet hours, and send one copy to the preferred chat', async () => {
    const { b, preview } = await confirmedBroadcast();
    expect(preview).toEqual({ ok: true, value: { perChannel: { slack: 1, telegram: 1 }, people: 4, unreachable: ['peteris'], muted: 1, quiet: 1 } });

    await fanOutBroadcast(String(b._id), NIGHT.toJSDate(), (messages) => produceDeliveries(bed.outbox, messages));

    const [anna = [], juris = [], ilze = [], peteris] = await Promise.all(['anna', 'juris', 'ilze', 'peteris'].map(deliveryOf));
    expect(anna.map((d) => [d.channel, d.state])).toEqual([['slack', 'pending']]);
    expect(juris.map((d) => [d.state, d.heldReason, d.text])).toEqual([['skipped', 'muted_broadcasts', 'Hello, forum!']]);
    expect(ilze.map((d) => [d.state, d.heldReason, d.notBefore?.toISOString()])).toEqual([
      ['pending', 'quiet_hours', DateTime.fromISO('2026-12-02T08:00', { zone: 'Europe/Riga' }).toUTC().toISO()],
    ]);
    expect(peteris).toEqual([]);

    // The skipped one is never queued; the deferred one waits in the queue, not in a worker.
    const counts = async (channel: 'telegram' | 'slack') => {
      const c = await bed.outbox.queues[channel].getJobCounts('delayed', 'prioritized', 'waiting');
      return { delayed: c.delayed, ready: (c.prioritized ?? 0) + (c.waiting ?? 0) };
    };
    expect(await counts('telegram')).toEqual({ delayed: 1, ready: 0 });
    expect(await counts('slack')).toEqual({ delayed: 0, ready: 1 });

    const telegram = new RecordingSender('telegram');
    const slack = new RecordingSender('slack');
    bed.startWorkers({ senders: { telegram, slack } });
    await until(() => slack.order.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slack.order).toEqual(['D-anna']);
    expect(telegram.order).toEqual([]);
    expect((await deliveryOf('ilze'))[0]?.state).toBe('pending');

    const audit = await AuditEntryModel.find({ subject: `broadcast:${String(b._id)}` }).lean();
    expect(audit.map((e) => [e.action, e.actor])).toEqual([['broadcast.confirm', String(ids.anna)]]);
  });

  it('does not hold back a quiet-hours delivery that the worker meets early: it waits until notBefore without using an attempt', async () => {
    const notBefore = new Date(Date.now() + 1_500);
    await produceDeliveries(bed.outbox, [
      { key: `${bed.prefix}:early`, purpose: 'broadcast', priority: 'bulk', channel: 'telegram', address: 'tg-early', text: 'x', held: { reason: 'quiet_hours', until: notBefore } },
    ]);
    // As the requeue sweep would: queued again without the delay.
    const stored = await DeliveryModel.findOne({ key: `${bed.prefix}:early` }).lean();
    await bed.outbox.queues.telegram.add('broadcast', { deliveryId: String(stored?._id) }, { jobId: 'early-again', priority: 4 });
    const telegram = new RecordingSender('telegram');
    bed.startWorkers({ senders: { telegram } });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(telegram.order).toEqual([]);
    await until(() => telegram.order.length === 1, 5_000);
    // The mark follows the send (grouped with others', outbox-worker.ts): wait for it.
    const record = async () => DeliveryModel.findOne({ key: `${bed.prefix}:early` }).lean();
    await until(async () => (await record())?.state === 'sent', 5_000);
    expect((await record())?.attempts).toBe(1);
    expect(Date.now()).toBeGreaterThanOrEqual(notBefore.getTime());
  });
});

describe('/settings', () => {
  const ctx = (): InboundContext => ({ channel: 'telegram', externalId: `i-${bed.prefix}`, address: 'tg-ilze', commandPrefix: '/', now: NIGHT.toJSDate() });

  it('shows the settings and saves a pressed choice at once, even in quiet hours', async () => {
    const shown = await handleInbound(ctx(), { type: 'command', name: 'settings', args: '' });
    expect(shown.outcome).toBe('ok');
    expect(shown.replies[0]?.text).toContain(t('lv', 'settings.title'));
    expect(shown.replies[0]?.text).toContain('22:00–08:00');
    expect(shown.replies[0]?.choices.map((c) => c.id)).toContain('st:m:1');

    const pressed = await handleInbound(ctx(), { type: 'choice', id: 'st:m:1' });
    expect(pressed.outcome).toBe('ok');
    expect(pressed.replies[0]?.text).toContain(t('lv', 'settings.saved'));
    expect(pressed.replies[0]?.text).toContain(t('lv', 'settings.line.broadcasts', { value: t('lv', 'settings.broadcasts.muted') }));
    expect((await ContactModel.findById(ids.ilze).lean())?.preferences?.muteBroadcasts).toBe(true);

    await handleInbound(ctx(), { type: 'choice', id: 'st:d:daily' });
    await handleInbound(ctx(), { type: 'choice', id: 'st:q:off' });
    const stored = (await ContactModel.findById(ids.ilze).lean())?.preferences;
    expect([stored?.digest, stored?.quietFrom, stored?.quietTo]).toEqual(['daily', undefined, undefined]);
  });

  it('refuses a forged choice and changes nothing', async () => {
    const before = (await ContactModel.findById(ids.ilze).lean())?.preferences;
    // st:c:slack: a chat she is not linked on.
    for (const id of ['st:q:5-6', 'st:h:3', 'st:d:hourly', 'st:c:fax', 'st:c:slack']) {
      const result = await handleInbound(ctx(), { type: 'choice', id });
      expect(result.outcome).toBe('rejected');
      expect(result.replies[0]?.text).toBe(t('lv', 'error.stale_button'));
    }
    expect((await ContactModel.findById(ids.ilze).lean())?.preferences).toEqual(before);
  });
});
