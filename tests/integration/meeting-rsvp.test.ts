import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { parse } from 'csv-parse/sync';
import { ContactModel, DeliveryModel, MeetingModel, RsvpModel, rsvpId } from '../../src/models/index.js';
import { handleInbound, type InboundContext } from '../../src/domain/chat/router.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { readAttachment, storeFile } from '../../src/domain/chat/files.js';
import { answerMeeting, fillFreePlacesEverywhere } from '../../src/domain/meetings/rsvp.js';
import { attendeeSummary, attendeesCsv } from '../../src/domain/meetings/attendees.js';
import { encodeMeetingAction } from '../../src/domain/meetings/rsvp-actions.js';
import { meetingInvitationKey, meetingWaitlistKey } from '../../src/domain/delivery-keys.js';
import type { OutboundMessage } from '../../src/domain/outbound-message.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';

useTestDatabase();

const riga = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Riga' }).toJSDate();
/** Before every meeting's registration deadline; `late` is after the council's. */
const now = riga('2026-03-10T10:00');
const late = riga('2026-03-21T09:00');

const ids: Record<string, string> = {};
const produced: OutboundMessage[][] = [];
const produce = async (messages: OutboundMessage[]) => {
  produced.push(messages);
};

const telegram = (externalId: string, at = now): InboundContext => ({ channel: 'telegram', externalId, address: externalId, commandPrefix: '/', now: at });
const send = (externalId: string, event: Parameters<typeof handleInbound>[1], at = now) => handleInbound(telegram(externalId, at), event, { produce });

async function link(email: string, externalId: string) {
  const contact = await ContactModel.findOne({ email }).orFail();
  ids[email.split('.')[0] ?? email] = String(contact._id);
  const { token } = await createInvitation({ contactId: contact._id, actor: 'test', now });
  await handleInbound(telegram(externalId), { type: 'command', name: 'start', args: token });
}

async function meeting(key: string, extra: Record<string, unknown> = {}): Promise<string> {
  const organizer = await ContactModel.findOne({ email: 'ilze.berzina@example.lv' }).orFail();
  const doc = await MeetingModel.create({
    key,
    kind: 'council',
    title: { lv: `Padomes sēde ${key}`, en: `Council meeting ${key}` },
    startsAt: riga('2026-03-27T13:00'),
    endsAt: riga('2026-03-27T14:30'),
    place: 'Valsts kancelejas Bibliotēka',
    registrationDeadline: riga('2026-03-20T17:00'),
    audience: { roles: ['forum_member'] },
    organizer: organizer._id,
    ...extra,
  });
  return String(doc._id);
}

const answer = (meetingId: string, who: string, value: 'on_site' | 'online' | 'not_attending' | 'deputy', at = now, deputy?: { name: string; institution: string }) =>
  answerMeeting({ meetingId, contactId: ids[who] ?? '', answer: value, deputy, now: at, produce });

let council = '';
let full = '';
let open = '';
let past = '';

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  // Forum members: Ilze (coordinator), Artūrs, Jānis, Kristaps (English, London). Marta is a contact person only.
  await link('ilze.berzina@example.lv', '801');
  await link('arturs.liepins@example.lv', '802');
  await link('janis.kalnins@example.lv', '803');
  await link('kristaps.ozolins@example.lv', '804');
  await link('marta.zarina@example.lv', '805');
  council = await meeting('padome-2026-03');
  full = await meeting('forums-2026-03', { kind: 'forum', capacity: 2 });
  open = await meeting('darba-grupa-2026-03', { kind: 'working_group', registrationDeadline: undefined });
  past = await meeting('padome-2026-02', {
    startsAt: riga('2026-02-20T13:00'),
    endsAt: riga('2026-02-20T14:30'),
    registrationDeadline: riga('2026-02-18T17:00'),
    agenda: [
      { number: 1, title: { lv: 'Progress 2025. gadā', en: 'Progress in 2025' }, presenter: 'VK', decision: 'Pieņemt zināšanai.' },
      { number: 2, title: { lv: 'Dažādi', en: 'Other business' } },
    ],
    minutes: { label: 'Protokols Nr. 1', url: 'https://www.mk.gov.lv/protokols-1' },
  });
});

