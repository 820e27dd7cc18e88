import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Types } from 'mongoose';
import { AuditEntryModel, ChannelIdentityModel, ContactModel, DeliveryModel, MeetingModel, RsvpModel, StoredFileModel, rsvpId } from '../../src/models/index.js';
import { produceMinutes, recordMinutes, MAX_DECISION_CHARS, type RecordMinutesInput } from '../../src/domain/meetings/minutes.js';
import { myMeetings } from '../../src/domain/meetings/my-meetings.js';
import { readAttachment } from '../../src/domain/chat/files.js';
import { produceDeliveries } from '../../src/jobs/outbox.js';
import { reconcileReminders } from '../../src/jobs/reminder-scheduler.js';
import { DateTime } from 'luxon';
import { projectRoot } from '../../src/infra/local-services.js';
import { useTestDatabase } from '../support/mongo.js';
import { useOutboxTestbed } from '../support/outbox.js';

const database = useTestDatabase();
const testbed = useOutboxTestbed();

/**
 * A council meeting for the forum members (Anna, lv, Telegram and Slack; Juris, en, London,
 * Telegram; Marta, who declined, Slack). Ilze is not in the audience but came (on site); Pēteris
 * was on the waiting list, so he did not come and is not told; Oskars is nobody's.
 */
const ids: Record<string, Types.ObjectId> = {};
const AFTER = new Date('2026-03-27T13:00:00Z');
const BEFORE = new Date('2026-03-27T10:00:00Z');

async function meeting(key: string, fields: Record<string, unknown> = {}) {
  const doc = await MeetingModel.create({
    key,
    kind: 'council',
    title: { lv: 'Uzraudzības padomes sēde', en: 'Supervisory council meeting' },
    // 13.00–14.30 in Riga (EET, before the clocks change on 29 March).
    startsAt: new Date('2026-03-27T11:00:00Z'),
    endsAt: new Date('2026-03-27T12:30:00Z'),
    place: 'Valsts kancelejas Bibliotēka',
    agenda: [
      { number: 1, title: { lv: 'Progresa ziņojums', en: 'Progress report' }, presenter: 'VK' },
      { number: 2, title: { lv: '6. plāna izstrāde', en: 'Drafting the 6th plan' }, presenter: 'VK' },
    ],
    audience: { roles: ['forum_member'] },
    ...fields,
  });
  return doc;
}

const input = (meetingKey: string, overrides: Partial<RecordMinutesInput> = {}): RecordMinutesInput => ({
  meetingKey,
  minutes: { label: 'Protokols Nr. 1', url: 'https://www.mk.gov.lv/protokols-1.pdf' },
  decisions: [
    { number: 1, text: 'Pieņemt zināšanai.' },
    { number: 2, text: 'Atbalstīt 6. plāna izstrādes grafiku.' },
  ],
  actor: 'cli',
  now: AFTER,
  ...overrides,
});

beforeAll(async () => {
  const contact = async (key: string, fields: Record<string, unknown>) => {
    ids[key] = (await ContactModel.create({ name: key, email: `${key}@example.lv`, ...fields }))._id;
  };
  await contact('anna', { institution: 'VK', roles: ['forum_member'], language: 'lv' });
  await contact('juris', { institution: 'Delna', roles: ['forum_member'], language: 'en', timeZone: 'Europe/London' });
  await contact('marta', { institution: 'PROVIDUS', roles: ['forum_member'], language: 'lv' });
  await contact('ilze', { institution: 'VARAM', roles: ['contact_person'], language: 'lv' });
  await contact('peteris', { institution: 'FM', roles: ['contact_person'], language: 'lv' });
  await contact('oskars', { institution: 'FM', roles: ['contact_person'], language: 'lv' });
  await ChannelIdentityModel.create([
    { contact: ids.anna, channel: 'telegram', externalId: 'a', address: 'tg-anna' },
    { contact: ids.anna, channel: 'slack', externalId: 'UA', address: 'D-anna' },
    { contact: ids.juris, channel: 'telegram', externalId: 'j', address: 'tg-juris' },
    { contact: ids.marta, channel: 'slack', externalId: 'UM', address: 'D-marta' },
    { contact: ids.ilze, channel: 'telegram', externalId: 'i', address: 'tg-ilze' },
    { contact: ids.peteris, channel: 'telegram', externalId: 'p', address: 'tg-peteris' },
    { contact: ids.oskars, channel: 'telegram', externalId: 'o', address: 'tg-oskars' },
  ]);
});

