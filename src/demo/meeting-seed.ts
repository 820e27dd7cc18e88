import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { projectRoot } from '../infra/local-services.js';
import { formatProblem } from '../domain/plan/plan-import-problem.js';
import { LOCAL_FORMAT } from '../domain/meetings/meeting-file.js';
import { saveMeeting } from '../domain/meetings/meetings.js';
import { answerMeeting } from '../domain/meetings/rsvp.js';
import { addWorkingDays, isWorkingDay, nextWorkingDay } from '../domain/reminders/working-days.js';
import { ContactModel, type MeetingDoc } from '../models/index.js';

const EXAMPLE = 'config/meetings/padome-2026-03.yaml';

/**
 * The demo's council meeting: the shipped example file, moved two working weeks ahead so that it
 * is upcoming and its registration open, with the deadline three working days before it (so no
 * "please answer" reminder is due yet and the first thing the person sees is the invitation).
 * Two other forum members have already answered, so the coordinator's /attendees has something
 * to count besides the person playing.
 */
export async function seedDemoMeeting(now: DateTime, defaultTimeZone: string, playing: string): Promise<MeetingDoc> {
  const file = parse(readFileSync(join(projectRoot, EXAMPLE), 'utf8')) as Record<string, unknown>;
  const zone = typeof file.timeZone === 'string' ? file.timeZone : defaultTimeZone;
  let day = addWorkingDays(now.setZone(zone).startOf('day'), 10);
  if (!isWorkingDay(day)) day = nextWorkingDay(day);
  const start = day.set({ hour: 13 });
  const deadline = addWorkingDays(start, -3).set({ hour: 17 });
  const saved = await saveMeeting(
    {
      ...file,
      key: `padome-${start.toFormat('yyyy-MM')}`,
      start: start.toFormat(LOCAL_FORMAT),
      end: start.plus({ minutes: 90 }).toFormat(LOCAL_FORMAT),
      registrationDeadline: deadline.toFormat(LOCAL_FORMAT),
    },
    { actor: 'demo', now: now.toJSDate(), defaultTimeZone },
  );
  if (!saved.ok) throw new Error(saved.problems.map(formatProblem).join('\n'));

  const answers = [
    { email: 'arturs.liepins@example.lv', answer: 'on_site' as const },
    { email: 'janis.kalnins@example.lv', answer: 'deputy' as const, deputy: { name: 'Zane Krūze', institution: 'VARAM' } },
  ];
  for (const { email, ...rest } of answers.filter((a) => a.email !== playing)) {
    const contact = await ContactModel.findOne({ email }, { _id: 1 }).lean();
    if (!contact) continue;
    const result = await answerMeeting({
      meetingId: String(saved.meeting._id),
      contactId: String(contact._id),
      ...rest,
      now: now.toJSDate(),
      // Nobody waits for a place in a meeting of 40, so these answers notify no one.
      produce: async () => undefined,
    });
    if (!result.ok) throw new Error(result.text);
  }
  return saved.meeting;
}
