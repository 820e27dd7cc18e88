import { beforeAll, describe, expect, it } from 'vitest';
import { handleInbound, type InboundContext } from '../../src/domain/chat/router.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { openRound } from '../../src/domain/rounds/rounds.js';
import { ChannelIdentityModel, ContactModel, InboundEventModel, ReportingRoundModel } from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { readAttachment } from '../../src/domain/chat/files.js';
import { t } from '../../src/i18n/index.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';

useTestDatabase();

const now = new Date('2026-01-20T10:00:00Z');
const telegram = (externalId: string, extra: Partial<InboundContext> = {}): InboundContext => ({
  channel: 'telegram',
  externalId,
  address: externalId,
  commandPrefix: '/',
  now,
  ...extra,
});

async function link(email: string, externalId: string) {
  const contact = await ContactModel.findOne({ email }).orFail();
  const { token } = await createInvitation({ contactId: contact._id, actor: 'test', now });
  return handleInbound(telegram(externalId), { type: 'command', name: 'start', args: token });
}

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  const round = await openRound({
    planKey: 'lv-nap-5',
    key: '2025',
    title: { lv: 'Progress 2025. gadā', en: 'Progress in 2025' },
    deadlineDate: '2026-02-01',
    actor: 'test',
    now,
  });
  expect(round.ok).toBe(true);
});

