import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { meetingCalendarFile } from '../../src/domain/meetings/calendar.js';
import { readAttachment } from '../../src/domain/chat/files.js';
import { MeetingModel, StoredFileModel } from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { parseMeetingCalendar, rfc5545Problems } from '../support/ics.js';

useTestDatabase();

const riga = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Riga' }).toJSDate();

/** A meeting as the model stores it, read back lean, with its organizer resolved to a name and address. */
async function storedMeeting(key: string, sequence: number) {
  const created = await MeetingModel.create({
    key,
    kind: 'council',
    title: { lv: 'Uzraudzības padomes sēde, pavasaris', en: 'Monitoring council meeting, spring' },
    startsAt: riga('2026-03-30T10:00'),
    endsAt: riga('2026-03-30T12:30'),
    place: 'Valsts kanceleja, Brīvības bulvāris 36, Rīga',
    onlineUrl: 'https://meet.example.lv/padome',
    agenda: [{ number: 1, title: { lv: 'Rīcības plāna progress' }, presenter: 'Līga Ozola' }],
    sequence,
  });
  const meeting = await MeetingModel.findById(created._id).lean();
  if (!meeting) throw new Error('the meeting was not stored');
  return { ...meeting, organizer: { name: 'Ilze Bērziņa', email: 'ilze.berzina@example.lv' } };
}

describe('meetingCalendarFile', () => {
  it('stores the invitation as <key>.ics with the REQUEST media type, and the stored bytes are a valid calendar', async () => {
    const meeting = await storedMeeting('padome-2026-03-30', 2);
    const attachment = await meetingCalendarFile(meeting, { method: 'REQUEST', language: 'lv' });
    expect(attachment.name).toBe('padome-2026-03-30.ics');
    expect(attachment.mediaType).toBe('text/calendar; charset=utf-8; method=REQUEST');
    expect(attachment.source.kind).toBe('stored');

    const bytes = await readAttachment(attachment);
    expect(rfc5545Problems(bytes)).toEqual([]);
    const parsed = parseMeetingCalendar(bytes.toString('utf8'));
    expect(parsed.calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(parsed.event.getFirstPropertyValue('uid')).toBe(`meeting-${String(meeting._id)}@ogp-forums.lv`);
    expect(parsed.event.getFirstPropertyValue('sequence')).toBe(2);
    expect(parsed.event.getFirstPropertyValue('summary')).toBe('Uzraudzības padomes sēde, pavasaris');
    // 30 March 2026 is after the spring change: 10.00 in Riga is 07.00 UTC.
    expect(parsed.start.toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(parsed.end.toISOString()).toBe('2026-03-30T09:30:00.000Z');

    const stored = await StoredFileModel.findById(attachment.source.fileId, { origin: 1 }).lean();
    expect(stored?.origin).toBe(`meeting-calendar:${String(meeting._id)}`);
  });

  it('stores a cancellation as its own file with the CANCEL media type and METHOD:CANCEL', async () => {
    const meeting = await storedMeeting('padome-2026-04-atcelta', 3);
    const invitation = await meetingCalendarFile(meeting, { method: 'REQUEST', language: 'en' });
    const cancellation = await meetingCalendarFile(meeting, { method: 'CANCEL', language: 'en' });
    expect(cancellation.mediaType).toBe('text/calendar; charset=utf-8; method=CANCEL');
    expect(cancellation.name).toBe('padome-2026-04-atcelta.ics');
    expect(cancellation.source.fileId).not.toBe(invitation.source.fileId);

    const bytes = await readAttachment(cancellation);
    expect(rfc5545Problems(bytes)).toEqual([]);
    const { calendar, event } = parseMeetingCalendar(bytes.toString('utf8'));
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(event.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(event.getFirstPropertyValue('summary')).toBe('Monitoring council meeting, spring');
    expect(event.getFirstPropertyValue('uid')).toBe(`meeting-${String(meeting._id)}@ogp-forums.lv`);
  });
});
