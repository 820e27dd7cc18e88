import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { t } from '../../src/i18n/index.js';
import { linkSlackByEmail, slackEmailLookup } from '../../src/domain/chat/invitations.js';
import { encodeReminderAction, type ReminderActionKind } from '../../src/domain/reminders/reminder-actions.js';
import {
  ContactModel,
  ConversationStateModel,
  InboundEventModel,
  MeasureModel,
  ReminderStateModel,
  StatusReportModel,
} from '../../src/models/index.js';
import { inboundKeys } from '../../src/domain/chat/inbound-keys.js';
import { TEMPORARY_ERROR } from '../../src/bots/slack/texts.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan, openShippedPlanRound } from '../support/plan.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { sectionText, type SentRequest, type SlackResponse } from '../support/slack-requests.js';
import { errorRecordingLog, errorTexts } from '../support/error-watch.js';
import { untilQuiet } from '../support/waiters.js';
import type { FakeMessage, FakeView } from '../support/fake-slack.js';
import { SLACK_PEOPLE } from '../support/slack-people.js';

/**
 * Every inbound kind Slack sends is handled once (issue 6, item 4): a DM event, the slash command,
 * a button press and a form submission, each sent, then replayed byte for byte (same body, same
 * timestamp and signature, as somebody who captured it within the 5-minute window could) and then
 * retried as Slack retries (same body, X-Slack-Retry-Num: 1). Each time Slack gets its 200; the
 * person gets one answer, no second form, no second edit of the pressed message, and no error.
 * Both orders are shown: the copies after the first was answered, and the copies while the first
 * is still being handled (Slack retries when our 200 is late).
 */

useTestDatabase();

const zone = 'Europe/Riga';
const clock = DateTime.fromISO('2026-01-30T09:05', { zone }).toJSDate();
let h: SlackHarness;
let roundId = '';

const { LIGA, MARTA, ARTURS, KRISTAPS } = SLACK_PEOPLE;

/** What the app logged at error level (a failed listener, a failed app): none of it is expected here. */
const { log, errorsLogged } = errorRecordingLog();
const ERROR_TEXTS = errorTexts(TEMPORARY_ERROR);

const measureIds: Record<string, string> = {};

/** Calls at the fake that show something to `user`: posts to their DM, edits, opened forms. */
function screen(user: string) {
  const dm = h.fake.dmOf(user);
  return {
    posts: h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === dm || c.args.channel === user).length,
    updates: h.fake.callsTo('chat.update').filter((c) => c.args.channel === dm).length,
    opens: h.fake.callsTo('views.open').length,
    messages: h.fake.messagesIn(dm).length,
  };
}

/** Resolves once the fake has had no call for `quietMs`: the server is done with what it was sent. */
const idle = (quietMs?: number) => untilQuiet(() => h.fake.calls.length, quietMs);

/** The dedupe key the adapter claims for this request (listeners.ts, actions.ts, forms.ts). */
function dedupeKeyOf(request: SentRequest): string {
  if (request.contentType === 'application/json') return inboundKeys.slackEvent((JSON.parse(request.body) as { event_id: string }).event_id);
  const form = new URLSearchParams(request.body);
  const payload = form.get('payload');
  if (!payload) return inboundKeys.slackCommand(form.get('trigger_id') ?? '');
  const parsed = JSON.parse(payload) as {
    type: string;
    user: { id: string };
    actions?: { action_ts: string }[];
    view?: { id: string; state: { values: unknown } };
  };
  if (parsed.type === 'block_actions') return inboundKeys.slackAction(parsed.user.id, parsed.actions?.[0]?.action_ts ?? '');
  return inboundKeys.slackView(parsed.view!.id, parsed.view!.state.values);
}

type Timing = 'after the first was answered' | 'while the first is still being handled';
const TIMINGS: Timing[] = ['after the first was answered', 'while the first is still being handled'];

interface Delivered {
  responses: SlackResponse[];
  /** What appeared in the person's DM meanwhile. */
  messages: FakeMessage[];
  posts: number;
  updates: number;
  opens: number;
  key: string;
}

