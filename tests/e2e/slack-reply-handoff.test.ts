import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { t } from '../../src/i18n/index.js';
import { createInvitation, linkSlackByEmail, slackEmailLookup } from '../../src/domain/chat/invitations.js';
import { inboundKeys } from '../../src/domain/chat/inbound-keys.js';
import { replyKey } from '../../src/domain/delivery-keys.js';
import { encodeReminderAction } from '../../src/domain/reminders/reminder-actions.js';
import { createSlackClient, createSlackSender } from '../../src/bots/slack/sender.js';
import { TEMPORARY_ERROR } from '../../src/bots/slack/texts.js';
import { produceDeliveries } from '../../src/jobs/outbox.js';
import { ContactModel, DeliveryModel, InboundEventModel, MeasureModel } from '../../src/models/index.js';
import { expectedHelp } from '../support/help.js';
import { errorRecordingLog, errorTexts } from '../support/error-watch.js';
import type { FakeMessage } from '../support/fake-slack.js';
import { useTestDatabase } from '../support/mongo.js';
import { until, useOutboxTestbed } from '../support/outbox.js';
import { importDemoContacts, loadShippedPlan, openShippedPlanRound } from '../support/plan.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { buttonsOf, sectionText } from '../support/slack-requests.js';
import { untilQuiet } from '../support/waiters.js';
import { SLACK_PEOPLE } from '../support/slack-people.js';

/**
 * A direct answer Slack will not take now is not lost (issue 9, point 1). While Slack answers every
 * chat.postMessage with 429 for a while (Retry-After 2 s, and still 429 after that wait, longer than
 * a person is kept waiting), the answer to a step typed in the DM, to a button press and to a slash
 * command goes to the outbox at the top priority and arrives once the limit lifts, in order and
 * once; Slack's retry of the event (X-Slack-Retry-Num) adds no copy. A Slack that fails (503) is
 * answered the same way. The real Bolt app, the real outbox worker with the product's Slack limits,
 * FerretDB and Redis; only Slack is a fake.
 */

useTestDatabase();
const bed = useOutboxTestbed();

const zone = 'Europe/Riga';
const clock = DateTime.fromISO('2026-01-30T09:05', { zone }).toJSDate();
let h: SlackHarness;
let roundId = '';

const { LIGA, MARTA, KRISTAPS } = SLACK_PEOPLE;
/** Slack knows Jānis under a private address: he links with an invitation, which answers twice. */
const JANIS = { id: 'UJANIS001', email: 'janis@home.example', name: 'Jānis Kalniņš' };

/** Every chat.postMessage answered 429 for this long, each with this Retry-After. */
const LIMITED_MS = 4_000;
const RETRY_AFTER_S = 2;

const { log, errorsLogged } = errorRecordingLog();
const ERROR_TEXTS = errorTexts(TEMPORARY_ERROR);

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  roundId = await openShippedPlanRound({ deadlineDate: '2026-02-13', now: DateTime.fromISO('2026-01-20T10:00', { zone }).toJSDate() });
  h = await startSlackHarness({
    users: [LIGA, MARTA, KRISTAPS, JANIS],
    now: () => clock,
    log,
    // Each test has its own outbox (useOutboxTestbed); the app hands over to whichever is current.
    produce: (messages) => produceDeliveries(bed.outbox, messages),
  });
  const contacts = await ContactModel.find({ email: { $in: [LIGA, MARTA, KRISTAPS].map((p) => p.email) } });
  const linked = await linkSlackByEmail({ lookup: slackEmailLookup(h.slack.client), contacts, actor: 'test' });
  expect(linked.map((l) => l.result)).toEqual(['linked', 'linked', 'linked']);
});

afterAll(async () => {
  await h?.close();
});

/** The real outbox worker with the product's Slack limits (5/s, one message a second per DM). */
function startOutbox(): void {
  bed.startWorkers({ senders: { slack: createSlackSender(createSlackClient({ token: h.fake.token, apiUrl: h.fake.url })) } });
}

/** Sends once and waits for the answer in the DM (before any limit). */
async function answered(user: string, send: () => Promise<{ status: number }>): Promise<FakeMessage> {
  const dm = h.fake.dmOf(user);
  const before = h.fake.messagesIn(dm).length;
  expect((await send()).status).toBe(200);
  return h.fake.nextMessage(dm, before);
}

/** chat.postMessage calls to `user`'s DM from `from` on: what Slack answered, and when. */
function postsTo(user: string, from: number) {
  const dm = h.fake.dmOf(user);
  return h.fake
    .callsTo('chat.postMessage')
    .slice(from)
    .filter((c) => c.args.channel === dm);
}

