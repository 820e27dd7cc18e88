import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REMINDER_POLICY as POLICY,
  coordinatorStepId,
  coordinatorStepPassed,
  deadlineFromDate,
  deadlineKey,
  dueReminder,
  isWithinOfficeHours,
  reminderSchedule,
  snoozeUntil,
  type ReminderPolicy,
  type ReminderStep,
} from '../../src/domain/reminders/reminder-policy.js';

const RIGA = 'Europe/Riga';
const NEW_YORK = 'America/New_York';
const riga = (iso: string) => DateTime.fromISO(iso, { zone: RIGA });

/** Steps as `id@local ISO`, with `!` when the coordinator is told: one readable line per step. */
const show = (steps: ReminderStep[]) =>
  steps.map((s) => `${s.id}@${s.at.toISO({ suppressMilliseconds: true })}${s.notifyCoordinator ? '!' : ''}`);

function schedule(date: string, opts: { zone?: string; untilDays?: number; policy?: ReminderPolicy } = {}) {
  const deadline = deadlineFromDate(date, RIGA);
  return reminderSchedule({
    deadline,
    policy: opts.policy ?? POLICY,
    zone: opts.zone ?? RIGA,
    until: deadline.plus({ days: opts.untilDays ?? 0 }),
  });
}

function due(
  date: string,
  now: DateTime,
  opts: { sent?: string[]; reported?: boolean; snoozedUntil?: DateTime | null; zone?: string } = {},
) {
  return dueReminder({
    deadline: deadlineFromDate(date, RIGA),
    policy: POLICY,
    zone: opts.zone ?? RIGA,
    now,
    reported: opts.reported ?? false,
    snoozedUntil: opts.snoozedUntil,
    sentStepIds: new Set(opts.sent ?? []),
  });
}

describe('deadlineFromDate and deadlineKey', () => {
  it('makes "due 1 February 2026" the end of that day in Riga', () => {
    expect(deadlineFromDate('2026-02-01', RIGA).toISO()).toBe('2026-02-01T23:59:59.999+02:00');
    expect(deadlineFromDate('2026-03-29', RIGA).toISO()).toBe('2026-03-29T23:59:59.999+03:00');
    expect(deadlineFromDate('2026-10-25', RIGA).toISO()).toBe('2026-10-25T23:59:59.999+02:00');
  });

  it('refuses a malformed date or zone with a Latvian and English message', () => {
    expect(() => deadlineFromDate('1.02.2026', RIGA)).toThrow(/Nederīgs termiņa datums.*Invalid deadline date/);
    expect(() => deadlineFromDate('2026-02-30', RIGA)).toThrow(/expected YYYY-MM-DD/);
    expect(() => deadlineFromDate('2026-02-01', 'Europe/Rīga')).toThrow(/Nezināma laika zona.*Unknown time zone/);
  });

  it('keys the deadline by its calendar day, whatever zone it is viewed in', () => {
    const deadline = deadlineFromDate('2026-02-01', RIGA);
    expect(deadlineKey(deadline)).toBe('2026-02-01');
    expect(deadlineKey(deadline.toUTC())).toBe('2026-02-01');
    expect(deadlineKey(deadlineFromDate('2026-02-15', RIGA))).toBe('2026-02-15');
  });
});

