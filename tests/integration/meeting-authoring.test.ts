import { beforeAll, describe, expect, it } from 'vitest';
import { handleInbound, type InboundContext, type InboundResult } from '../../src/domain/chat/router.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { AUTHORING_FLOW } from '../../src/domain/meetings/authoring-replies.js';
import { ContactModel, MeetingModel } from '../../src/models/index.js';
import { t } from '../../src/i18n/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';

/** Coordinators create, edit and cancel meetings from a chat: step by step, or all at once in a form. */

useTestDatabase();

// 12:00 in Riga.
const now = new Date('2026-01-20T10:00:00Z');
const telegram = (externalId: string): InboundContext => ({ channel: 'telegram', externalId, address: externalId, commandPrefix: '/', now });
const slack = (externalId: string): InboundContext => ({ channel: 'slack', externalId, address: `D${externalId}`, commandPrefix: '/ogp ', now });

const ILZE = telegram('5001');
const MARTA = telegram('5002');
const ILZE_SLACK = slack('UILZE');

async function link(email: string, ctx: InboundContext) {
  const contact = await ContactModel.findOne({ email }).orFail();
  const { token } = await createInvitation({ contactId: contact._id, actor: 'test', now });
  const linked = await handleInbound(ctx, { type: 'command', name: 'start', args: token });
  expect(linked.outcome).toBe('ok');
}

const command = (ctx: InboundContext, name: string, args = '') => handleInbound(ctx, { type: 'command', name, args });
const say = (ctx: InboundContext, text: string) => handleInbound(ctx, { type: 'text', text });

/** Presses the button with this label on the last reply. */
async function press(ctx: InboundContext, result: InboundResult, label: string): Promise<InboundResult> {
  const button = result.replies.flatMap((r) => r.choices).find((c) => c.label === label);
  expect(button, `a button "${label}" in ${JSON.stringify(result.replies)}`).toBeDefined();
  return handleInbound(ctx, { type: 'choice', id: button?.id ?? '' });
}

const text = (result: InboundResult) => result.replies.map((r) => r.text).join('\n');
const form = (values: Record<string, string>, context = '') => ({ type: 'form' as const, flow: AUTHORING_FLOW, context, values });

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  await link('ilze.berzina@example.lv', ILZE);
  await link('marta.zarina@example.lv', MARTA);
  await link('ilze.berzina@example.lv', ILZE_SLACK);
});

