import { describe, expect, it } from 'vitest';
import {
  declinedNoticeKey,
  keyPrefixPattern,
  overdueNoticeKey,
  parseReminderKey,
  reminderKey,
  roundReminderPrefix,
} from '../../src/domain/delivery-keys.js';

const round = '65a000000000000000000001';
const measure = '65a000000000000000000002';
const contact = '65a000000000000000000003';
const coordinator = '65a000000000000000000004';

describe('delivery keys', () => {
  const parts = { roundId: round, deadlineKey: '2026-02-13', measureId: measure, contactId: contact, stepId: 'snooze-2026-02-14', channel: 'telegram' };

  it('write reminders with the round first, so one prefix finds all of a round', () => {
    const key = reminderKey(parts);
    expect(key).toBe(`reminder:${round}:2026-02-13:${measure}:${contact}:snooze-2026-02-14:telegram`);
    expect(key.startsWith(roundReminderPrefix(round))).toBe(true);
    expect(new RegExp(keyPrefixPattern(roundReminderPrefix(round))).test(key)).toBe(true);
    expect(parseReminderKey(key)).toEqual(parts);
  });

  it('read back only reminder keys', () => {
    expect(parseReminderKey(overdueNoticeKey({ roundId: round, deadlineKey: '2026-02-13', measureId: measure, coordinatorId: coordinator, channel: 'slack' }))).toBeNull();
    expect(parseReminderKey(`reminder:${round}:2026-02-13`)).toBeNull();
  });

  it('keep the stored formats of the coordinator notices', () => {
    expect(overdueNoticeKey({ roundId: round, deadlineKey: '2026-02-13', measureId: measure, coordinatorId: coordinator, channel: 'slack' })).toBe(
      `overdue-notice:${round}:2026-02-13:${measure}:${coordinator}:slack`,
    );
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