/**
 * Sends a request, then the same request replayed byte for byte and retried with
 * X-Slack-Retry-Num: 1, either after the first one's answer arrived or at once; then waits until
 * the server has been quiet for a while and reports what the person saw.
 */
async function sendThreeTimes(user: string, send: () => Promise<SlackResponse>, timing: Timing): Promise<Delivered> {
  const dm = h.fake.dmOf(user);
  const before = screen(user);
  let responses: SlackResponse[];
  if (timing === 'after the first was answered') {
    const first = await send();
    await h.fake.nextMessage(dm, before.messages);
    responses = [first, await h.requests.replayLast(), await h.requests.retryLast(1)];
  } else {
    // The request is recorded as it goes out, so its copies can follow before it is answered.
    const first = send();
    responses = await Promise.all([first, h.requests.replayLast(), h.requests.retryLast(1)]);
    await h.fake.nextMessage(dm, before.messages);
  }
  await idle();
  const after = screen(user);
  return {
    responses,
    messages: h.fake.messagesIn(dm).slice(before.messages),
    posts: after.posts - before.posts,
    updates: after.updates - before.updates,
    opens: after.opens - before.opens,
    key: dedupeKeyOf(h.requests.lastRequest!),
  };
}

/** Handled once: three 200s, one message with `answer`, the stated edits and forms, no error, the key claimed once. */
async function expectHandledOnce(delivered: Delivered, expected: { answer: string; updates: number; opens: number }): Promise<void> {
  expect(delivered.responses.map((r) => r.status)).toEqual([200, 200, 200]);
  // Nothing for Slack to show either: no `response_action: errors` on a copy.
  expect(delivered.responses.map((r) => r.text).filter((text) => text.includes('error'))).toEqual([]);
  expect(delivered.posts).toBe(1);
  expect(delivered.messages).toHaveLength(1);
  expect(sectionText(delivered.messages[0]!)).toContain(expected.answer);
  const shown = delivered.messages.map((m) => `${m.text}\n${sectionText(m)}`).join('\n');
  expect(ERROR_TEXTS.filter((text) => shown.includes(text))).toEqual([]);
  expect({ updates: delivered.updates, opens: delivered.opens }).toEqual({ updates: expected.updates, opens: expected.opens });
  expect(await InboundEventModel.countDocuments({ key: delivered.key })).toBe(1);
  expect(errorsLogged).toEqual([]);
}

/** A reminder as the outbox posts it (text and the three buttons), straight through the Web API. */
async function postReminder(user: string, code: string): Promise<FakeMessage> {
  const dm = h.fake.dmOf(user);
  const labels: Record<ReminderActionKind, string> = {
    report: t('lv', 'reminder.button.report'),
    snooze: t('lv', 'reminder.button.tomorrow'),
    decline: t('lv', 'reminder.button.not_mine'),
  };
  const posted = await h.slack.client.chat.postMessage({
    channel: dm,
    text: `Atgādinājums: ${code}`,
    blocks: [
      { type: 'section', text: { type: 'plain_text', text: `Atgādinājums: ${code}` } },
      {
        type: 'actions',
        elements: (['report', 'snooze', 'decline'] as const).map((kind) => {
          const id = kind === 'snooze' ? encodeReminderAction({ kind, roundId }) : encodeReminderAction({ kind, roundId, measureId: measureIds[code]! });
          return { type: 'button', action_id: id, value: id, text: { type: 'plain_text', text: labels[kind] } };
        }),
      },
    ],
  });
  // As first shown: the press carries the message with its buttons, whatever is edited later.
  return structuredClone(h.fake.messagesIn(dm).find((m) => m.ts === posted.ts)!);
}

/** Sends once and waits for the answer in the DM. */
async function answered(user: string, send: () => Promise<SlackResponse>): Promise<FakeMessage> {
  const dm = h.fake.dmOf(user);
  const before = h.fake.messagesIn(dm).length;
  expect((await send()).status).toBe(200);
  return h.fake.nextMessage(dm, before);
}