describe('meeting authoring from a chat', () => {
  it('creates a meeting step by step on Telegram, refusing a bad date and an end before the start with the step kept', async () => {
    let r = await command(ILZE, 'meeting', 'new');
    expect(r.outcome).toBe('ok');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_kind'));
    expect(r.replies[0]?.form?.flow).toBe(AUTHORING_FLOW);
    r = await press(ILZE, r, t('lv', 'meeting_notice.kind.council'));
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_title'));
    r = await say(ILZE, 'Uzraudzības padomes sēde');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_start'));

    r = await say(ILZE, '2026-02-30 10:00');
    expect(r.outcome).toBe('rejected');
    expect(text(r)).toContain(t('lv', 'meeting_authoring.error.date_time', { value: '2026-02-30 10:00' }));
    expect(text(r)).toContain(t('lv', 'meeting_authoring.ask_start'));
    r = await say(ILZE, '2026-03-27 10:00');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_end'));

    r = await say(ILZE, '09:30');
    expect(r.outcome).toBe('rejected');
    expect(text(r)).toContain(t('lv', 'meeting_authoring.error.end_before_start', { start: '2026-03-27 10:00', end: '2026-03-27 09:30' }));
    expect(text(r)).toContain(t('lv', 'meeting_authoring.ask_end'));
    r = await say(ILZE, '12:00');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_place'));

    r = await say(ILZE, 'Valsts kanceleja, Brīvības bulvāris 36\nhttps://meet.example.lv/padome');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_deadline'));
    r = await say(ILZE, '2026-03-20 17:00');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_audience'));
    r = await say(ILZE, 'vk, VARAM, NAV');
    expect(r.outcome).toBe('rejected');
    expect(text(r)).toContain(t('lv', 'meeting_authoring.error.institutions', { codes: 'NAV' }));
    r = await say(ILZE, 'vk, VARAM');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_agenda'));
    r = await say(ILZE, 'Atklāšana — Ilze Bērziņa\nProgresa pārskats - Marta Zariņa');
    expect(text(r)).toContain('Progresa pārskats — Marta Zariņa');
    expect(await MeetingModel.countDocuments()).toBe(0);

    r = await press(ILZE, r, t('lv', 'button.confirm'));
    expect(r.outcome).toBe('ok');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.saved_new', { title: 'Uzraudzības padomes sēde', key: 'council-2026-03-27' }));
    const ilze = await ContactModel.findOne({ email: 'ilze.berzina@example.lv' }).orFail();
    const meeting = await MeetingModel.findOne({ key: 'council-2026-03-27' }).lean().orFail();
    expect(meeting).toMatchObject({
      kind: 'council',
      title: { lv: 'Uzraudzības padomes sēde' },
      place: 'Valsts kanceleja, Brīvības bulvāris 36',
      onlineUrl: 'https://meet.example.lv/padome',
      timeZone: 'Europe/Riga',
      state: 'announced',
      sequence: 0,
    });
    expect(meeting.startsAt.toISOString()).toBe('2026-03-27T08:00:00.000Z');
    expect(meeting.endsAt.toISOString()).toBe('2026-03-27T10:00:00.000Z');
    expect(meeting.registrationDeadline?.toISOString()).toBe('2026-03-20T15:00:00.000Z');
    expect(meeting.audience.institutions).toEqual(['VK', 'VARAM']);
    expect(meeting.agenda.map((a) => [a.number, a.title.lv, a.presenter])).toEqual([
      [1, 'Atklāšana', 'Ilze Bērziņa'],
      [2, 'Progresa pārskats', 'Marta Zariņa'],
    ]);
    expect(String(meeting.organizer)).toBe(String(ilze._id));
  });

  it('names every problem of a bad form under its field and saves nothing', async () => {
    const before = await MeetingModel.countDocuments();
    const r = await handleInbound(
      ILZE_SLACK,
      form({ kind: '', title: ' ', start: '2026-02-30 10:00', end: 'rīt', place: '', url: 'ftp://example.lv', deadline: '2026-01-01 10:00', audience: '', institutions: 'XYZ', agenda: '' }),
    );
    expect(r.outcome).toBe('rejected');
    expect(r.fieldErrors).toEqual({
      kind: t('lv', 'meeting_authoring.error.kind'),
      title: t('lv', 'meeting_authoring.error.title', { max: 300 }),
      start: t('lv', 'meeting_authoring.error.date_time', { value: '2026-02-30 10:00' }),
      end: t('lv', 'meeting_authoring.error.end_format', { value: 'rīt' }),
      url: t('lv', 'meeting_authoring.error.url', { value: 'ftp://example.lv' }),
      deadline: t('lv', 'meeting_authoring.error.past', { value: '2026-01-01 10:00' }),
      institutions: t('lv', 'meeting_authoring.error.institutions', { codes: 'XYZ' }),
    });
    expect(text(r).split('\n')).toHaveLength(7);
    expect(await MeetingModel.countDocuments()).toBe(before);
  });

  it('saves a good form as a new meeting', async () => {
    const r = await handleInbound(
      ILZE_SLACK,
      form({ kind: 'forum', title: 'Iesaistīto pušu forums', start: '2026-04-15 14:00', end: '16:30', place: '', url: 'https://meet.example.lv/forums', deadline: '', audience: 'everyone', institutions: '', agenda: 'Plāna gaita' }),
    );
    expect(r.outcome).toBe('ok');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.saved_new', { title: 'Iesaistīto pušu forums', key: 'forum-2026-04-15' }));
    const meeting = await MeetingModel.findOne({ key: 'forum-2026-04-15' }).lean().orFail();
    expect(meeting.startsAt.toISOString()).toBe('2026-04-15T11:00:00.000Z');
    expect(meeting.endsAt.toISOString()).toBe('2026-04-15T13:30:00.000Z');
    expect(meeting.onlineUrl).toBe('https://meet.example.lv/forums');
    expect([...meeting.audience.roles].sort()).toEqual(['contact_person', 'coordinator', 'forum_member', 'partner']);
    expect(meeting.registrationDeadline ?? undefined).toBeUndefined();

    // The same form edits it when it names the meeting: a new title is no change people must act on.
    const edited = await handleInbound(
      ILZE_SLACK,
      form({ kind: 'forum', title: 'Forums: plāna gaita', start: '2026-04-15 14:00', end: '2026-04-15 16:30', url: 'https://meet.example.lv/forums', audience: 'everyone', agenda: 'Plāna gaita' }, 'forum-2026-04-15'),
    );
    expect(text(edited)).toBe(t('lv', 'meeting_authoring.saved_edit', { title: 'Forums: plāna gaita', key: 'forum-2026-04-15' }));
    expect(await MeetingModel.findOne({ key: 'forum-2026-04-15' }).lean().orFail()).toMatchObject({ title: { lv: 'Forums: plāna gaita' }, sequence: 0 });
    expect(await MeetingModel.countDocuments()).toBe(2);
  });

  it('edits the place of a stored meeting from its review (sequence +1)', async () => {
    let r = await command(ILZE, 'meeting', 'edit council-2026-03-27');
    expect(r.outcome).toBe('ok');
    expect(text(r)).toContain('Valsts kanceleja, Brīvības bulvāris 36');
    expect(r.replies[0]?.form?.context).toBe('council-2026-03-27');
    r = await press(ILZE, r, t('lv', 'meeting_authoring.button.change', { field: 'Vieta' }));
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_place'));
    r = await say(ILZE, 'Saeimas nams, Jēkaba iela 11\nhttps://meet.example.lv/padome');
    expect(text(r)).toContain('Saeimas nams, Jēkaba iela 11');
    r = await press(ILZE, r, t('lv', 'button.confirm'));
    expect(text(r)).toBe(t('lv', 'meeting_authoring.saved_edit', { title: 'Uzraudzības padomes sēde', key: 'council-2026-03-27' }));
    const meeting = await MeetingModel.findOne({ key: 'council-2026-03-27' }).lean().orFail();
    expect(meeting).toMatchObject({ place: 'Saeimas nams, Jēkaba iela 11', sequence: 1, lastChange: ['place'] });
    expect(meeting.agenda).toHaveLength(2);
    expect(meeting.audience.institutions).toEqual(['VK', 'VARAM']);
  });

  it('cancels a meeting only after the confirmation', async () => {
    let r = await command(ILZE, 'meeting', 'cancel council-2026-03-27');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.ask_cancel', { title: 'Uzraudzības padomes sēde', key: 'council-2026-03-27' }));
    r = await press(ILZE, r, t('lv', 'meeting_authoring.button.keep_meeting'));
    expect(text(r)).toBe(t('lv', 'flow.cancelled'));
    expect(await MeetingModel.findOne({ key: 'council-2026-03-27' }).lean().orFail()).toMatchObject({ state: 'announced', sequence: 1 });

    r = await command(ILZE, 'meeting', 'cancel council-2026-03-27');
    r = await press(ILZE, r, t('lv', 'meeting_authoring.button.cancel_meeting'));
    expect(text(r)).toBe(t('lv', 'meeting_authoring.cancelled_meeting', { title: 'Uzraudzības padomes sēde', key: 'council-2026-03-27' }));
    expect(await MeetingModel.findOne({ key: 'council-2026-03-27' }).lean().orFail()).toMatchObject({ state: 'cancelled', sequence: 2 });

    r = await command(ILZE, 'meeting', 'edit council-2026-03-27');
    expect(r.outcome).toBe('rejected');
    expect(text(r)).toBe(t('lv', 'meeting_authoring.not_editable', { key: 'council-2026-03-27' }));
  });

  it('refuses /meeting, its buttons and its form to a contact person', async () => {
    const before = await MeetingModel.find().lean();
    for (const args of ['new', 'edit forum-2026-04-15', 'cancel forum-2026-04-15']) {
      const r = await command(MARTA, 'meeting', args);
      expect(r.outcome).toBe('rejected');
      expect(text(r)).toBe(t('lv', 'access.not_coordinator'));
    }
    const button = await handleInbound(MARTA, { type: 'choice', id: 'mn:0000:ok' });
    expect(button.outcome).toBe('rejected');
    const submitted = await handleInbound(MARTA, form({ kind: 'forum', title: 'X', start: '2026-05-01 10:00', end: '11:00', place: 'Rīga', audience: 'everyone' }));
    expect(submitted.outcome).toBe('rejected');
    expect(await MeetingModel.find().lean()).toEqual(before);
  });
});
