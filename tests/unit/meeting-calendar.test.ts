import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { meetingCalendar, type CalendarMeeting } from '../../src/domain/meetings/calendar.js';
import { parseMeetingCalendar, rfc5545Problems } from '../support/ics.js';

const RIGA = 'Europe/Riga';
const riga = (iso: string) => DateTime.fromISO(iso, { zone: RIGA }).toJSDate();

function meeting(overrides: Partial<CalendarMeeting> = {}): CalendarMeeting {
  return {
    _id: '65b000000000000000000001',
    key: 'padome-2026-03',
    title: { lv: 'Uzraudzības padomes sēde', en: 'Monitoring council meeting' },
    startsAt: riga('2026-03-27T10:00'),
    endsAt: riga('2026-03-27T12:00'),
    timeZone: RIGA,
    place: 'Valsts kanceleja, Brīvības bulvāris 36, Rīga',
    onlineUrl: 'https://meet.example.lv/padome',
    agenda: [
      { number: 2, title: { lv: 'Pasākumu progress', en: 'Progress of the measures' }, presenter: 'Ilze Bērziņa' },
      { number: 1, title: { lv: 'Darba kārtības apstiprināšana', en: '' } },
    ],
    sequence: 0,
    organizer: { name: 'Ilze Bērziņa', email: 'ilze.berzina@example.lv' },
    ...overrides,
  };
}

const request = { method: 'REQUEST', language: 'lv' } as const;

/** The event's unfolded property line as written (still escaped), e.g. `SUMMARY`. */
function rawProperty(ics: string, name: string): string | undefined {
  const unfolded = ics.replace(/\r\n[ \t]/g, '');
  const event = unfolded.slice(unfolded.indexOf('BEGIN:VEVENT'));
  return event.split('\r\n').find((line) => line.startsWith(`${name}:`) || line.startsWith(`${name};`));
}

describe('the RFC 5545 checker the tests rely on', () => {
  const file = (...lines: (string | Buffer)[]) => Buffer.concat(lines.map((l) => (typeof l === 'string' ? Buffer.from(l) : l)));
  const wrap = (...body: (string | Buffer)[]) => file('BEGIN:VCALENDAR\r\n', ...body, 'END:VCALENDAR\r\n');

  it('passes a well-formed file and names every broken rule in a bad one', () => {
    expect(rfc5545Problems(wrap('SUMMARY:a\\, b\\; c\\\\ d\\n\r\n', 'LOCATION:Rī\r\n ga\r\n'))).toEqual([]);
    expect(rfc5545Problems(wrap('SUMMARY:a\n'))).toEqual(['a line ends without CRLF (bare CR or LF)', 'not closed: VCALENDAR']);
    expect(rfc5545Problems(file('BEGIN:VCALENDAR\r\nEND:VCALENDAR'))).toEqual(['the file does not end with CRLF']);
    expect(rfc5545Problems(wrap(`DESCRIPTION:${'a'.repeat(64)}\r\n`))).toEqual(['line 2 is 76 octets, more than 75']);
    // "ī" is two bytes; a fold between them leaves both physical lines invalid UTF-8.
    const ii = Buffer.from('ī');
    expect(rfc5545Problems(wrap('LOCATION:R', ii.subarray(0, 1), '\r\n ', ii.subarray(1), 'ga\r\n'))).toEqual([
      'line 2 is not valid UTF-8 (a character split by folding?)',
      'line 3 is not valid UTF-8 (a character split by folding?)',
    ]);
    expect(rfc5545Problems(wrap('SUMMARY:a, b; c \\x\r\n'))).toEqual(['SUMMARY: unescaped ","', 'SUMMARY: unescaped ";"', 'SUMMARY: backslash before "x"']);
  });
});

