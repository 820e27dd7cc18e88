import { describe, expect, it } from 'vitest';
import {
  declinedNoticeKey,
  keyPrefixPattern,
  overdueNoticeKey,
  parseOverdueNoticeKey,
  parseReminderKey,
  reminderKey,
  roundOverdueNoticePrefix,
  roundReminderPrefix,
} from '../../src/domain/delivery-keys.js';

const round = '65a000000000000000000001';
const measure = '65a000000000000000000002';
const contact = '65a000000000000000000003';
const coordinator = '65a000000000000000000004';

describe('delivery keys', () => {
  const parts = { roundId: round, deadlineKey: '2026-02-13', contactId: contact, stepId: 'snooze-2026-02-14', channel: 'telegram' };

  it('write one reminder per person, step and channel, with the round first, so one prefix finds all of a round', () => {
    const key = reminderKey(parts);
    expect(key).toBe(`reminder:${round}:2026-02-13:${contact}:snooze-2026-02-14:telegram`);
    expect(reminderKey({ ...parts, part: 1 })).toBe(key);
    expect(key.startsWith(roundReminderPrefix(round))).toBe(true);
    expect(new RegExp(keyPrefixPattern(roundReminderPrefix(round))).test(key)).toBe(true);
    expect(parseReminderKey(key)).toEqual({ ...parts, part: 1 });
  });

  it('number the later parts of a step, and read them back', () => {
    const key = reminderKey({ ...parts, stepId: 'd-7', part: 3 });
    expect(key).toBe(`reminder:${round}:2026-02-13:${contact}:d-7:telegram:3`);
    expect(key.startsWith(roundReminderPrefix(round))).toBe(true);
    expect(parseReminderKey(key)).toEqual({ ...parts, stepId: 'd-7', part: 3 });
    expect(() => reminderKey({ ...parts, part: 0 })).toThrow(RangeError);
    expect(() => reminderKey({ ...parts, part: 1.5 })).toThrow(RangeError);
  });

  it('read reminder keys written one per measure, before reminders were combined, with their measure', () => {
    const old = `reminder:${round}:2026-02-13:${measure}:${contact}:d-7:slack`;
    expect(parseReminderKey(old)).toEqual({ roundId: round, deadlineKey: '2026-02-13', contactId: contact, stepId: 'd-7', channel: 'slack', part: 1, measureId: measure });
  });

  it('read back only reminder keys', () => {
    expect(parseReminderKey(overdueNoticeKey({ roundId: round, deadlineKey: '2026-02-13', coordinatorId: coordinator, stepId: 'overdue-2', channel: 'slack' }))).toBeNull();
    expect(parseReminderKey(`reminder:${round}:2026-02-13`)).toBeNull();
    expect(parseReminderKey(`reminder:${round}:2026-02-13:${contact}:d-7:telegram:x`)).toBeNull();
    expect(parseReminderKey(`reminder:${round}:2026-02-13:${contact}:d-7:telegram:2:9`)).toBeNull();
  });

  it('combine the overdue notices per coordinator and step, and still read the ones written per measure', () => {
    const notice = { roundId: round, deadlineKey: '2026-02-13', coordinatorId: coordinator, stepId: 'overdue-2', channel: 'slack' };
    expect(overdueNoticeKey(notice)).toBe(`overdue-notice:${round}:2026-02-13:${coordinator}:overdue-2:slack`);
    expect(overdueNoticeKey({ ...notice, part: 2 })).toBe(`overdue-notice:${round}:2026-02-13:${coordinator}:overdue-2:slack:2`);
    expect(overdueNoticeKey(notice).startsWith(roundOverdueNoticePrefix(round))).toBe(true);
    expect(parseOverdueNoticeKey(overdueNoticeKey({ ...notice, part: 2 }))).toEqual({ ...notice, part: 2 });
    expect(parseOverdueNoticeKey(`overdue-notice:${round}:2026-02-13:${measure}:${coordinator}:slack`)).toEqual({
      roundId: round,
      deadlineKey: '2026-02-13',
      coordinatorId: coordinator,
      channel: 'slack',
      part: 1,
      measureId: measure,
    });
    expect(parseOverdueNoticeKey(reminderKey(parts))).toBeNull();
  });

  it('keep the stored format of the "not mine" notice', () => {
    expect(declinedNoticeKey({ roundId: round, measureId: measure, contactId: contact, coordinatorId: coordinator, channel: 'telegram' })).toBe(
      `declined:${round}:${measure}:${contact}:${coordinator}:telegram`,
    );
  });

  it('refuse a part that would blur the key', () => {
    expect(() => reminderKey({ ...parts, stepId: 'a:b' })).toThrow(RangeError);
    expect(() => declinedNoticeKey({ roundId: round, measureId: '', contactId: contact, coordinatorId: coordinator, channel: 'telegram' })).toThrow(RangeError);
  });

  it('escape what a regular expression would read', () => {
    expect(keyPrefixPattern('a.b+c:')).toBe('^a\\.b\\+c:');
  });
});