describe('reminderSchedule', () => {
  it('plans 1 February 2026 (a Sunday): steps move back to Friday, d-2 yields to d-0 on the same day', () => {
    expect(show(schedule('2026-02-01', { untilDays: 12 }))).toEqual([
      'd-14@2026-01-16T09:00:00+02:00', // Sunday 18 Jan -> Friday (Saturday 17 Jan, a moved working day, stays weekend)
      'd-7@2026-01-23T09:00:00+02:00', // Sunday 25 Jan -> Friday
      'd-0@2026-01-30T09:00:00+02:00', // d-2 (Friday 30 Jan) is the same day: only d-0 stays
      'overdue-1@2026-02-04T09:00:00+02:00', // 3 working days after the deadline day: Mon, Tue, Wed
      'overdue-2@2026-02-09T09:00:00+02:00!', // Thu, Fri, Mon; the coordinator is told
      'overdue-3@2026-02-12T09:00:00+02:00',
    ]);
  });

  it('returns only the steps up to `until`', () => {
    const deadline = deadlineFromDate('2026-02-01', RIGA);
    const until = riga('2026-01-23T09:00');
    expect(reminderSchedule({ deadline, policy: POLICY, zone: RIGA, until }).map((s) => s.id)).toEqual(['d-14', 'd-7']);
    expect(reminderSchedule({ deadline, policy: POLICY, zone: RIGA, until: until.minus({ millisecond: 1 }) })).toHaveLength(1);
  });

  it('keeps every step at 09:00 local across the March clock change (UTC offset differs)', () => {
    const steps = schedule('2026-03-31', { untilDays: 1 });
    expect(show(steps)).toEqual([
      'd-14@2026-03-17T09:00:00+02:00',
      'd-7@2026-03-24T09:00:00+02:00',
      'd-2@2026-03-27T09:00:00+02:00', // Sunday 29 March, the change day, -> Friday
      'd-0@2026-03-31T09:00:00+03:00',
    ]);
    expect(steps.map((s) => s.at.toUTC().hour)).toEqual([7, 7, 7, 6]);
  });

  it('counts overdue working days over the March change and Easter', () => {
    // Deadline Sunday 29 March: Mon 30, Tue 31, Wed 1 April -> overdue-1; then Thu 2, (Good Friday,
    // Easter Monday), Tue 7, Wed 8 -> overdue-2.
    expect(show(schedule('2026-03-29', { untilDays: 10 }))).toEqual([
      'd-14@2026-03-13T09:00:00+02:00', // Sunday 15 March -> Friday
      'd-7@2026-03-20T09:00:00+02:00',
      'd-0@2026-03-27T09:00:00+02:00',
      'overdue-1@2026-04-01T09:00:00+03:00',
      'overdue-2@2026-04-08T09:00:00+03:00!',
    ]);
  });

  it('keeps 09:00 local across the October clock change', () => {
    const steps = schedule('2026-10-25', { untilDays: 4 });
    expect(show(steps)).toEqual([
      'd-14@2026-10-09T09:00:00+03:00', // Sunday 11 Oct -> Friday
      'd-7@2026-10-16T09:00:00+03:00',
      'd-0@2026-10-23T09:00:00+03:00', // deadline Sunday 25 Oct, the change day
      'overdue-1@2026-10-28T09:00:00+02:00',
    ]);
    expect(steps.map((s) => s.at.toUTC().hour)).toEqual([6, 6, 6, 7]);
  });

  it('moves d-0 before Proclamation Day, 18 November', () => {
    expect(show(schedule('2026-11-18')).slice(-2)).toEqual([
      'd-2@2026-11-16T09:00:00+02:00',
      'd-0@2026-11-17T09:00:00+02:00',
    ]);
  });

  it('moves a deadline on 4 May (Monday) back over the long weekend and 1 May', () => {
    expect(show(schedule('2026-05-04', { untilDays: 3 }))).toEqual([
      'd-14@2026-04-20T09:00:00+03:00',
      'd-7@2026-04-27T09:00:00+03:00',
      'd-0@2026-04-30T09:00:00+03:00', // d-2 (Sat 2 May) also lands on Thursday 30 April and is dropped
      'overdue-1@2026-05-07T09:00:00+03:00',
    ]);
  });

  it('moves a deadline on Jāņi back over Līgo and the moved Monday 22 June', () => {
    expect(show(schedule('2026-06-24', { untilDays: 5 }))).toEqual([
      'd-14@2026-06-10T09:00:00+03:00',
      'd-7@2026-06-17T09:00:00+03:00',
      'd-0@2026-06-19T09:00:00+03:00',
      'overdue-1@2026-06-29T09:00:00+03:00', // Thu 25, Fri 26, (Sat 27 skipped), Mon 29
    ]);
  });

  it('moves Christmas and New Year deadlines back to the last working day of the year', () => {
    expect(show(schedule('2026-12-25')).slice(-2)).toEqual([
      'd-7@2026-12-18T09:00:00+02:00',
      'd-0@2026-12-23T09:00:00+02:00', // Christmas Eve is a holiday; d-2 is the same Wednesday
    ]);
    // Sunday 4 January 2026: back over the weekend, the moved 2 January, New Year, Vecgada vakars.
    expect(show(schedule('2026-01-04')).slice(-2)).toEqual([
      'd-7@2025-12-23T09:00:00+02:00', // Sunday 28 Dec -> Tuesday 23 Dec
      'd-0@2025-12-30T09:00:00+02:00',
    ]);
  });

  it('keeps only the step closest to the deadline when several fall on one day', () => {
    const policy = { ...POLICY, daysBefore: [3, 2, 1] };
    expect(schedule('2026-05-04', { policy }).map((s) => s.id)).toEqual(['d-0']);
    expect(schedule('2026-05-04', { policy: { ...policy, onDeadlineMorning: false } }).map((s) => s.id)).toEqual([
      'd-1',
    ]);
  });

  it('plans a New York partner’s steps at 09:00 in New York, before the Riga deadline ends', () => {
    // The US changes its clocks on 8 March, Latvia on 29 March: the gap to Riga is 6 h, then 7 h.
    const steps = schedule('2026-03-31', { zone: NEW_YORK, untilDays: 1 });
    expect(show(steps)).toEqual([
      'd-14@2026-03-17T09:00:00-04:00',
      'd-7@2026-03-24T09:00:00-04:00',
      'd-2@2026-03-27T09:00:00-04:00',
      'd-0@2026-03-31T09:00:00-04:00',
    ]);
    expect(steps.map((s) => s.at.setZone(RIGA).hour)).toEqual([15, 15, 15, 16]);
  });

  it('follows the overdue cadence and coordinator setting of the policy', () => {
    const everyDay = { ...POLICY, overdueEveryWorkingDays: 1, tellCoordinatorAfterOverdue: 3 };
    expect(show(schedule('2026-02-04', { policy: everyDay, untilDays: 5 }).filter((s) => s.kind === 'overdue'))).toEqual([
      'overdue-1@2026-02-05T09:00:00+02:00',
      'overdue-2@2026-02-06T09:00:00+02:00',
      'overdue-3@2026-02-09T09:00:00+02:00!',
    ]);
    const never = { ...POLICY, tellCoordinatorAfterOverdue: 0 };
    expect(schedule('2026-02-04', { policy: never, untilDays: 30 }).some((s) => s.notifyCoordinator)).toBe(false);
  });

  it('refuses a policy that could never finish or has no office hours', () => {
    expect(() => schedule('2026-02-04', { policy: { ...POLICY, overdueEveryWorkingDays: 0 } })).toThrow(
      /overdueEveryWorkingDays must be at least 1/,
    );
    expect(() => schedule('2026-02-04', { policy: { ...POLICY, officeHoursStart: 17 } })).toThrow(/office hours/);
    expect(() => schedule('2026-02-04', { policy: { ...POLICY, daysBefore: [7, -1] } })).toThrow(/daysBefore/);
  });
});