describe('answering an invitation', () => {
  it('accepts a change before the deadline, any number of times', async () => {
    const first = await answer(council, 'arturs', 'on_site');
    const second = await answer(council, 'arturs', 'online');
    expect(first.ok && second.ok).toBe(true);
    expect(second.text).toBe('Paldies! Jūsu atbilde par „Padomes sēde padome-2026-03”: piedalīšos tiešsaistē.\nAtbildi var mainīt līdz 20.03.2026., plkst. 17.00.');
    const stored = await RsvpModel.findById(rsvpId(council, ids.arturs ?? '')).lean();
    expect(stored?.answer).toBe('online');
  });

  it('refuses after the deadline, naming the deadline in the person’s zone and language and the coordinator, and changes nothing', async () => {
    const lv = await answer(council, 'arturs', 'not_attending', late);
    expect(lv).toMatchObject({ ok: false, reason: 'deadline_passed' });
    expect(lv.text).toContain('beidzās 20.03.2026., plkst. 17.00');
    expect(lv.text).toContain('Ilze Bērziņa (ilze.berzina@example.lv)');
    // Kristaps reads English in London, two hours behind Riga in March.
    const en = await answer(council, 'kristaps', 'on_site', late);
    expect(en.text).toContain('closed on 20 Mar 2026, 15:00');
    expect(en.text).toContain('Ilze Bērziņa (ilze.berzina@example.lv)');
    expect((await RsvpModel.findById(rsvpId(council, ids.arturs ?? '')).lean())?.answer).toBe('online');
    expect(await RsvpModel.exists({ _id: rsvpId(council, ids.kristaps ?? '') })).toBeNull();
  });

  it('refuses someone outside the audience, a cancelled meeting and one that has begun', async () => {
    expect(await answer(council, 'marta', 'on_site')).toMatchObject({ ok: false, reason: 'not_invited' });
    expect(await RsvpModel.exists({ _id: rsvpId(council, ids.marta ?? '') })).toBeNull();
    const cancelled = await meeting('atcelta', { state: 'cancelled' });
    expect(await answer(cancelled, 'arturs', 'on_site')).toMatchObject({ ok: false, reason: 'cancelled' });
    expect(await answer(open, 'arturs', 'on_site', riga('2026-03-27T13:05'))).toMatchObject({ ok: false, reason: 'past' });
  });

  it('takes the answer of someone invited before the audience changed', async () => {
    await DeliveryModel.create({
      key: meetingInvitationKey({ meetingId: open, contactId: ids.marta ?? '', channel: 'telegram' }),
      purpose: 'meeting.invitation',
      contact: ids.marta,
      channel: 'telegram',
      address: '805',
      text: 'Ielūgums',
    });
    expect(await answer(open, 'marta', 'not_attending')).toMatchObject({ ok: true, answer: 'not_attending' });
    expect(await answer(council, 'marta', 'not_attending')).toMatchObject({ ok: false, reason: 'not_invited' });
  });

  it('names every problem of a deputy and saves nothing', async () => {
    const result = await answer(open, 'janis', 'deputy', now, { name: '  ', institution: 'x'.repeat(101) });
    expect(result.ok).toBe(false);
    expect(result.text).toContain('Nav norādīts: aizvietotāja vārds un uzvārds.');
    expect(result.text).toContain('Par garu: aizvietotāja institūcija (101 rakstzīmes, atļauts ne vairāk kā 100).');
    const code = await answer(open, 'janis', 'deputy', now, { name: 'Anna Kalna 010190-12345', institution: 'VARAM' });
    expect(code.text).toContain('bez cipariem');
    expect(await RsvpModel.exists({ _id: rsvpId(open, ids.janis ?? '') })).toBeNull();
  });
});