describe('handleInbound', () => {
  it('tells a stranger how to get access, in both languages, and stores nothing about them', async () => {
    const result = await handleInbound(telegram('999'), { type: 'text', text: 'Sveiki, kas te notiek?' });
    expect(result.outcome).toBe('unknown_person');
    expect(result.replies).toHaveLength(1);
    expect(result.replies[0]?.text).toMatch(/ielūguma saiti/);
    expect(result.replies[0]?.text).toMatch(/invitation link/);
    expect(await ChannelIdentityModel.countDocuments({ externalId: '999' })).toBe(0);
  });

  it('links a person through a deep-link invitation, once', async () => {
    const contact = await ContactModel.findOne({ email: 'liga.ozola@example.lv' }).orFail();
    const { token } = await createInvitation({ contactId: contact._id, actor: 'test', now });
    const first = await handleInbound(telegram('501'), { type: 'command', name: 'start', args: token });
    expect(first.outcome).toBe('ok');
    expect(first.replies[0]?.text).toContain('Līga Ozola');
    const again = await handleInbound(telegram('502'), { type: 'command', name: 'start', args: token });
    expect(again.outcome).toBe('unknown_person');
    expect(again.replies[0]?.text).toMatch(/jau ir izmantota/);
    expect(await ChannelIdentityModel.countDocuments({ contact: contact._id, channel: 'telegram' })).toBe(1);
  });

  it('handles the same platform event once', async () => {
    await link('janis.kalnins@example.lv', '601');
    const ctx = telegram('601', { dedupeKey: 'telegram:update:77' });
    const first = await handleInbound(ctx, { type: 'command', name: 'status', args: '' });
    const second = await handleInbound(ctx, { type: 'command', name: 'status', args: '' });
    expect(first.replies.length).toBeGreaterThan(0);
    expect(second).toEqual({ replies: [], outcome: 'duplicate' });
    expect(await InboundEventModel.countDocuments({ key: 'telegram:update:77' })).toBe(1);
  });

  it('refuses the coordinator overview to a contact person and gives it to a coordinator', async () => {
    await link('marta.zarina@example.lv', '701');
    const refused = await handleInbound(telegram('701'), { type: 'command', name: 'overview', args: '' });
    expect(refused.outcome).toBe('rejected');
    expect(refused.replies[0]?.text).toMatch(/tikai Valsts kancelejas koordinatoriem/);

    await link('ilze.berzina@example.lv', '702');
    const overview = await handleInbound(telegram('702'), { type: 'command', name: 'overview', args: '' });
    expect(overview.outcome).toBe('ok');
    // No replies yet in this round: all 26 measures are missing, and the text has no tabs for a phone to misalign.
    const text = overview.replies[0]?.text ?? '';
    const totals = text.slice(text.indexOf(t('lv', 'overview.all_commitments')));
    expect(totals).toContain(`26 ${t('lv', 'overview.bucket.missing')}`);
    expect(totals).toContain(`26 ${t('lv', 'overview.total')}`);
    expect(text).not.toContain('\t');
    // The council's chart of the round comes with it (tests/integration/council-chart.test.ts).
    expect(overview.replies[0]?.attachments?.map((a) => [a.name, a.mediaType])).toEqual([['ogp-lv-nap-5-2025-statuss.png', 'image/png']]);
  });

  it('lets a coordinator extend, close and open a round in chat, and refuses it to anyone else', async () => {
    await link('ilze.berzina@example.lv', '703');
    const refused = await handleInbound(telegram('701'), { type: 'command', name: 'round', args: 'close' });
    expect(refused.outcome).toBe('rejected');
    expect(await ReportingRoundModel.countDocuments({ state: 'open' })).toBe(1);

    const coordinator = (name: string, args = '') => handleInbound(telegram('703'), { type: 'command', name, args });
    expect((await coordinator('round', 'extend 2026-02-08')).replies[0]?.text).toBe('Kārtas „2025” termiņš pagarināts līdz 2026-02-08.');
    // A date in the past is refused and changes nothing.
    expect((await coordinator('round', 'extend 2025-12-01')).replies[0]?.text).toMatch(/Termiņš 2025-12-01 jau ir pagājis/);
    const round = await ReportingRoundModel.findOne({ key: '2025' }).orFail();
    expect(round.deadline.toISOString()).toBe('2026-02-08T21:59:59.999Z');

    const exported = await coordinator('export');
    const files = exported.replies[0]?.attachments ?? [];
    expect(files.map((f) => f.name.split('.').at(-1))).toEqual(['csv', 'html']);
    const csv = (await readAttachment(files[0]!)).toString('utf8');
    // A header and one row per measure of the shipped plan.
    expect(csv.trim().split('\n')).toHaveLength(27);

    expect((await coordinator('round', 'close')).replies[0]?.text).toMatch(/Kārta „2025” slēgta/);
    expect(await ReportingRoundModel.countDocuments({ state: 'open' })).toBe(0);
    expect((await coordinator('round', 'open 2026 2026-03-01 Progress 2026. gadā')).replies[0]?.text).toMatch(/Kārta „2026” atvērta; termiņš 2026-03-01/);
    expect(await ReportingRoundModel.findOne({ state: 'open' }).orFail()).toMatchObject({ key: '2026', title: { lv: 'Progress 2026. gadā' } });
    expect((await coordinator('round', 'open')).replies[0]?.text).toMatch(/round open <atslēga>/);
  });

  it('switches the language and answers in the new one', async () => {
    await link('arturs.liepins@example.lv', '801');
    const asked = await handleInbound(telegram('801'), { type: 'command', name: 'language', args: '' });
    expect(asked.replies[0]?.choices.map((c) => c.id)).toEqual(['lang:lv', 'lang:en']);
    const switched = await handleInbound(telegram('801'), { type: 'choice', id: 'lang:en' });
    expect(switched.replies[0]?.text).toMatch(/English/);
    expect((await ContactModel.findOne({ email: 'arturs.liepins@example.lv' }).orFail()).language).toBe('en');
  });

  it('stops messages on /stop: the identity becomes inactive and the person is a stranger again', async () => {
    await link('kristaps.ozolins@example.lv', '901');
    const stopped = await handleInbound(telegram('901'), { type: 'command', name: 'stop', args: '' });
    expect(stopped.replies[0]?.text).toMatch(/will not send messages/);
    const identity = await ChannelIdentityModel.findOne({ channel: 'telegram', externalId: '901' }).orFail();
    expect(identity).toMatchObject({ active: false, inactiveReason: 'stopped' });
    expect((await handleInbound(telegram('901'), { type: 'text', text: 'hello' })).outcome).toBe('unknown_person');
  });

  it('refuses a button it does not know', async () => {
    await link('janis.kalnins@example.lv', '602');
    const result = await handleInbound(telegram('602'), { type: 'choice', id: 'xx:unknown' });
    expect(result.outcome).toBe('rejected');
  });
});