describe('isWithinOfficeHours', () => {
  it.each([
    ['2026-02-03T08:59', false],
    ['2026-02-03T09:00', true],
    ['2026-02-03T16:59:59', true],
    ['2026-02-03T17:00', false],
    ['2026-02-07T11:00', false], // Saturday
    ['2026-11-18T11:00', false], // Proclamation Day
  ])('in Riga at %s: %s', (iso, expected) => {
    expect(isWithinOfficeHours(riga(iso), RIGA, POLICY)).toBe(expected);
  });

  it('uses the recipient’s own clock', () => {
    expect(isWithinOfficeHours(riga('2026-02-03T15:59'), NEW_YORK, POLICY)).toBe(false); // 08:59 NY
    expect(isWithinOfficeHours(riga('2026-02-03T16:00'), NEW_YORK, POLICY)).toBe(true); // 09:00 NY
    expect(isWithinOfficeHours(riga('2026-02-03T23:59'), NEW_YORK, POLICY)).toBe(true); // 16:59 NY
    expect(isWithinOfficeHours(riga('2026-02-04T00:00'), NEW_YORK, POLICY)).toBe(false); // 17:00 NY
  });
});

describe('dueReminder', () => {
  const DL = '2026-02-01'; // d-14 Fri 16 Jan, d-7 Fri 23 Jan, d-0 Fri 30 Jan, overdue Wed 4 / Mon 9 / Thu 12 Feb

  it('waits for office hours on the step’s day: nothing at 08:59, d-0 at 09:00', () => {
    const sent = ['d-14', 'd-7'];
    expect(due(DL, riga('2026-01-30T08:59'), { sent })).toBeNull();
    expect(due(DL, riga('2026-01-30T09:00'), { sent })).toMatchObject({ id: 'd-0', kind: 'deadline' });
    expect(due(DL, riga('2026-01-30T16:59'), { sent })?.id).toBe('d-0');
  });

  it('holds a step that came due outside office hours until the next working-day morning', () => {
    const sent = ['d-14', 'd-7'];
    expect(due(DL, riga('2026-01-30T17:00'), { sent })).toBeNull();
    expect(due(DL, riga('2026-01-31T10:00'), { sent })).toBeNull(); // Saturday
    expect(due(DL, riga('2026-02-02T08:59'), { sent })).toBeNull();
    expect(due(DL, riga('2026-02-02T09:00'), { sent })?.id).toBe('d-0');
  });

  it('reminds a New York partner in their office hours, not at 09:00 Riga time', () => {
    const sent = ['d-14', 'd-7'];
    expect(due(DL, riga('2026-01-30T09:00'), { sent, zone: NEW_YORK })).toBeNull(); // 02:00 in New York
    expect(due(DL, riga('2026-01-30T15:59'), { sent, zone: NEW_YORK })).toBeNull();
    const step = due(DL, riga('2026-01-30T16:00'), { sent, zone: NEW_YORK });
    expect(step?.id).toBe('d-0');
    expect(step?.at.toISO()).toBe('2026-01-30T09:00:00.000-05:00');
  });

  it('stops the moment the report is in', () => {
    expect(due(DL, riga('2026-01-30T09:00'), { sent: ['d-14', 'd-7'], reported: true })).toBeNull();
    expect(due(DL, riga('2026-02-09T10:00'), { sent: ['d-14', 'd-7', 'd-0', 'overdue-1'], reported: true })).toBeNull();
  });

  it('never gives the same step twice', () => {
    expect(due(DL, riga('2026-01-30T09:05'), { sent: ['d-14', 'd-7', 'd-0'] })).toBeNull();
    expect(due(DL, riga('2026-02-03T12:00'), { sent: ['d-14', 'd-7', 'd-0'] })).toBeNull();
  });

  it('after a missed week sends only the latest step and treats the earlier ones as superseded', () => {
    // Scheduler down from 16 to 30 January: d-7 was missed, d-0 is the one to send.
    const step = due(DL, riga('2026-01-30T11:00'), { sent: ['d-14'] });
    expect(step?.id).toBe('d-0');
    expect(due(DL, riga('2026-01-30T11:15'), { sent: ['d-14', 'd-0'] })).toBeNull();
    expect(due(DL, riga('2026-02-02T09:00'), { sent: ['d-14', 'd-0'] })).toBeNull();
  });

  it('sends the latest step to a round opened late instead of nothing', () => {
    expect(due(DL, riga('2026-01-26T10:00'))?.id).toBe('d-7');
  });

  it('tells the coordinator once, even when the second overdue reminder was missed', () => {
    const before = ['d-14', 'd-7', 'd-0'];
    expect(due(DL, riga('2026-02-09T09:00'), { sent: [...before, 'overdue-1'] })).toMatchObject({
      id: 'overdue-2',
      notifyCoordinator: true,
    });
    // Down over overdue-1 and overdue-2: overdue-3 carries the coordinator flag instead.
    expect(due(DL, riga('2026-02-13T10:00'), { sent: before })).toMatchObject({
      id: 'overdue-3',
      notifyCoordinator: true,
    });
    expect(due(DL, riga('2026-02-17T09:00'), { sent: [...before, 'overdue-3'] })).toMatchObject({
      id: 'overdue-4',
      notifyCoordinator: false,
    });
  });
});