describe('capacity and the waiting list', () => {
  it('puts the third attending person on the waiting list and tells them so', async () => {
    expect(await answer(full, 'ilze', 'on_site')).toMatchObject({ ok: true, waitlisted: false });
    expect(await answer(full, 'arturs', 'online')).toMatchObject({ ok: true, waitlisted: false });
    const third = await answer(full, 'janis', 'on_site');
    expect(third).toMatchObject({ ok: true, waitlisted: true });
    expect(third.text).toContain('gaidītāju sarakstā (1. vietā)');
    const fourth = await answer(full, 'kristaps', 'deputy', new Date(now.getTime() + 60_000), { name: 'Anna Kalna', institution: 'Delna' });
    expect(fourth).toMatchObject({ ok: true, waitlisted: true });
    expect(fourth.text).toContain('waiting list (number 2)');
    // Changing how one attends keeps one's place: Artūrs still holds his, Jānis still waits first.
    expect(await answer(full, 'arturs', 'on_site')).toMatchObject({ ok: true, waitlisted: false });
    expect(await answer(full, 'janis', 'online')).toMatchObject({ ok: true, waitlisted: true });
    expect(produced).toEqual([]);
  });

  it('moves the first waiting person up when someone declines, with one notice under a stable key', async () => {
    const waiting = await RsvpModel.findById(rsvpId(full, ids.janis ?? '')).lean();
    const declined = await answer(full, 'arturs', 'not_attending');
    expect(declined).toMatchObject({ ok: true, promoted: [ids.janis] });
    expect(produced).toHaveLength(1);
    const [notice] = produced[0] ?? [];
    expect(produced[0]).toHaveLength(1);
    expect(notice?.key).toBe(meetingWaitlistKey({ meetingId: full, contactId: ids.janis ?? '', channel: 'telegram', at: waiting?.waitlistedAt ?? new Date(0) }));
    expect(notice).toMatchObject({ channel: 'telegram', address: '803', contact: ids.janis });
    expect(notice?.text).toContain('atbrīvojās vieta');
    expect(notice?.choices?.[0]?.id).toBe(encodeMeetingAction({ kind: 'change', meetingId: full }));
    expect((await RsvpModel.findById(rsvpId(full, ids.janis ?? '')).lean())?.waitlisted).toBe(false);
    expect((await RsvpModel.findById(rsvpId(full, ids.kristaps ?? '')).lean())?.waitlisted).toBe(true);

    // Declining again frees no place: nobody else moves up and nothing more is produced.
    expect(await answer(full, 'arturs', 'not_attending')).toMatchObject({ ok: true, promoted: [] });
    expect(produced).toHaveLength(1);
  });

  it('moves the waiting list up when the capacity is raised, on the scheduler’s sweep, once', async () => {
    const small = await meeting('kapacitate', { kind: 'forum', capacity: 1 });
    expect(await answer(small, 'arturs', 'on_site')).toMatchObject({ ok: true, waitlisted: false });
    expect(await answer(small, 'janis', 'online')).toMatchObject({ ok: true, waitlisted: true });
    produced.length = 0;
    expect(await fillFreePlacesEverywhere(now, produce)).toBe(0);
    await MeetingModel.updateOne({ _id: small }, { $set: { capacity: 2 } });
    expect(await fillFreePlacesEverywhere(now, produce)).toBe(1);
    expect((await RsvpModel.findById(rsvpId(small, ids.janis ?? '')).lean())?.waitlisted).toBe(false);
    expect(produced.flat().map((m) => m.contact)).toEqual([ids.janis]);
    expect(await fillFreePlacesEverywhere(now, produce)).toBe(0);
    expect(produced.flat()).toHaveLength(1);
  });
});

describe('two answers for the last place at once', () => {
  it('gives the place to one and puts the other on the waiting list', async () => {
    const last = await meeting('viena-vieta', { capacity: 1 });
    const results = await Promise.all([answer(last, 'arturs', 'on_site'), answer(last, 'janis', 'online')]);
    expect(results.map((r) => r.ok && r.waitlisted).sort()).toEqual([false, true]);
    expect(await RsvpModel.countDocuments({ meeting: last, waitlisted: false })).toBe(1);
  });
});