async function answer(meetingId: Types.ObjectId, who: string, fields: Record<string, unknown>) {
  await RsvpModel.create({ _id: rsvpId(String(meetingId), String(ids[who])), meeting: meetingId, contact: ids[who], answeredAt: BEFORE, ...fields });
}

describe('recordMinutes', () => {
  it('names every problem with the input and saves nothing', async () => {
    const m = await meeting('padome-bad');
    const files = await StoredFileModel.countDocuments();
    const result = await recordMinutes(
      input('padome-bad', {
        minutes: { label: '', url: 'ftp://example.lv/protokols.pdf' },
        decisions: [
          { number: 1, text: 'x'.repeat(MAX_DECISION_CHARS + 1) },
          { number: 7, text: 'Pieņemt zināšanai.' },
        ],
        now: BEFORE,
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.code)).toEqual(['meeting_not_over', 'label_missing', 'link_invalid', 'decision_too_long', 'unknown_agenda_item']);
    expect(result.problems.find((p) => p.code === 'unknown_agenda_item')?.message).toEqual({ lv: 'Darba kārtībā nav punkta 7.', en: 'The agenda has no item 7.' });
    const stored = await MeetingModel.findById(m._id).lean();
    expect(stored?.minutes).toBeUndefined();
    expect(stored?.agenda.map((a) => a.decision)).toEqual(['', '']);
    expect(await StoredFileModel.countDocuments()).toBe(files);
    expect(await AuditEntryModel.countDocuments({ subject: `meeting:${String(m._id)}` })).toBe(0);
  });

  it('refuses an unknown meeting and a cancelled one, storing no file', async () => {
    await meeting('padome-atcelta', { state: 'cancelled', cancelledAt: BEFORE });
    const files = await StoredFileModel.countDocuments();
    const file = { label: 'Protokols', file: { name: 'protokols.pdf', mediaType: 'application/pdf', bytes: Buffer.from('%PDF-1.4') } };
    const unknown = await recordMinutes(input('nav-tadas', { minutes: file }));
    const cancelled = await recordMinutes(input('padome-atcelta', { minutes: file }));
    expect(unknown.ok ? [] : unknown.problems.map((p) => p.code)).toEqual(['unknown_meeting']);
    expect(cancelled.ok ? [] : cancelled.problems.map((p) => p.code)).toEqual(['meeting_cancelled']);
    expect(await StoredFileModel.countDocuments()).toBe(files);
  });

  it('stores a file as the minutes and reads it back, with the decisions and an audit entry', async () => {
    const m = await meeting('padome-fails');
    const bytes = Buffer.from('%PDF-1.4 protokols ar garumzīmēm: ā č ē', 'utf8');
    const result = await recordMinutes(
      input('padome-fails', {
        minutes: { label: 'Protokols Nr. 2', file: { name: 'protokols-2.pdf', mediaType: 'application/pdf', bytes } },
        decisions: [{ number: 2, text: '  Atbalstīt grafiku.  ' }],
      }),
    );
    expect(result.ok).toBe(true);
    const stored = await MeetingModel.findById(m._id).lean();
    expect(stored?.minutes).toMatchObject({ label: 'Protokols Nr. 2', fileName: 'protokols-2.pdf', mediaType: 'application/pdf' });
    expect(stored?.minutes?.url).toBeUndefined();
    const back = await readAttachment({ name: 'protokols-2.pdf', mediaType: 'application/pdf', source: { kind: 'stored', fileId: stored?.minutes?.fileId ?? '' } });
    expect(back.equals(bytes)).toBe(true);
    expect(stored?.agenda.map((a) => a.decision)).toEqual(['', 'Atbalstīt grafiku.']);
    const audit = await AuditEntryModel.findOne({ subject: `meeting:${String(m._id)}`, action: 'meeting.minutes' }).lean();
    expect(audit?.actor).toBe('cli');
  });
});

describe('produceMinutes', () => {
  it('tells the attendees and the audience once per person and channel, even when sent twice', async () => {
    const m = await meeting('padome-2026-03');
    await answer(m._id, 'anna', { answer: 'on_site' });
    await answer(m._id, 'marta', { answer: 'not_attending' });
    await answer(m._id, 'ilze', { answer: 'deputy', deputy: { name: 'Jānis Ozols', institution: 'VARAM' } });
    await answer(m._id, 'peteris', { answer: 'on_site', waitlisted: true, waitlistedAt: BEFORE });
    expect((await recordMinutes(input('padome-2026-03'))).ok).toBe(true);

    const produce = (messages: Parameters<typeof produceDeliveries>[1]) => produceDeliveries(testbed.outbox, messages);
    const first = await produceMinutes({ meetingId: String(m._id), produce, now: AFTER });
    const second = await produceMinutes({ meetingId: String(m._id), produce, now: AFTER });
    expect(first).toEqual({ ok: true, messages: 5 });
    expect(second).toEqual({ ok: true, messages: 5 });

    const deliveries = await DeliveryModel.find({ purpose: 'meeting.minutes', key: { $regex: `^meeting-minutes:${String(m._id)}:` } }).lean();
    expect(deliveries.map((d) => d.address).sort()).toEqual(['D-anna', 'D-marta', 'tg-anna', 'tg-ilze', 'tg-juris']);
    expect(deliveries.every((d) => d.priority === 'notice')).toBe(true);

    const anna = deliveries.find((d) => d.address === 'tg-anna');
    expect(anna?.text).toContain('Sēdes „Uzraudzības padomes sēde” (2026. gada 27. marts, plkst. 13.00) protokols un lēmumi.');
    expect(anna?.text).toContain('1. Progresa ziņojums\nPadomes lēmums: Pieņemt zināšanai.');
    expect(anna?.text).toContain('2. 6. plāna izstrāde\nPadomes lēmums: Atbalstīt 6. plāna izstrādes grafiku.');
    expect(anna?.links).toEqual([{ label: 'Protokols Nr. 1', url: 'https://www.mk.gov.lv/protokols-1.pdf' }]);
    expect(anna?.attachments).toEqual([]);

    const juris = deliveries.find((d) => d.address === 'tg-juris');
    expect(juris?.text).toContain('Minutes and decisions of "Supervisory council meeting" (27 March 2026, 11:00).');
    expect(juris?.text).toContain('1. Progress report\nCouncil decision: Pieņemt zināšanai.');

    expect((await MeetingModel.findById(m._id).lean())?.minutesSentAt).toEqual(AFTER);
  });

  it('attaches file minutes and says "Lēmums" outside the council', async () => {
    const m = await meeting('forums-2026-03', { kind: 'forum', audience: { contacts: [ids.juris] } });
    const recorded = await recordMinutes(
      input('forums-2026-03', { minutes: { label: 'Protokols', file: { name: 'forums.pdf', mediaType: 'application/pdf', bytes: Buffer.from('%PDF') } } }),
    );
    expect(recorded.ok).toBe(true);
    const sent: Parameters<typeof produceDeliveries>[1] = [];
    const result = await produceMinutes({ meetingId: String(m._id), produce: async (messages) => sent.push(...messages), now: AFTER });
    expect(result).toEqual({ ok: true, messages: 1 });
    expect(sent[0]?.text).toContain('Decision: Pieņemt zināšanai.');
    expect(sent[0]?.text).not.toContain('Council');
    expect(sent[0]?.links).toEqual([]);
    expect(sent[0]?.attachments).toEqual([{ name: 'forums.pdf', mediaType: 'application/pdf', source: { kind: 'stored', fileId: expect.any(String) } }]);
  });

  it('are sent by the scheduler tick after the CLI records them, once, however many ticks', async () => {
    const m = await meeting('padome-tick', { audience: { contacts: [ids.juris, ids.marta] } });
    expect((await recordMinutes(input('padome-tick'))).ok).toBe(true);
    const now = DateTime.fromJSDate(AFTER);
    await reconcileReminders({ now, outbox: testbed.outbox, digests: false });
    await reconcileReminders({ now: now.plus({ minutes: 1 }), outbox: testbed.outbox, digests: false });
    const deliveries = await DeliveryModel.find({ key: { $regex: `^meeting-minutes:${String(m._id)}:` } }).lean();
    expect(deliveries.map((d) => d.address).sort()).toEqual(['D-marta', 'tg-juris']);
    expect((await MeetingModel.findById(m._id).lean())?.minutesSentAt).toEqual(AFTER);
  });

  it('refuses a meeting without minutes and sends nothing', async () => {
    const m = await meeting('padome-bez-protokola');
    const sent: unknown[] = [];
    const result = await produceMinutes({ meetingId: String(m._id), produce: async (messages) => sent.push(...messages) });
    expect(result.ok).toBe(false);
    expect(sent).toEqual([]);
    expect((await MeetingModel.findById(m._id).lean())?.minutesSentAt).toBeUndefined();
  });
});

describe('myMeetings', () => {
  it('lists upcoming meetings with the answer and past ones with minutes and decisions', async () => {
    const upcoming = await meeting('padome-2026-06', {
      startsAt: new Date('2026-06-11T10:00:00Z'),
      endsAt: new Date('2026-06-11T11:30:00Z'),
    });
    await answer(upcoming._id, 'ilze', { answer: 'online' });
    // Not in the audience and no answer: not hers.
    await meeting('darba-grupa', { kind: 'working_group', audience: { roles: ['coordinator'] }, startsAt: new Date('2026-06-12T10:00:00Z'), endsAt: new Date('2026-06-12T11:00:00Z') });

    const annas = await myMeetings(String(ids.anna), new Date('2026-04-01T10:00:00Z'));
    expect(annas?.upcoming.map((m) => [m.id, m.answer])).toEqual([[String(upcoming._id), null]]);
    const past = annas?.past.find((m) => m.title.lv === 'Uzraudzības padomes sēde' && m.minutes?.url);
    expect(past?.minutes).toEqual({ label: 'Protokols Nr. 1', url: 'https://www.mk.gov.lv/protokols-1.pdf', fileName: null });
    expect(past?.decisions.map((d) => d.decision)).toEqual(['Pieņemt zināšanai.', 'Atbalstīt 6. plāna izstrādes grafiku.']);

    const ilzes = await myMeetings(String(ids.ilze), new Date('2026-04-01T10:00:00Z'));
    expect(ilzes?.upcoming.map((m) => m.answer)).toEqual([{ answer: 'online', deputyName: '', waitlisted: false }]);
    // She answered the March meeting (by deputy) without being in its audience: it is hers too.
    expect(ilzes?.past.map((m) => m.minutes?.label)).toEqual(['Protokols Nr. 1']);
    expect(await myMeetings(String(ids.oskars), new Date('2026-04-01T10:00:00Z'))).toEqual({ language: 'lv', timeZone: 'Europe/Riga', upcoming: [], past: [] });
  });
});

describe('meeting minutes (CLI)', () => {
  const run = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), 'ogp-minutes-'));
  const env = () => ({ ...process.env, MONGODB_URI: database.uri(), REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'silent' });
  const cli = (...args: string[]) =>
    run(join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli/main.ts', 'meeting', 'minutes', ...args], { cwd: projectRoot, env: env() }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints every problem and saves nothing, then records a file and the decisions', async () => {
    // Long past whatever day the test runs on.
    const m = await meeting('padome-cli', { startsAt: new Date('2020-03-27T11:00:00Z'), endsAt: new Date('2020-03-27T12:30:00Z') });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `decisions:\n  - number: 9\n    text: Pieņemt zināšanai.\n  - number: 1\n    text: ${'x'.repeat(MAX_DECISION_CHARS + 1)}\n`);
    const refused = await cli('--key', 'padome-cli', '--url', 'javascript:alert(1)', '--decisions', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Meeting padome-cli: 3 problems, nothing was changed.');
    expect(refused.stderr).toContain('„javascript:alert(1)” nav derīga saite');
    expect(refused.stderr).toContain('Darba kārtībā nav punkta 9.');
    expect(refused.stderr).toContain(`The decision on item 1 is ${MAX_DECISION_CHARS + 1} characters long`);
    expect((await MeetingModel.findById(m._id).lean())?.minutes).toBeUndefined();

    const malformed = join(dir, 'malformed.yaml');
    writeFileSync(malformed, 'decisions:\n  - number: first\n    txt: Pieņemt zināšanai.\n');
    const unread = await cli('--key', 'padome-cli', '--url', 'https://www.mk.gov.lv/p.pdf', '--decisions', malformed);
    expect(unread.code).toBe(1);
    expect(unread.stderr).toContain('decisions.0.number');
    expect(await cli('--key', 'padome-cli')).toMatchObject({ code: 2 });

    const good = join(dir, 'decisions.yaml');
    writeFileSync(good, 'decisions:\n  - number: 2\n    text: Atbalstīt grafiku.\n');
    const pdf = join(dir, 'protokols-cli.pdf');
    writeFileSync(pdf, '%PDF-1.4 protokols');
    const recorded = await cli('--key', 'padome-cli', '--file', pdf, '--label', 'Protokols Nr. 3', '--decisions', good);
    expect(recorded).toMatchObject({ code: 0 });
    expect(recorded.stdout).toContain('Recorded the minutes of padome-cli (Protokols Nr. 3) and 1 decision;');
    const stored = await MeetingModel.findById(m._id).lean();
    expect(stored?.minutes).toMatchObject({ label: 'Protokols Nr. 3', fileName: 'protokols-cli.pdf', mediaType: 'application/pdf' });
    expect(stored?.agenda.map((a) => a.decision)).toEqual(['', 'Atbalstīt grafiku.']);
  });
});
