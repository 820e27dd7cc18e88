import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { AuditEntryModel, DeliveryModel, PlanModel, ReportingRoundModel } from '../../src/models/index.js';
import { closeRound, extendRound, openRound, roundAcceptingReports, roundPolicy } from '../../src/domain/rounds/rounds.js';
import { useTestDatabase } from '../support/mongo.js';

useTestDatabase();

const now = new Date('2025-12-01T10:00:00Z');
const title = { lv: 'Progress 2025. gadā', en: 'Progress in 2025' };

async function plan(key: string) {
  return PlanModel.create({ key, number: 5, title: { lv: 'Plāns', en: 'Plan' }, startYear: 2022, endYear: 2025 });
}

describe('reporting rounds', () => {
  it('opens a round whose deadline is the end of the day in the plan zone, and audits it', async () => {
    const p = await plan('nap-open');
    const result = await openRound({ planKey: 'nap-open', key: '2025', title, deadlineDate: '2026-02-01', actor: 'cli', now });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const deadline = DateTime.fromJSDate(result.round.deadline, { zone: 'Europe/Riga' });
    expect(deadline.toISO()).toBe('2026-02-01T23:59:59.999+02:00');
    expect(result.round.plan.equals(p._id)).toBe(true);
    expect(result.round.state).toBe('open');
    expect(roundPolicy(result.round).daysBefore).toEqual([14, 7, 2]);
    const entry = await AuditEntryModel.findOne({ action: 'round.open', subject: `round:${String(result.round._id)}` }).lean();
    expect(entry).toMatchObject({ actor: 'cli', details: { plan: 'nap-open', key: '2025', deadline: '2026-02-01' } });
  });

  it('refuses bad input with Latvian and English messages and changes nothing', async () => {
    await plan('nap-bad');
    const base = { planKey: 'nap-bad', key: '2025', title, deadlineDate: '2026-02-01', actor: 'cli', now };
    const cases = [
      [{ ...base, planKey: 'nope' }, 'unknown_plan'],
      [{ ...base, deadlineDate: '2025-11-30' }, 'deadline_past'],
      [{ ...base, deadlineDate: '2026-02-30' }, 'invalid_date'],
      [{ ...base, deadlineDate: '1.02.2026' }, 'invalid_date'],
      [{ ...base, key: 'a b' }, 'invalid_key'],
      [{ ...base, title: { lv: ' ', en: 'x' } }, 'invalid_title'],
      [{ ...base, policy: { officeHoursStart: 18, officeHoursEnd: 9 } }, 'invalid_policy'],
      [{ ...base, policy: { daysBefore: [7, -1] } }, 'invalid_policy'],
    ] as const;
    for (const [input, code] of cases) {
      const result = await openRound(input);
      expect(result.ok ? 'ok' : result.error.code, JSON.stringify(input)).toBe(code);
      if (!result.ok) {
        expect(result.error.message.lv).not.toBe('');
        expect(result.error.message.en).not.toBe('');
        expect(result.error.message.lv).not.toBe(result.error.message.en);
      }
    }
    const p = await PlanModel.findOne({ key: 'nap-bad' }).lean();
    expect(await ReportingRoundModel.countDocuments({ plan: p?._id })).toBe(0);
  });

  it('accepts today as the deadline until the day ends in Riga', async () => {
    await plan('nap-today');
    const lateEvening = new Date('2025-12-01T21:30:00Z'); // 23:30 in Riga
    const result = await openRound({ planKey: 'nap-today', key: 't', title, deadlineDate: '2025-12-01', actor: 'cli', now: lateEvening });
    expect(result.ok).toBe(true);
  });

  it('keeps one open round per plan, even when two open at once, and refuses a repeated key', async () => {
    await plan('nap-one');
    await plan('nap-other');
    const open = (key: string, planKey = 'nap-one') => openRound({ planKey, key, title, deadlineDate: '2026-02-01', actor: 'cli', now });
    const results = await Promise.all([open('a'), open('b'), open('c')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((r) => !r.ok)) expect(!r.ok && r.error.code).toBe('another_round_open');
    expect((await open('x', 'nap-other')).ok).toBe(true);

    const winner = results.find((r) => r.ok);
    if (!winner?.ok) throw new Error('no winner');
    const again = await open(winner.round.key);
    expect(!again.ok && again.error.code).toBe('round_exists');

    expect((await closeRound({ roundId: winner.round._id }, 'cli', now)).ok).toBe(true);
    const second = await open('next');
    expect(second.ok).toBe(true);
    // A closed round keeps its key: reopening it under the same key is refused.
    expect(!(await open(winner.round.key)).ok).toBe(true);
  });

  it('moves the deadline of an open round and refuses a past or unchanged one', async () => {
    await plan('nap-extend');
    const opened = await openRound({ planKey: 'nap-extend', key: '2025', title, deadlineDate: '2026-02-01', actor: 'cli', now });
    if (!opened.ok) throw new Error('not opened');
    const ref = { planKey: 'nap-extend', key: '2025' };
    expect(await extendRound(ref, '2026-02-01', 'cli', now)).toMatchObject({ ok: false, error: { code: 'same_deadline' } });
    expect(await extendRound(ref, '2025-01-01', 'cli', now)).toMatchObject({ ok: false, error: { code: 'deadline_past' } });
    expect(await extendRound({ planKey: 'nap-extend', key: 'nope' }, '2026-03-01', 'cli', now)).toMatchObject({
      ok: false,
      error: { code: 'unknown_round' },
    });
    const moved = await extendRound(ref, '2026-02-15', 'cli', now);
    expect(moved.ok).toBe(true);
    const stored = await ReportingRoundModel.findById(opened.round._id).lean();
    expect(DateTime.fromJSDate(stored!.deadline, { zone: 'Europe/Riga' }).toISODate()).toBe('2026-02-15');
    expect(await AuditEntryModel.findOne({ action: 'round.extend' }).lean()).toMatchObject({
      details: { from: '2026-02-01', to: '2026-02-15' },
    });
  });

  it('closes a round: it refuses reports and extension, and pending reminders are cancelled', async () => {
    await plan('nap-close');
    const opened = await openRound({ planKey: 'nap-close', key: '2025', title, deadlineDate: '2026-02-01', actor: 'cli', now });
    if (!opened.ok) throw new Error('not opened');
    const id = String(opened.round._id);
    await DeliveryModel.create([
      { key: `reminder:${id}:2026-02-01:m:c:d-14:telegram`, purpose: 'reminder', channel: 'telegram', address: '1', text: 'x' },
      { key: `reminder:${id}:2026-02-01:m:c:d-7:telegram`, purpose: 'reminder', channel: 'telegram', address: '1', text: 'x', state: 'sent' },
      { key: `other:${id}`, purpose: 'other', channel: 'telegram', address: '1', text: 'x' },
    ]);
    expect(await roundAcceptingReports(id)).toMatchObject({ ok: true });
    const closed = await closeRound({ roundId: id }, 'cli', now);
    expect(closed.ok && closed.round.state).toBe('closed');
    expect(await roundAcceptingReports(id)).toEqual({ ok: false, reason: 'closed' });
    expect(await roundAcceptingReports('nonsense')).toEqual({ ok: false, reason: 'unknown' });
    expect((await DeliveryModel.find().sort({ key: 1 }).lean()).map((d) => d.state)).toEqual(['pending', 'cancelled', 'sent']);
    expect(await closeRound({ roundId: id }, 'cli', now)).toMatchObject({ ok: false, error: { code: 'round_closed' } });
    expect(await extendRound({ roundId: id }, '2026-03-01', 'cli', now)).toMatchObject({ ok: false, error: { code: 'round_closed' } });
    expect(await AuditEntryModel.findOne({ action: 'round.close', subject: `round:${id}` }).lean()).toMatchObject({ details: { cancelledReminders: 1 } });
  });
});