describe('in the chat', () => {
  it('asks a deputy’s name and institution only, refuses bad input, and stores just those two', async () => {
    const start = await send('804', { type: 'choice', id: encodeMeetingAction({ kind: 'answer', answer: 'deputy', meetingId: open }) });
    expect(start.replies[0]?.text).toContain('What is your deputy’s name?');
    const bad = await send('804', { type: 'text', text: 'Anna Kalna, +371 29123456' });
    expect(bad.outcome).toBe('rejected');
    expect(bad.replies[0]?.text).toContain('Please leave out numbers');
    await send('804', { type: 'text', text: '  Anna   Kalna ' });
    const tooLong = await send('804', { type: 'text', text: 'D'.repeat(101) });
    expect(tooLong.replies[0]?.text).toContain('Too long');
    const done = await send('804', { type: 'text', text: 'Delna' });
    expect(done.outcome).toBe('ok');
    expect(done.replies[0]?.text).toContain('sending a deputy: Anna Kalna (Delna)');
    const stored = await RsvpModel.findById(rsvpId(open, ids.kristaps ?? '')).lean();
    expect(stored?.answer).toBe('deputy');
    expect(stored?.deputy).toEqual({ name: 'Anna Kalna', institution: 'Delna' });
  });

  it('refuses a deputy after the deadline before asking anything', async () => {
    const result = await send('804', { type: 'choice', id: encodeMeetingAction({ kind: 'answer', answer: 'deputy', meetingId: council }) }, late);
    expect(result.outcome).toBe('rejected');
    expect(result.replies[0]?.text).toContain('closed on 20 Mar 2026, 15:00');
  });

  it('answers a button at once and offers to change it', async () => {
    const result = await send('802', { type: 'choice', id: encodeMeetingAction({ kind: 'answer', answer: 'on_site', meetingId: open }) });
    expect(result.replies[0]?.text).toContain('piedalīšos klātienē');
    expect(result.replies[0]?.choices.map((c) => c.id)).toEqual([encodeMeetingAction({ kind: 'change', meetingId: open })]);
    const change = await send('802', { type: 'choice', id: encodeMeetingAction({ kind: 'change', meetingId: open }) });
    expect(change.replies[0]?.text).toContain('Jūsu atbilde: piedalīšos klātienē');
    expect(change.replies[0]?.choices.map((c) => c.id)).toEqual(
      (['on_site', 'online', 'not_attending', 'deputy'] as const).map((a) => encodeMeetingAction({ kind: 'answer', answer: a, meetingId: open })),
    );
  });

  it('/meetings shows the answer with a change button, and past meetings with minutes and decisions', async () => {
    const result = await send('802', { type: 'command', name: 'meetings', args: '' });
    const [upcoming, previous] = result.replies;
    expect(upcoming?.text).toContain('Padomes sēde darba-grupa-2026-03\n2026. gada 27. marts, 13.00–14.30\nValsts kancelejas Bibliotēka\nJūsu atbilde: piedalīšos klātienē');
    expect(upcoming?.choices).toContainEqual({ id: encodeMeetingAction({ kind: 'change', meetingId: open }), label: 'Mainīt: Padomes sēde darba-grupa-20…' });
    expect(previous?.text).toContain('Padomes sēde padome-2026-02');
    expect(previous?.text).toContain('1. Progress 2025. gadā\nPadomes lēmums: Pieņemt zināšanai.');
    expect(previous?.links).toEqual([{ label: 'Protokols: Padomes sēde padome-2026-02', url: 'https://www.mk.gov.lv/protokols-1' }]);
    expect(past).not.toBe('');
  });

  it('/meetings sends minutes kept as a file with the message', async () => {
    const file = await storeFile({ name: 'protokols-3.pdf', mediaType: 'application/pdf', bytes: '%PDF-1.4' });
    await meeting('padome-2026-01', {
      startsAt: riga('2026-01-20T13:00'),
      endsAt: riga('2026-01-20T14:30'),
      minutes: { label: 'Protokols Nr. 3', fileId: file.source.fileId, fileName: 'protokols-3.pdf', mediaType: 'application/pdf' },
    });
    const result = await send('803', { type: 'command', name: 'meetings', args: '' });
    expect(result.replies[1]?.attachments).toEqual([file]);
  });

  it('/attendees gives a coordinator the counts and the CSV', async () => {
    const result = await send('801', { type: 'command', name: 'attendees', args: 'forums-2026-03' });
    expect(result.outcome).toBe('ok');
    const text = result.replies[0]?.text ?? '';
    expect(text).toContain('Vietu skaits: 2');
    expect(text).toContain('\n1 klātienē\n1 tiešsaistē\n0 sūta aizvietotāju\n1 nepiedalās\n0 nav atbildējuši\n1 gaidītāju sarakstā\n4 uzaicināti');
    for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(40);
    const [file] = result.replies[0]?.attachments ?? [];
    expect(file?.name).toBe('forums-2026-03-dalibnieki.csv');
    const rows = parse((await readAttachment(file!)).toString('utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r['Vārds, uzvārds'], r.Atbilde, r['Gaidītāju sarakstā'], r.Aizvietotājs])).toEqual([
      ['Artūrs Liepiņš', 'nepiedalās', '', ''],
      ['Ilze Bērziņa', 'klātienē', '', ''],
      ['Jānis Kalniņš', 'tiešsaistē', '', ''],
      ['Kristaps Ozoliņš', 'sūta aizvietotāju', 'jā', 'Anna Kalna'],
    ]);
    const summary = await attendeeSummary(full);
    expect(attendeesCsv(summary!, 'en').split('\r\n')[0] ?? attendeesCsv(summary!, 'en').split('\n')[0]).toContain('Name,Institution,Answer,On the waiting list,Deputy');

    const list = await send('801', { type: 'command', name: 'attendees', args: '' });
    expect(list.replies[0]?.text).toContain('forums-2026-03\n');
    expect(list.replies[0]?.text).toContain('padome-2026-03\n');
  });

  it('refuses /attendees to a contact person', async () => {
    const result = await send('805', { type: 'command', name: 'attendees', args: 'forums-2026-03' });
    expect(result.outcome).toBe('rejected');
    expect(result.replies[0]?.text).toMatch(/tikai Valsts kancelejas koordinatoriem/);
    expect(result.replies[0]?.attachments).toBeUndefined();
  });
});