/** The replies handed to the outbox for `user`, oldest first. */
const handedOver = (user: string) => DeliveryModel.find({ purpose: 'reply', address: h.fake.dmOf(user) }).sort({ key: 1 }).lean();

/** Waits until the fake has been quiet (the outbox and the app are done), then what reached the DM. */
async function settledDm(user: string, from: number): Promise<FakeMessage[]> {
  await untilQuiet(() => h.fake.calls.length, 500, 15_000);
  return h.fake.messagesIn(h.fake.dmOf(user)).slice(from);
}

/** Nobody was told that something went wrong, and nothing failed on our side. */
function expectNoErrorShown(messages: FakeMessage[]): void {
  const shown = messages.map((m) => `${m.text}\n${sectionText(m)}`).join('\n');
  expect(ERROR_TEXTS.filter((text) => shown.includes(text))).toEqual([]);
  expect(errorsLogged).toEqual([]);
}

describe('replies Slack refuses for a while (429 on every chat.postMessage)', () => {
  it('a step typed in the DM: the next question goes to the outbox, arrives once after the limit, and Slack’s retries add nothing', async () => {
    startOutbox();
    const dm = h.fake.dmOf(LIGA.id);
    const statusQuestion = await answered(LIGA.id, () => h.requests.command(LIGA.id, 'status'));
    await answered(LIGA.id, () => h.requests.press(LIGA.id, statusQuestion, t('lv', 'status.in_progress')));
    const messagesBefore = h.fake.messagesIn(dm).length;
    const callsBefore = h.fake.callsTo('chat.postMessage').length;

    const limit = h.fake.rateLimitFor('chat.postMessage', LIMITED_MS, RETRY_AFTER_S);
    expect((await h.requests.dm(LIGA.id, 'Grozījumu projekts nodots saskaņošanai.')).status).toBe(200);
    const eventId = (JSON.parse(h.requests.lastRequest!.body) as { event_id: string }).event_id;
    // Slack retries the event while the first is still being answered (waiting out the 429)…
    expect((await h.requests.retryLast(1)).status).toBe(200);
    await until(async () => (await handedOver(LIGA.id)).length > 0, 10_000);
    const [reply] = await handedOver(LIGA.id);
    expect(reply).toMatchObject({ key: replyKey({ eventKey: inboundKeys.slackEvent(eventId), index: 0 }), priority: 'reply', channel: 'slack' });

    const arrived = await h.fake.nextMessage(dm, messagesBefore, 15_000);
    // …and again after the answer arrived.
    expect((await h.requests.retryLast(2)).status).toBe(200);
    const messages = await settledDm(LIGA.id, messagesBefore);

    expect(messages).toEqual([arrived]);
    expect(sectionText(arrived)).toContain(t('lv', 'flow.ask_links', { max: 5, skip: 'Bez saitēm' }));
    const posts = postsTo(LIGA.id, callsBefore);
    // The direct try and its one short wait, then the outbox's tries until the limit lifted.
    expect(posts.slice(0, 2).map((c) => c.status)).toEqual([429, 429]);
    expect(posts.filter((c) => c.status === 200)).toHaveLength(1);
    expect(posts.at(-1)).toMatchObject({ status: 200, response: { ts: arrived.ts } });
    expect(posts.at(-1)!.at).toBeGreaterThanOrEqual(limit.until);
    expect(await handedOver(LIGA.id)).toMatchObject([{ key: reply!.key, state: 'sent', platformMessageId: arrived.ts }]);
    expect(await InboundEventModel.countDocuments({ key: inboundKeys.slackEvent(eventId) })).toBe(1);
    expectNoErrorShown(messages);
  }, 30_000);

  it('a button press: the pressed reminder changes and the form opens at once; the answer arrives after the limit, once', async () => {
    startOutbox();
    const dm = h.fake.dmOf(MARTA.id);
    const measure = String((await MeasureModel.findOne({ code: '4.1' }).orFail().lean())._id);
    const report = encodeReminderAction({ kind: 'report', roundId, measureId: measure });
    const posted = await h.slack.client.chat.postMessage({
      channel: dm,
      text: 'Atgādinājums: 4.1',
      blocks: [
        { type: 'section', text: { type: 'plain_text', text: 'Atgādinājums: 4.1' } },
        { type: 'actions', elements: [{ type: 'button', action_id: report, value: report, text: { type: 'plain_text', text: t('lv', 'reminder.button.report') } }] },
      ],
    });
    const reminder = structuredClone(h.fake.messagesIn(dm).find((m) => m.ts === posted.ts)!);
    const messagesBefore = h.fake.messagesIn(dm).length;
    const callsBefore = h.fake.callsTo('chat.postMessage').length;
    const views = h.fake.views.length;

    const limit = h.fake.rateLimitFor('chat.postMessage', LIMITED_MS, RETRY_AFTER_S);
    expect((await h.requests.press(MARTA.id, reminder, t('lv', 'reminder.button.report'))).status).toBe(200);
    // Not replies: the edit and the form go out at once (only chat.postMessage is limited).
    const form = await h.fake.waitFor(() => h.fake.views[views]);
    expect(form.view.private_metadata).toContain(measure);
    const edited = await h.fake.waitFor(() => h.fake.messagesIn(dm).find((m) => m.ts === reminder.ts && m.edited));
    expect(buttonsOf(edited.blocks)).toEqual([]);

    const arrived = await h.fake.nextMessage(dm, messagesBefore, 15_000);
    const messages = await settledDm(MARTA.id, messagesBefore);
    expect(messages).toEqual([arrived]);
    expect(sectionText(arrived)).toContain(t('lv', 'flow.choose_status'));
    const posts = postsTo(MARTA.id, callsBefore);
    expect(posts.filter((c) => c.status === 200)).toHaveLength(1);
    expect(posts.at(-1)!.at).toBeGreaterThanOrEqual(limit.until);
    expect(await handedOver(MARTA.id)).toMatchObject([{ priority: 'reply', state: 'sent', platformMessageId: arrived.ts }]);
    expectNoErrorShown(messages);
  }, 30_000);

  it('two replies to one slash command (/ogp link): both go to the outbox under the event’s keys and arrive once each, in order', async () => {
    startOutbox();
    const dm = h.fake.dmOf(JANIS.id);
    const janis = await ContactModel.findOne({ email: 'janis.kalnins@example.lv' }).orFail();
    const { token } = await createInvitation({ contactId: janis._id, actor: 'test', now: clock });
    const messagesBefore = h.fake.messagesIn(dm).length;
    const callsBefore = h.fake.callsTo('chat.postMessage').length;

    const limit = h.fake.rateLimitFor('chat.postMessage', LIMITED_MS, RETRY_AFTER_S);
    expect((await h.requests.command(JANIS.id, `link ${token}`)).status).toBe(200);
    const triggerId = new URLSearchParams(h.requests.lastRequest!.body).get('trigger_id')!;
    await h.fake.nextMessage(dm, messagesBefore + 1, 20_000);
    const messages = await settledDm(JANIS.id, messagesBefore);

    const welcome = t('lv', 'invite.accepted', { name: 'Jānis Kalniņš' });
    const help = expectedHelp('lv', '/ogp ');
    // The second waits for the first (`after`): the outbox sends each as a job of its own.
    expect(messages.map(sectionText)).toEqual([welcome, help]);
    const posts = postsTo(JANIS.id, callsBefore);
    expect(posts.filter((c) => c.status === 200)).toHaveLength(2);
    expect(Math.min(...posts.filter((c) => c.status === 200).map((c) => c.at))).toBeGreaterThanOrEqual(limit.until);
    const eventKey = inboundKeys.slackCommand(triggerId);
    expect((await handedOver(JANIS.id)).map((d) => [d.key, d.priority, d.state, d.text])).toEqual([
      [replyKey({ eventKey, index: 0 }), 'reply', 'sent', welcome],
      [replyKey({ eventKey, index: 1 }), 'reply', 'sent', help],
    ]);
    expectNoErrorShown(messages);
  }, 30_000);
});

describe('a reply Slack fails to take (503)', () => {
  it('goes to the outbox at once and arrives once', async () => {
    startOutbox();
    const dm = h.fake.dmOf(KRISTAPS.id);
    const messagesBefore = h.fake.messagesIn(dm).length;
    const callsBefore = h.fake.callsTo('chat.postMessage').length;

    h.fake.failHttpNext('chat.postMessage', 503);
    expect((await h.requests.command(KRISTAPS.id, 'help')).status).toBe(200);
    const arrived = await h.fake.nextMessage(dm, messagesBefore, 15_000);
    const messages = await settledDm(KRISTAPS.id, messagesBefore);

    expect(messages).toEqual([arrived]);
    expect(sectionText(arrived)).toBe(expectedHelp('en', '/ogp ', ['partner', 'forum_member']));
    expect(postsTo(KRISTAPS.id, callsBefore).map((c) => c.status)).toEqual([503, 200]);
    expect(await handedOver(KRISTAPS.id)).toMatchObject([{ priority: 'reply', state: 'sent', platformMessageId: arrived.ts }]);
    expectNoErrorShown(messages);
  }, 30_000);
});