describe('meetingCalendar', () => {
  it('follows RFC 5545: CRLF everywhere, lines of at most 75 octets, Latvian letters never split, TEXT escaped', () => {
    // Long Latvian texts with two-byte letters (and a four-byte emoji) force folds at many byte offsets.
    const title = 'Padomes sēde; „Atvērtā pārvaldība”, \\ piektais plāns — ĢĒĶĻŅŠŽ ūāēīčņļķģš 🇱🇻 '.repeat(3).trim();
    const m = meeting({
      title: { lv: title, en: '' },
      place: 'Rīga, Brīvības bulvāris 36; 2. stāvs\nZālē „Ūdensrozes”',
      agenda: Array.from({ length: 6 }, (_, i) => ({
        number: i + 1,
        title: { lv: `Ziņojums par ģeogrāfiski šķērsgriezuma pārskatu, ${'ņ'.repeat(i * 7)}; un citu` },
        presenter: 'Žanis Ēķis',
      })),
    });
    const ics = meetingCalendar(m, request);
    expect(rfc5545Problems(ics)).toEqual([]);
    expect(ics.split('\r\n').filter((line) => line.startsWith(' ')).length).toBeGreaterThan(5);
    expect(rawProperty(ics, 'SUMMARY')).toContain('Padomes sēde\\; „Atvērtā pārvaldība”\\, \\\\ piektais');
    expect(rawProperty(ics, 'LOCATION')).toContain('Rīga\\, Brīvības bulvāris 36\\; 2. stāvs\\nZālē');

    const { event } = parseMeetingCalendar(ics);
    expect(event.getFirstPropertyValue('summary')).toBe(title);
    expect(event.getFirstPropertyValue('location')).toBe(`${m.place}, https://meet.example.lv/padome`);
    const description = String(event.getFirstPropertyValue('description'));
    expect(description.split('\n')[0]).toBe('Darba kārtība:');
    expect(description).toContain('6. Ziņojums par ģeogrāfiski šķērsgriezuma pārskatu, ' + 'ņ'.repeat(35) + '; un citu (ziņo: Žanis Ēķis)');
    expect(description.endsWith('\n\nTiešsaistē: https://meet.example.lv/padome')).toBe(true);
  });

  it.each([
    ['27 March 2026, before the spring change (UTC+2)', '2026-03-27T10:00', '2026-03-27T08:00:00.000Z'],
    ['29 March 2026, the morning of the spring change', '2026-03-29T10:00', '2026-03-29T07:00:00.000Z'],
    ['30 March 2026, after the spring change (UTC+3)', '2026-03-30T10:00', '2026-03-30T07:00:00.000Z'],
    ['24 October 2026, the day before the autumn change (UTC+3)', '2026-10-24T10:00', '2026-10-24T07:00:00.000Z'],
    ['26 October 2026, after the autumn change (UTC+2)', '2026-10-26T10:00', '2026-10-26T08:00:00.000Z'],
  ])('writes Riga wall-clock time with TZID and a VTIMEZONE that gives the right instant: %s', (_label, local, utc) => {
    const startsAt = riga(local);
    const endsAt = new Date(startsAt.getTime() + 90 * 60_000);
    const ics = meetingCalendar(meeting({ startsAt, endsAt }), request);
    const [date, time] = local.replace(/[-:]/g, '').split('T');
    expect(rawProperty(ics, 'DTSTART')).toBe(`DTSTART;TZID=Europe/Riga:${date}T${time}00`);

    const parsed = parseMeetingCalendar(ics);
    expect(parsed.start.toISOString()).toBe(utc);
    expect(parsed.end.getTime() - parsed.start.getTime()).toBe(90 * 60_000);
  });

  it('carries the Riga VTIMEZONE with both STANDARD (EET, +02) and DAYLIGHT (EEST, +03) rules', () => {
    const { vtimezone } = parseMeetingCalendar(meetingCalendar(meeting(), request));
    expect(vtimezone.getFirstPropertyValue('tzid')).toBe('Europe/Riga');
    const standard = vtimezone.getFirstSubcomponent('standard');
    const daylight = vtimezone.getFirstSubcomponent('daylight');
    expect(standard?.getFirstProperty('tzoffsetto')?.toICALString()).toBe('TZOFFSETTO:+0200');
    expect(daylight?.getFirstProperty('tzoffsetto')?.toICALString()).toBe('TZOFFSETTO:+0300');
    expect(String(daylight?.getFirstPropertyValue('rrule'))).toContain('BYMONTH=3');
    expect(String(standard?.getFirstPropertyValue('rrule'))).toContain('BYMONTH=10');
  });

  it('keeps the UID across edits, so the calendar entry is replaced, and one UID per meeting', () => {
    const before = parseMeetingCalendar(meetingCalendar(meeting(), request)).event;
    const edited = meeting({ key: 'padome-2026-04', title: { lv: 'Pārcelta sēde' }, startsAt: riga('2026-04-02T14:00'), endsAt: riga('2026-04-02T16:00'), sequence: 1 });
    const after = parseMeetingCalendar(meetingCalendar(edited, request)).event;
    const other = parseMeetingCalendar(meetingCalendar(meeting({ _id: '65b000000000000000000002' }), request)).event;
    expect(before.getFirstPropertyValue('uid')).toBe('meeting-65b000000000000000000001@ogp-forums.lv');
    expect(after.getFirstPropertyValue('uid')).toBe(before.getFirstPropertyValue('uid'));
    expect(other.getFirstPropertyValue('uid')).not.toBe(before.getFirstPropertyValue('uid'));
  });

  it('writes the meeting sequence as SEQUENCE', () => {
    for (const sequence of [0, 1, 7]) {
      expect(parseMeetingCalendar(meetingCalendar(meeting({ sequence }), request)).event.getFirstPropertyValue('sequence')).toBe(sequence);
    }
  });

  it('asks with METHOD:REQUEST and a confirmed event, cancels with METHOD:CANCEL and STATUS:CANCELLED', () => {
    const invitation = parseMeetingCalendar(meetingCalendar(meeting({ sequence: 2 }), request));
    expect(invitation.calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(invitation.event.getFirstPropertyValue('status')).toBe('CONFIRMED');

    const cancellation = parseMeetingCalendar(meetingCalendar(meeting({ sequence: 3 }), { method: 'CANCEL', language: 'lv' }));
    expect(cancellation.calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(cancellation.event.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(cancellation.event.getFirstPropertyValue('sequence')).toBe(3);
    expect(cancellation.event.getFirstPropertyValue('uid')).toBe(invitation.event.getFirstPropertyValue('uid'));
  });

  it('writes English when asked and falls back to Latvian where English is missing', () => {
    const { event } = parseMeetingCalendar(meetingCalendar(meeting(), { method: 'REQUEST', language: 'en' }));
    expect(event.getFirstPropertyValue('summary')).toBe('Monitoring council meeting');
    expect(String(event.getFirstPropertyValue('description')).split('\n')).toEqual([
      'Agenda:',
      '1. Darba kārtības apstiprināšana',
      '2. Progress of the measures (presenter: Ilze Bērziņa)',
      '',
      'Online: https://meet.example.lv/padome',
    ]);
    const latvianOnly = parseMeetingCalendar(meetingCalendar(meeting({ title: { lv: 'Padomes sēde', en: '  ' } }), { method: 'REQUEST', language: 'en' }));
    expect(latvianOnly.event.getFirstPropertyValue('summary')).toBe('Padomes sēde');
  });

  it('gives the online link as URL and in LOCATION, and an organizer with name and e-mail', () => {
    const ics = meetingCalendar(meeting({ place: '', onlineUrl: 'https://meet.example.lv/j?id=1;pwd=a,b' }), request);
    expect(rfc5545Problems(ics)).toEqual([]);
    const { event } = parseMeetingCalendar(ics);
    // URL is a URI value: not TEXT-escaped, so the characters TEXT would escape are percent-encoded.
    expect(rawProperty(ics, 'URL')).toBe('URL;VALUE=URI:https://meet.example.lv/j?id=1%3Bpwd=a%2Cb');
    expect(event.getFirstPropertyValue('location')).toBe('https://meet.example.lv/j?id=1;pwd=a,b');
    const organizer = event.getFirstProperty('organizer');
    expect(organizer?.getFirstValue()).toBe('mailto:ilze.berzina@example.lv');
    expect(organizer?.getParameter('cn')).toBe('Ilze Bērziņa');
  });

  it('leaves out URL, ORGANIZER and DESCRIPTION when there is nothing to put in them', () => {
    const ics = meetingCalendar(meeting({ onlineUrl: '', organizer: undefined, agenda: [] }), request);
    const { event } = parseMeetingCalendar(ics);
    expect(event.getFirstProperty('url')).toBeNull();
    expect(event.getFirstProperty('organizer')).toBeNull();
    expect(event.getFirstProperty('description')).toBeNull();
    expect(event.getFirstPropertyValue('location')).toBe('Valsts kanceleja, Brīvības bulvāris 36, Rīga');
  });

  it('stamps DTSTAMP in UTC', () => {
    const before = Date.now();
    const stamp = rawProperty(meetingCalendar(meeting(), request), 'DTSTAMP');
    expect(stamp).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
    const at = DateTime.fromFormat(stamp!.slice('DTSTAMP:'.length), "yyyyMMdd'T'HHmmss'Z'", { zone: 'utc' }).toMillis();
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a time zone it has no VTIMEZONE for', () => {
    expect(() => meetingCalendar(meeting({ timeZone: 'Nowhere/Atlantis' }), request)).toThrow(/Nowhere\/Atlantis/);
  });
});