describe('the step that tells the coordinator', () => {
  const DL = '2026-02-01'; // overdue-1 Wed 4 Feb, overdue-2 Mon 9 Feb (tells), overdue-3 Thu 12 Feb
  const passed = (now: DateTime, sent: string[], policy: ReminderPolicy = POLICY) =>
    coordinatorStepPassed({ deadline: deadlineFromDate(DL, RIGA), policy, zone: RIGA, now, sentStepIds: new Set(sent) });

  it('is overdue-2 by default and none when the policy tells nobody', () => {
    expect(coordinatorStepId(POLICY)).toBe('overdue-2');
    expect(coordinatorStepId({ ...POLICY, tellCoordinatorAfterOverdue: 3 })).toBe('overdue-3');
    expect(coordinatorStepId({ ...POLICY, tellCoordinatorAfterOverdue: 0 })).toBeNull();
  });

  it('has passed once the person was reminded at or after it, by a regular step or a snooze', () => {
    expect(passed(riga('2026-02-09T09:00'), ['d-0', 'overdue-1'])).toBe(false);
    expect(passed(riga('2026-02-09T09:00'), ['overdue-1', 'overdue-2'])).toBe(true);
    expect(passed(riga('2026-02-13T10:00'), ['d-0', 'overdue-3'])).toBe(true);
    expect(passed(riga('2026-02-13T10:00'), ['overdue-1', 'snooze-2026-02-10'])).toBe(true);
    expect(passed(riga('2026-02-13T10:00'), ['overdue-1', 'snooze-2026-02-06'])).toBe(false);
    // Before the step's time nothing has passed; with a policy that tells nobody, never.
    expect(passed(riga('2026-02-06T10:00'), ['overdue-2'])).toBe(false);
    expect(passed(riga('2026-02-13T10:00'), ['overdue-3'], { ...POLICY, tellCoordinatorAfterOverdue: 0 })).toBe(false);
  });
});