/** Ends whatever conversation the person has going (a failed test may have left one). */
async function cancel(user: string): Promise<void> {
  await answered(user, () => h.requests.command(user, 'cancel'));
  await idle(100);
}

/** The status form, opened by pressing "report" under a reminder for `code`. */
async function openForm(user: string, code: string): Promise<FakeView> {
  const reminder = await postReminder(user, code);
  const views = h.fake.views.length;
  await answered(user, () => h.requests.press(user, reminder, t('lv', 'reminder.button.report')));
  const form = await h.fake.waitFor(() => h.fake.views[views]);
  await idle(100);
  return form;
}

async function contactId(email: string): Promise<string> {
  return String((await ContactModel.findOne({ email }).orFail().lean())._id);
}

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  roundId = await openShippedPlanRound({ deadlineDate: '2026-02-13', now: DateTime.fromISO('2026-01-20T10:00', { zone }).toJSDate() });
  for (const measure of await MeasureModel.find({}).lean()) measureIds[measure.code] = String(measure._id);
  h = await startSlackHarness({ users: [LIGA, MARTA, ARTURS, KRISTAPS], now: () => clock, log });
  const contacts = await ContactModel.find({ email: { $in: [LIGA, MARTA, ARTURS, KRISTAPS].map((p) => p.email) } });
  const linked = await linkSlackByEmail({ lookup: slackEmailLookup(h.slack.client), contacts, actor: 'test' });
  expect(linked.map((l) => l.result)).toEqual(['linked', 'linked', 'linked', 'linked']);
});

afterAll(async () => {
  await h?.close();
});

describe.each(TIMINGS)('Slack sends it again %s', (timing) => {
  // One measure per timing, so that each run starts from nothing stored.
  const inFlight = timing === 'while the first is still being handled';
  const codes = inFlight ? { report: '1.3', snooze: '4.1', form: '2.1' } : { report: '4.1', snooze: '1.3', form: '1.4' };

  it('a DM (message.im event): the note is taken once and the next question asked once', async () => {
    await cancel(LIGA.id);
    await answered(LIGA.id, () => h.requests.command(LIGA.id, 'status'));
    const statusQuestion = h.fake.lastMessageIn(h.fake.dmOf(LIGA.id))!;
    await answered(LIGA.id, () => h.requests.press(LIGA.id, statusQuestion, t('lv', 'status.in_progress')));
    await idle(100);

    const delivered = await sendThreeTimes(LIGA.id, () => h.requests.dm(LIGA.id, 'Grozījumu projekts nodots saskaņošanai.'), timing);
    await expectHandledOnce(delivered, { answer: t('lv', 'flow.ask_links', { max: 5, skip: 'Bez saitēm' }), updates: 0, opens: 0 });
    const state = await ConversationStateModel.findOne({ contact: await contactId(LIGA.email) }).lean();
    expect(JSON.stringify(state)).toContain('Grozījumu projekts nodots saskaņošanai.');
  });

  it('the /ogp slash command: one status question, one conversation', async () => {
    await cancel(LIGA.id);
    const delivered = await sendThreeTimes(LIGA.id, () => h.requests.command(LIGA.id, 'status'), timing);
    await expectHandledOnce(delivered, { answer: t('lv', 'flow.choose_status'), updates: 0, opens: 0 });
    expect(await ConversationStateModel.countDocuments({ contact: await contactId(LIGA.email) })).toBe(1);
  });

  it('"report" under a reminder: one form, one edit of the reminder, one question', async () => {
    await cancel(MARTA.id);
    const reminder = await postReminder(MARTA.id, codes.report);
    const views = h.fake.views.length;
    const delivered = await sendThreeTimes(MARTA.id, () => h.requests.press(MARTA.id, reminder, t('lv', 'reminder.button.report')), timing);
    await expectHandledOnce(delivered, { answer: t('lv', 'flow.choose_status'), updates: 1, opens: 1 });
    expect(h.fake.views.slice(views).map((v) => JSON.parse(v.view.private_metadata ?? '{}') as unknown)).toEqual([
      { f: 'status', c: JSON.stringify({ r: roundId, m: measureIds[codes.report] }) },
    ]);
    const edited = h.fake.messagesIn(h.fake.dmOf(MARTA.id)).find((m) => m.ts === reminder.ts)!;
    expect(JSON.stringify(edited.blocks)).toContain(`✓ ${t('lv', 'reminder.button.report')}`);
  });

  it('"remind me tomorrow" under a reminder: snoozed once, said once', async () => {
    const reminder = await postReminder(MARTA.id, codes.snooze);
    const delivered = await sendThreeTimes(MARTA.id, () => h.requests.press(MARTA.id, reminder, t('lv', 'reminder.button.tomorrow')), timing);
    await expectHandledOnce(delivered, { answer: t('lv', 'reminder.snoozed'), updates: 1, opens: 0 });
    const state = await ReminderStateModel.findOne({ round: roundId, measure: measureIds[codes.snooze], contact: await contactId(MARTA.email) }).lean();
    expect(state?.snoozedUntil).toBeInstanceOf(Date);
  });

  it('a status form submission (view_submission): one revision stored, one confirmation', async () => {
    const form = await openForm(ARTURS.id, codes.form);
    const note = `Publicētas datu kopas (${codes.form}).`;
    const delivered = await sendThreeTimes(
      ARTURS.id,
      () => h.requests.submitView(ARTURS.id, form, { status: 'substantial', note, links: 'https://data.gov.lv/dati/lv/dataset' }),
      timing,
    );
    expect(delivered.responses.map((r) => r.text)).toEqual(['', '', '']);
    await expectHandledOnce(delivered, { answer: t('lv', 'flow.saved', { code: codes.form, status: t('lv', 'status.substantial') }), updates: 0, opens: 0 });
    const report = await StatusReportModel.findOne({ round: roundId, measure: measureIds[codes.form] }).lean();
    expect(report).toMatchObject({ status: 'substantial', note, links: ['https://data.gov.lv/dati/lv/dataset'] });
    expect(report?.revisions).toHaveLength(1);
  });
});

