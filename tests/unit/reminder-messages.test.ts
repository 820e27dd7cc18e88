import { describe, expect, it } from 'vitest';
import { encodeReminderAction, parseReminderAction } from '../../src/domain/reminders/reminder-actions.js';
import { overdueNoticeText, reminderChoices, reminderText } from '../../src/domain/reminders/reminder-messages.js';

const round = '65a000000000000000000001';
const m = (n: number, code: string) => ({ id: `65a0000000000000000000a${n}`, code, title: { lv: `Pasākums ${code}`, en: `Measure ${code}` } });
const [m1, m2, m3] = [m(1, '1.1'), m(2, '3.2.a'), m(3, '4.1.b')];

describe('reminder buttons', () => {
  it('snooze all of a round with one id, and fit every id in Telegram’s 64 bytes', () => {
    const snooze = encodeReminderAction({ kind: 'snooze', roundId: round });
    expect(snooze).toBe(`rm:s:${round}`);
    expect(parseReminderAction(snooze)).toEqual({ kind: 'snooze', roundId: round });
    const report = encodeReminderAction({ kind: 'report', roundId: round, measureId: m1.id });
    expect(parseReminderAction(report)).toEqual({ kind: 'report', roundId: round, measureId: m1.id });
    expect(parseReminderAction(encodeReminderAction({ kind: 'decline', roundId: round, measureId: m1.id }))).toEqual({ kind: 'decline', roundId: round, measureId: m1.id });
    for (const id of [snooze, report]) expect(Buffer.byteLength(id)).toBeLessThanOrEqual(64);
  });

  it('still read the snooze of a reminder sent before they were combined, as that measure only', () => {
    expect(parseReminderAction(`rm:s:${round}:${m1.id}`)).toEqual({ kind: 'snooze', roundId: round, measureId: m1.id });
  });

  it('refuse what is not a reminder button', () => {
    for (const id of [`rm:r:${round}`, `rm:x:${round}:${m1.id}`, `rm:s:${round}:`, 'sf:abc', `rm:n:${round}:${m1.id}:1`]) expect(parseReminderAction(id)).toBeNull();
    expect(() => encodeReminderAction({ kind: 'snooze', roundId: 'nope' })).toThrow();
  });
});

describe('a reminder', () => {
  it('reads as it always did for one measure: its text and three buttons', () => {
    expect(reminderText('lv', { date: '13.02.2026.', overdue: false, measures: [m1] })).toBe(
      'Atgādinājums: līdz 13.02.2026. jāiesniedz pasākuma 1.1 „Pasākums 1.1” progress. Atbildēt var šeit, dažos klikšķos.',
    );
    const choices = reminderChoices('lv', round, [m1]);
    expect(choices.map((c) => c.label)).toEqual(['Ziņot statusu', 'Atgādināt rīt', 'Nav mans pasākums']);
    expect(choices.map((c) => parseReminderAction(c.id))).toEqual([
      { kind: 'report', roundId: round, measureId: m1.id },
      { kind: 'snooze', roundId: round },
      { kind: 'decline', roundId: round, measureId: m1.id },
    ]);
  });

  it('lists several measures once each, with a report and a not-mine button per measure and one tomorrow', () => {
    expect(reminderText('en', { date: '13 Feb 2026', overdue: true, measures: [m1, m2, m3] })).toBe(
      'The deadline (13 Feb 2026) has passed, but progress on these measures has not arrived yet:\n' +
        '• 1.1 “Measure 1.1”\n• 3.2.a “Measure 3.2.a”\n• 4.1.b “Measure 4.1.b”\nPlease answer when you can.',
    );
    const text = reminderText('lv', { date: '13.02.2026.', overdue: false, measures: [m1, m2] });
    expect(text.match(/13\.02\.2026\./g)).toHaveLength(1);
    expect(text).toContain('• 3.2.a „Pasākums 3.2.a”');
    const choices = reminderChoices('lv', round, [m1, m2, m3]);
    expect(choices.map((c) => c.label)).toEqual(['Ziņot: 1.1', 'Ziņot: 3.2.a', 'Ziņot: 4.1.b', 'Atgādināt rīt', 'Nav mans: 1.1', 'Nav mans: 3.2.a', 'Nav mans: 4.1.b']);
    expect(choices.map((c) => parseReminderAction(c.id)?.kind)).toEqual(['report', 'report', 'report', 'snooze', 'decline', 'decline', 'decline']);
    expect(new Set(choices.map((c) => c.id)).size).toBe(7);
  });

  it('names the measure on the buttons when asked, even for one', () => {
    expect(reminderChoices('en', round, [m2], true).map((c) => c.label)).toEqual(['Report: 3.2.a', 'Remind me tomorrow', 'Not mine: 3.2.a']);
  });
});

describe('the coordinators’ overdue notice', () => {
  it('reads as before for one measure and lists several with their owners', () => {
    expect(overdueNoticeText('lv', '13.02.2026.', [{ measure: m1, owners: 'Juris Kalns (VARAM)' }])).toBe(
      'Pasākuma 1.1 „Pasākums 1.1” progress nav saņemts, lai gan termiņš (13.02.2026.) ir pagājis. Atbildīgie: Juris Kalns (VARAM).',
    );
    expect(
      overdueNoticeText('en', '13 Feb 2026', [
        { measure: m1, owners: 'Juris Kalns (VARAM)' },
        { measure: m3, owners: 'Anna Ozola (VK), Juris Kalns (VARAM)' },
      ]),
    ).toBe(
      'Progress on these measures has not arrived, although it was due on 13 Feb 2026:\n' +
        '• 1.1 “Measure 1.1”. Responsible: Juris Kalns (VARAM).\n• 4.1.b “Measure 4.1.b”. Responsible: Anna Ozola (VK), Juris Kalns (VARAM).',
    );
  });
});