describe('snooze', () => {
  it('"remind me tomorrow" is the next working day at 09:00 in the recipient’s zone', () => {
    expect(snoozeUntil(riga('2026-01-27T10:15'), RIGA, POLICY).toISO()).toBe('2026-01-28T09:00:00.000+02:00');
    expect(snoozeUntil(riga('2026-01-30T14:00'), RIGA, POLICY).toISO()).toBe('2026-02-02T09:00:00.000+02:00'); // Fri -> Mon
    expect(snoozeUntil(riga('2026-11-17T11:00'), RIGA, POLICY).toISO()).toBe('2026-11-19T09:00:00.000+02:00'); // over 18 Nov
    expect(snoozeUntil(riga('2026-06-19T11:00'), RIGA, POLICY).toISO()).toBe('2026-06-25T09:00:00.000+03:00'); // over Jāņi
    // Friday 16:30 in New York is already Saturday in Riga; the snooze follows New York.
    expect(snoozeUntil(riga('2026-01-30T23:30'), NEW_YORK, POLICY).toISO()).toBe('2026-02-02T09:00:00.000-05:00');
  });

  const DL = '2026-02-11'; // d-14 Wed 28 Jan, d-7 Wed 4 Feb, d-2 Mon 9 Feb, d-0 Wed 11 Feb
  const sent = ['d-14', 'd-7', 'd-2'];

  it('gives the promised reminder when the snooze ends, once', () => {
    const until = snoozeUntil(riga('2026-02-09T09:30'), RIGA, POLICY); // Tue 10 Feb 09:00
    expect(due(DL, riga('2026-02-09T16:00'), { sent, snoozedUntil: until })).toBeNull();
    expect(due(DL, riga('2026-02-10T08:59'), { sent, snoozedUntil: until })).toBeNull();
    const step = due(DL, riga('2026-02-10T09:00'), { sent, snoozedUntil: until });
    expect(step).toMatchObject({ id: 'snooze-2026-02-10', kind: 'snooze', notifyCoordinator: false });
    expect(due(DL, riga('2026-02-10T09:15'), { sent: [...sent, 'snooze-2026-02-10'], snoozedUntil: until })).toBeNull();
    // The next regular step still comes.
    expect(due(DL, riga('2026-02-11T09:00'), { sent: [...sent, 'snooze-2026-02-10'], snoozedUntil: until })?.id).toBe(
      'd-0',
    );
  });

  it('sends the regular step instead when one is due at the moment the snooze ends', () => {
    const until = snoozeUntil(riga('2026-02-10T10:00'), RIGA, POLICY); // Wed 11 Feb 09:00 = d-0
    expect(due(DL, riga('2026-02-11T09:00'), { sent, snoozedUntil: until })?.id).toBe('d-0');
    expect(due(DL, riga('2026-02-11T09:15'), { sent: [...sent, 'd-0'], snoozedUntil: until })).toBeNull();
  });

  it('keeps every step back while snoozed and replaces the ones it swallowed with one reminder', () => {
    const until = riga('2026-02-11T13:00'); // d-0 at 09:00 falls inside the snooze
    expect(due(DL, riga('2026-02-11T09:00'), { sent, snoozedUntil: until })).toBeNull();
    expect(due(DL, riga('2026-02-11T12:59'), { sent, snoozedUntil: until })).toBeNull();
    expect(due(DL, riga('2026-02-11T13:00'), { sent, snoozedUntil: until })?.id).toBe('snooze-2026-02-11');
    expect(due(DL, riga('2026-02-11T14:00'), { sent: [...sent, 'snooze-2026-02-11'], snoozedUntil: until })).toBeNull();
  });

  it('waits for office hours when the snooze ends outside them', () => {
    const until = riga('2026-02-06T18:00'); // Friday evening
    expect(due(DL, riga('2026-02-06T18:00'), { sent: ['d-14', 'd-7'], snoozedUntil: until })).toBeNull();
    expect(due(DL, riga('2026-02-09T09:00'), { sent: ['d-14', 'd-7'], snoozedUntil: until })?.id).toBe('d-2');
  });

  it('lets the snooze reminder tell the coordinator when it swallowed the overdue step that would have', () => {
    const before = ['d-14', 'd-7', 'd-2', 'd-0', 'overdue-1'];
    // overdue-1 Mon 16 Feb, overdue-2 Thu 19 Feb 09:00; snoozed until 11:00 that day.
    const until = riga('2026-02-19T11:00');
    expect(due(DL, riga('2026-02-19T11:00'), { sent: before, snoozedUntil: until })).toMatchObject({
      id: 'snooze-2026-02-19',
      notifyCoordinator: true,
    });
    expect(due(DL, riga('2026-02-24T09:00'), { sent: [...before, 'snooze-2026-02-19'] })).toMatchObject({
      id: 'overdue-3',
      notifyCoordinator: false,
    });
  });
});