describe('a refused form sent again', () => {
  it('is refused each time (the refusal keeps nothing), and the corrected answer is then saved once', async () => {
    const measure = measureIds['3.5']!;
    const form = await openForm(KRISTAPS.id, '3.5');
    const dm = h.fake.dmOf(KRISTAPS.id);
    const posted = screen(KRISTAPS.id).posts;

    const refused = [await h.requests.submitView(KRISTAPS.id, form, { status: 'completed', note: '' }), await h.requests.replayLast(), await h.requests.retryLast(1)];
    const noteEmpty = { response_action: 'errors', errors: { note: t('en', 'error.note_empty') } };
    expect(refused.map((r) => [r.status, r.json()])).toEqual([
      [200, noteEmpty],
      [200, noteEmpty],
      [200, noteEmpty],
    ]);
    await idle();
    expect(screen(KRISTAPS.id).posts).toBe(posted);
    expect(await StatusReportModel.exists({ round: roundId, measure })).toBeNull();

    const corrected = await sendThreeTimes(KRISTAPS.id, () => h.requests.submitView(KRISTAPS.id, form, { status: 'completed', note: 'Published.' }), 'after the first was answered');
    await expectHandledOnce(corrected, { answer: t('en', 'flow.saved', { code: '3.5', status: t('en', 'status.completed') }), updates: 0, opens: 0 });
    const report = await StatusReportModel.findOne({ round: roundId, measure }).lean();
    expect(report).toMatchObject({ status: 'completed', note: 'Published.' });
    expect(report?.revisions).toHaveLength(1);
    // Only the accepted submission keeps its key; the refused ones were let go.
    expect(await InboundEventModel.countDocuments({ key: new RegExp(`^slack:view:${form.id}:`) })).toBe(1);
    expect(h.fake.messagesIn(dm).filter((m) => m.text === TEMPORARY_ERROR)).toEqual([]);
  });
});
