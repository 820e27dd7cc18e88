import { DateTime } from 'luxon';
import { ContactModel, DeliveryModel, type Language } from '../../src/models/index.js';
import { parseMeetingCalendar, rfc5545Problems } from './ics.js';

/**
 * The council meeting both end-to-end meeting tests (tests/e2e/meetings-*.test.ts) play through:
 * announced on Monday 4 May 2026 for Thursday 14 May, 13.00–14.30 in Riga, registration until
 * Monday 11 May 17.00. Each test names its own key and people, so the two files share nothing at run time.
 */

export const ZONE = 'Europe/Riga';
export const riga = (iso: string) => DateTime.fromISO(iso, { zone: ZONE });
/** When the coordinator announces the meeting. */
export const ANNOUNCED = riga('2026-05-04T09:00');
export const ONLINE_URL = 'https://meet.example.lv/padome-maijs';
export const PLACE = 'Valsts kancelejas Bibliotēka, Brīvības bulvāris 36, Rīga';
export const ORGANIZER = { name: 'Ilze Bērziņa', email: 'ilze.berzina@example.lv', institution: 'VK', roles: ['coordinator'], language: 'lv' as Language };

/** The meeting as a meeting file's fields (saveMeeting takes this object or its YAML). */
export function meetingFile(key: string, people: string[], times: { start: string; end: string } = { start: '2026-05-14 13:00', end: '2026-05-14 14:30' }) {
  return {
    key,
    kind: 'council',
    title: { lv: 'Uzraudzības padomes sēde', en: 'Supervisory council meeting' },
    timeZone: ZONE,
    start: times.start,
    end: times.end,
    place: PLACE,
    onlineUrl: ONLINE_URL,
    registrationDeadline: '2026-05-11 17:00',
    organizer: ORGANIZER.email,
    agenda: [
      { number: 1, title: { lv: 'Progresa ziņojums', en: 'Progress report' }, presenter: 'VK' },
      { number: 2, title: { lv: '6. plāna izstrāde', en: 'Drafting the 6th plan' } },
    ],
    audience: { people },
  };
}

export async function createOrganizer(): Promise<void> {
  await ContactModel.create(ORGANIZER);
}

/** The calendar file's bytes, checked against RFC 5545 and read back with ical.js. */
export function readCalendar(bytes: Buffer) {
  const text = bytes.toString('utf8');
  const parsed = parseMeetingCalendar(text);
  return {
    problems: rfc5545Problems(bytes),
    method: String(parsed.calendar.getFirstPropertyValue('method')),
    sequence: Number(parsed.event.getFirstPropertyValue('sequence')),
    uid: String(parsed.event.getFirstPropertyValue('uid')),
    start: parsed.start.toISOString(),
    end: parsed.end.toISOString(),
  };
}

/** Resolves once the outbox has sent (or given up on) everything produced so far. */
export async function outboxDrained(timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await DeliveryModel.countDocuments({ state: 'pending' })) > 0) {
    if (Date.now() > until) throw new Error('the outbox did not drain in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // A sent delivery is marked after the platform answered; give a stray duplicate the time to show.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

/** Deliveries of `purpose` per contact name, to say "once" in one assertion. */
export async function deliveriesByName(purpose: string): Promise<Record<string, number>> {
  const rows = await DeliveryModel.find({ purpose }, { contact: 1 }).lean();
  const names = new Map((await ContactModel.find({}, { name: 1 }).lean()).map((c) => [String(c._id), c.name]));
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const name = names.get(String(row.contact)) ?? String(row.contact);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