describe('a scheduler ticking every 15 minutes', () => {
  function run(date: string, zone: string, from: string, to: string) {
    const sent = new Map<string, DateTime>();
    const notified = new Set<string>();
    for (let now = riga(from); now <= riga(to); now = now.plus({ minutes: 15 })) {
      const step = due(date, now, { sent: [...sent.keys()], zone });
      if (step) sent.set(step.id, now.setZone(zone));
      if (step?.notifyCoordinator) notified.add(step.id);
    }
    return [...sent].map(([id, at]) => `${id}@${at.toISO({ suppressMilliseconds: true })}${notified.has(id) ? '!' : ''}`);
  }

  it('sends each step once, at 09:00 local, across the March clock change', () => {
    expect(run('2026-03-31', RIGA, '2026-03-10T00:00', '2026-04-09T00:00')).toEqual([
      'd-14@2026-03-17T09:00:00+02:00',
      'd-7@2026-03-24T09:00:00+02:00',
      'd-2@2026-03-27T09:00:00+02:00',
      'd-0@2026-03-31T09:00:00+03:00',
      'overdue-1@2026-04-07T09:00:00+03:00',
    ]);
  });

  it('sends a New York partner each step once at 09:00 New York time, over both zones’ clock changes', () => {
    expect(run('2026-10-27', NEW_YORK, '2026-10-12T00:00', '2026-11-05T00:00')).toEqual([
      'd-14@2026-10-13T09:00:00-04:00',
      'd-7@2026-10-20T09:00:00-04:00',
      'd-2@2026-10-23T09:00:00-04:00', // Sunday 25 Oct -> Friday
      'd-0@2026-10-27T09:00:00-04:00',
      'overdue-1@2026-10-30T09:00:00-04:00',
      'overdue-2@2026-11-04T09:00:00-05:00!', // the US clocks went back on 1 November
    ]);
  });
});
