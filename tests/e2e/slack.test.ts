import { expectedHelp } from '../support/help.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { formatDate, t, tBoth } from '../../src/i18n/index.js';
import { createInvitation, linkSlackByEmail, slackEmailLookup } from '../../src/domain/chat/invitations.js';
import { encodeReminderAction } from '../../src/domain/reminders/reminder-actions.js';
import {
  AuditEntryModel,
  ChannelIdentityModel,
  ContactModel,
  ConversationStateModel,
  DeliveryModel,
  InboundEventModel,
  MeasureModel,
  ReminderStateModel,
  StatusReportModel,
} from '../../src/models/index.js';
import { createOutbox, produceDeliveries, type Outbox } from '../../src/jobs/outbox.js';
import { startOutboxWorkers, type OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { reconcileReminders } from '../../src/jobs/reminder-scheduler.js';
import { createSlackClient, createSlackSender } from '../../src/bots/slack/sender.js';
import { createLogger } from '../../src/log.js';
import { createRedis } from '../../src/redis.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan, openShippedPlanRound } from '../support/plan.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { buttonsOf, sectionText } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack.js';
import { TEMPORARY_ERROR } from '../../src/bots/slack/texts.js';
import { createSlackApp } from '../../src/bots/slack/app.js';

/**
 * The Slack adapter end to end: the real Bolt app on our HTTP server, signed requests built the
 * way Slack builds them, a fake Slack Web API, real FerretDB behind the domain.
 */

useTestDatabase();

const zone = 'Europe/Riga';
const clock = DateTime.fromISO('2026-01-30T09:05', { zone }).toJSDate();
let h: SlackHarness;
let redis: Redis;
let outbox: Outbox;
let workers: OutboxWorkers;
let roundId = '';

/** Answer → next bot message at the fake, per step, for the report printed at the end. */
const latencies: number[] = [];

const LIGA = { id: 'ULIGA0001', email: 'liga.ozola@example.lv', name: 'Līga Ozola' };
const MARTA = { id: 'UMARTA001', email: 'Marta.Zarina@example.lv', name: 'Marta Zariņa' };
const ARTURS = { id: 'UARTURS01', email: 'arturs.liepins@example.lv', name: 'Artūrs Liepiņš' };
const STRANGER = { id: 'USTRANGE1', email: 'someone@elsewhere.example', name: 'Svešinieks' };
/** Slack knows Jānis under a private address, so he links with an invitation token instead. */
const JANIS = { id: 'UJANIS001', email: 'janis@home.example', name: 'Jānis Kalniņš' };
const ILZE = { id: 'UILZE0001', email: 'ilze.berzina@example.lv', name: 'Ilze Bērziņa' };
const KRISTAPS = { id: 'UKRISTAP1', email: 'kristaps.ozolins@example.lv', name: 'Kristaps Ozoliņš' };

async function measureId(code: string): Promise<string> {
  const m = await MeasureModel.findOne({ code }).orFail().lean();
  return String(m._id);
}

/** Sends, waits for the next message in the user's DM, and records how long that took. */
async function expectReply(user: string, send: () => Promise<{ status: number; sentAt: number }>, record = true): Promise<FakeMessage> {
  const dm = h.fake.dmOf(user);
  const before = h.fake.messagesIn(dm).length;
  const res = await send();
  expect(res.status).toBe(200);
  const message = await h.fake.nextMessage(dm, before);
  const call = h.fake.callsTo('chat.postMessage').find((c) => c.response.ts === message.ts);
  if (call && record) latencies.push(call.at - res.sentAt);
  return message;
}

/** Polls an async condition (a database state) until it holds. */
async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const buttonLabels = (message: FakeMessage) => buttonsOf(message.blocks).map((b) => b.element.text.text);

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'));
  const prefix = uniquePrefix();
  outbox = createOutbox({ connection: redis, prefix });
  await loadShippedPlan();
  await importDemoContacts();
  roundId = await openShippedPlanRound({ deadlineDate: '2026-02-13', now: DateTime.fromISO('2026-01-20T10:00', { zone }).toJSDate() });
  h = await startSlackHarness({
    users: [LIGA, MARTA, ARTURS, STRANGER, KRISTAPS, JANIS, ILZE],
    now: () => clock,
    produce: (messages) => produceDeliveries(outbox, messages),
  });
  workers = startOutboxWorkers({
    connection: redis,
    prefix,
    senders: { slack: createSlackSender(createSlackClient({ token: h.fake.token, apiUrl: h.fake.url })) },
    // Pacing is the outbox's own test; here a short gap per DM keeps a dozen reminders quick.
    limits: { slack: { perAddressMs: 100 } },
    log: createLogger('silent'),
  });
});

afterAll(async () => {
  await workers?.close();
  await outbox?.close();
  await h?.close();
  await redis?.quit();
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const worst = sorted.at(-1) ?? NaN;
  console.error(`Slack answer → next bot message at the fake: median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms (${sorted.length} answers)`);
});

describe('setup', () => {
  it('answers Slack’s URL verification with the challenge, signed like every request', async () => {
    const body = JSON.stringify({ token: 'legacy', challenge: 'c-3f9a1b', type: 'url_verification' });
    const res = await h.requests.send(body, 'application/json');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ challenge: 'c-3f9a1b' });
    expect((await h.requests.send(body, 'application/json', { secret: 'wrong' })).status).toBe(401);
  });

  it('fails at start when Slack refuses the token', async () => {
    await expect(
      createSlackApp({ token: 'xoxb-not-the-token', signingSecret: 'x', apiUrl: h.fake.url, log: createLogger('silent') }),
    ).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });
});

describe('linking', () => {
  it('links imported contacts by the e-mail address Slack knows (users.lookupByEmail)', async () => {
    const liga = await ContactModel.findOne({ email: LIGA.email }).orFail();
    const [outcome] = await linkSlackByEmail({ lookup: slackEmailLookup(h.slack.client), contacts: [liga], actor: 'test' });
    expect(outcome?.result).toBe('linked');
    const identity = await ChannelIdentityModel.findOne({ channel: 'slack', contact: liga._id }).lean();
    expect(identity).toMatchObject({ externalId: LIGA.id, active: true });
  });

  it('recognises an imported contact who simply writes, by users.info, once', async () => {
    const reply = await expectReply(MARTA.id, () => h.requests.command(MARTA.id, 'help'));
    expect(sectionText(reply)).toBe(expectedHelp('lv', '/ogp '));
    expect(h.fake.callsTo('users.info').map((c) => c.args.user)).toEqual([MARTA.id]);
    const marta = await ContactModel.findOne({ email: MARTA.email.toLowerCase() }).orFail();
    const identity = await ChannelIdentityModel.findOne({ channel: 'slack', contact: marta._id }).lean();
    expect(identity).toMatchObject({ externalId: MARTA.id, address: h.fake.dmOf(MARTA.id), active: true });
    expect(await AuditEntryModel.countDocuments({ action: 'identity.link', subject: `contact:${String(marta._id)}` })).toBe(1);
  });

  it('tells a stranger politely how to get access, in both languages, and asks Slack about them only once', async () => {
    const first = await expectReply(STRANGER.id, () => h.requests.dm(STRANGER.id, 'Labdien! Kas šis ir?'));
    expect(sectionText(first)).toBe(tBoth('access.unknown_person'));
    expect(buttonLabels(first)).toEqual([]);
    const second = await expectReply(STRANGER.id, () => h.requests.dm(STRANGER.id, 'Vai dzirdat?'));
    expect(sectionText(second)).toBe(tBoth('access.unknown_person'));
    expect(h.fake.callsTo('users.info').filter((c) => c.args.user === STRANGER.id)).toHaveLength(1);
    expect(await ChannelIdentityModel.countDocuments({ externalId: STRANGER.id })).toBe(0);
  });
});

describe('linking with an invitation', () => {
  it('redeems `/ogp link <token>` for a person Slack knows under another address, once', async () => {
    const janis = await ContactModel.findOne({ email: 'janis.kalnins@example.lv' }).orFail();
    const { token } = await createInvitation({ contactId: janis._id, actor: 'test', now: clock });
    const stranger = await expectReply(JANIS.id, () => h.requests.command(JANIS.id, 'mine'));
    expect(sectionText(stranger)).toBe(tBoth('access.unknown_person'));

    const dm = h.fake.dmOf(JANIS.id);
    const before = h.fake.messagesIn(dm).length;
    await h.requests.command(JANIS.id, `link ${token}`);
    const [welcome, help] = [await h.fake.nextMessage(dm, before), await h.fake.nextMessage(dm, before + 1)];
    expect(sectionText(welcome)).toBe(t('lv', 'invite.accepted', { name: 'Jānis Kalniņš' }));
    expect(sectionText(help)).toBe(expectedHelp('lv', '/ogp '));
    expect(await ChannelIdentityModel.findOne({ channel: 'slack', contact: janis._id }).lean()).toMatchObject({ externalId: JANIS.id, address: dm });

    const reused = await expectReply(STRANGER.id, () => h.requests.command(STRANGER.id, `link ${token}`));
    expect(sectionText(reused)).toBe(tBoth('invite.used'));
  });

  it('shows a stranger the access explanation in the App Home', async () => {
    await h.requests.homeOpened(STRANGER.id);
    const home = await h.fake.waitFor(() => h.fake.homeViews.get(STRANGER.id));
    expect(JSON.stringify(home.view.blocks)).toContain(JSON.stringify(tBoth('access.unknown_person')).slice(1, -1));
  });
});

describe('a reminder, answered in the DM', () => {
  it('goes out through the outbox with its buttons; pressing "report" opens the form and the conversation, whose answers are stored', async () => {
    const measure = await measureId('3.3');
    const liga = await ContactModel.findOne({ email: LIGA.email }).orFail().lean();
    const dm = h.fake.dmOf(LIGA.id);
    const posted = h.fake.messagesIn(dm).length;

    const first = await reconcileReminders({ now: DateTime.fromISO('2026-01-30T09:00', { zone }), outbox, digests: false });
    expect(first.problems).toBe(0);
    const reminder = await h.fake.nextMessage(dm, posted);
    const reminderText = t('lv', 'reminder.text', {
      date: '13.02.2026.',
      code: '3.3',
      title: (await MeasureModel.findById(measure).orFail().lean()).title.lv,
    });
    expect(reminder.text).toBe(reminderText);
    expect(sectionText(reminder)).toBe(reminderText);
    expect(buttonsOf(reminder.blocks).map((b) => [b.element.text.text, b.element.action_id, b.element.value])).toEqual(
      [
        ['Ziņot statusu', encodeReminderAction({ kind: 'report', roundId, measureId: measure })],
        ['Atgādināt rīt', encodeReminderAction({ kind: 'snooze', roundId })],
        ['Nav mans pasākums', encodeReminderAction({ kind: 'decline', roundId, measureId: measure })],
      ].map(([label, id]) => [label, id, id]),
    );
    const delivery = await eventually(() => DeliveryModel.findOne({ contact: liga._id, purpose: 'reminder', state: 'sent' }).lean());
    expect(delivery.platformMessageId).toBe(reminder.ts);

    const views = h.fake.views.length;
    const statusQuestion = await expectReply(LIGA.id, () => h.requests.press(LIGA.id, reminder, 'Ziņot statusu'));
    expect(sectionText(statusQuestion)).toContain(t('lv', 'flow.choose_status'));
    expect(buttonLabels(statusQuestion)).toEqual(['nav uzsākts', 'procesā', 'būtisks progress', 'pabeigts', 'kavējas', 'Atcelt']);
    // The reminder keeps its text, loses its buttons and says what was chosen.
    const updated = h.fake.messagesIn(dm).find((m) => m.ts === reminder.ts)!;
    expect(updated.edited).toBe(true);
    expect(buttonsOf(updated.blocks)).toEqual([]);
    expect(sectionText(updated)).toBe(reminderText);
    expect(JSON.stringify(updated.blocks)).toContain('✓ Ziņot statusu');
    // The same press offers the form.
    const form = await h.fake.waitFor(() => h.fake.views[views]);
    expect(form.view.private_metadata).toBe(JSON.stringify({ f: 'status', c: JSON.stringify({ r: roundId, m: measure }) }));
    expect(form.view.blocks.map((b) => b.block_id ?? b.type)).toEqual(['section', 'status', 'note', 'links', 'context']);

    const noteQuestion = await expectReply(LIGA.id, () => h.requests.press(LIGA.id, statusQuestion, 'procesā'));
    expect(sectionText(noteQuestion)).toContain(t('lv', 'flow.ask_note', { limit: t('lv', 'count.characters', { count: 1000 }) }));
    const linksQuestion = await expectReply(LIGA.id, () => h.requests.dm(LIGA.id, 'Sagatavots grozījumu projekts; saskaņošana ar <!channel> & FM.'));
    expect(buttonLabels(linksQuestion)).toContain('Bez saitēm');
    const review = await expectReply(LIGA.id, () => h.requests.dm(LIGA.id, 'https://tap.mk.gov.lv/lv/mk/tap/?pid=40500000'));
    expect(sectionText(review)).toContain('Sagatavots grozījumu projekts; saskaņošana ar <!channel> & FM.');
    // A person's own words are text: no mention can come out of the notification fallback.
    expect(review.text).toContain('&lt;!channel&gt; &amp; FM');
    const saved = await expectReply(LIGA.id, () => h.requests.press(LIGA.id, review, 'Apstiprināt'));
    expect(sectionText(saved)).toBe(t('lv', 'flow.saved', { code: '3.3', status: 'procesā' }));

    const report = await StatusReportModel.findOne({ round: roundId, measure }).lean();
    expect(report).toMatchObject({
      status: 'in_progress',
      note: 'Sagatavots grozījumu projekts; saskaņošana ar <!channel> & FM.',
      links: ['https://tap.mk.gov.lv/lv/mk/tap/?pid=40500000'],
    });
    expect(report?.revisions.map((r) => r.channel)).toEqual(['slack']);
    expect(await ConversationStateModel.countDocuments({ contact: liga._id })).toBe(0);

    // A week later: Līga has answered, so nothing more for her; Marta still owes 1.3 and 4.1, in one message.
    const later = await reconcileReminders({ now: DateTime.fromISO('2026-02-06T09:00', { zone }), outbox, digests: false });
    expect(later.created).toBeGreaterThan(0);
    expect(await DeliveryModel.countDocuments({ contact: liga._id, purpose: 'reminder' })).toBe(1);
    const marta = await ContactModel.findOne({ email: MARTA.email.toLowerCase() }).orFail().lean();
    const martas = await DeliveryModel.find({ contact: marta._id, purpose: 'reminder', key: /:d-7:slack$/ }).lean();
    expect(martas.map((d) => d.measures?.map(String))).toEqual([[await measureId('1.3'), await measureId('4.1')]]);
    expect(martas[0]?.choices.map((c) => c.label)).toEqual(['Ziņot: 1.3', 'Ziņot: 4.1', 'Atgādināt rīt', 'Nav mans: 1.3', 'Nav mans: 4.1']);
    // Everything queued goes out, and none of it to Līga.
    await eventually(async () => (await DeliveryModel.countDocuments({ state: { $ne: 'sent' } })) === 0, 15_000);
    expect(h.fake.messagesIn(dm).filter((m) => buttonsOf(m.blocks).some((b) => b.element.text.text === 'Ziņot statusu'))).toEqual([]);
  });
});

describe('"not my measure"', () => {
  it('stops the reminders for that person and tells the coordinator through the outbox', async () => {
    // The coordinator opens the App Home once, which links her by e-mail.
    await h.requests.homeOpened(ILZE.id);
    await h.fake.waitFor(() => h.fake.homeViews.get(ILZE.id));
    const ilze = await ContactModel.findOne({ email: ILZE.email }).orFail().lean();
    expect(await ChannelIdentityModel.exists({ channel: 'slack', contact: ilze._id, active: true })).toBeTruthy();

    const measure = await measureId('6.2');
    const janis = await ContactModel.findOne({ email: 'janis.kalnins@example.lv' }).orFail().lean();
    const reminder = await eventually(async () => {
      const sent = await DeliveryModel.findOne({ contact: janis._id, purpose: 'reminder', key: /:d-7:slack$/, measures: measure, state: 'sent' }).lean();
      return sent ? h.fake.messagesIn(h.fake.dmOf(JANIS.id)).find((m) => m.ts === sent.platformMessageId) : undefined;
    });
    // One reminder lists all three of his measures; "not mine" is per measure, and the answer offers the other two.
    const handedOver = await expectReply(JANIS.id, () => h.requests.press(JANIS.id, reminder, 'Nav mans: 6.2'));
    expect(sectionText(handedOver)).toBe(t('lv', 'reminder.handed_over', { code: '6.2' }));
    expect(buttonLabels(handedOver)).toEqual(['Ziņot: 6.1', 'Ziņot: 6.3', 'Atgādināt rīt', 'Nav mans: 6.1', 'Nav mans: 6.3']);

    const notice = await h.fake.nextMessage(h.fake.dmOf(ILZE.id), 0, 10_000);
    expect(notice.text).toContain('Jānis Kalniņš (VARAM)');
    expect(notice.text).toContain('6.2');
    expect(await ReminderStateModel.findOne({ round: roundId, measure, contact: janis._id }).lean()).toMatchObject({ declinedAt: expect.any(Date) });
    const later = await reconcileReminders({ now: DateTime.fromISO('2026-02-11T09:00', { zone }), outbox, digests: false });
    expect(later.problems).toBe(0);
    const dayMinus2 = await DeliveryModel.find({ contact: janis._id, key: /:d-2:slack$/ }).lean();
    expect(dayMinus2.map((d) => d.measures?.map(String))).toEqual([[await measureId('6.1'), await measureId('6.3')]]);
    // Let the outbox finish, so that later tests see only their own calls at the fake.
    await eventually(async () => (await DeliveryModel.countDocuments({ state: { $ne: 'sent' } })) === 0, 15_000);
  });
});

describe('the status form (modal)', () => {
  it('opens from the App Home, refuses bad input under the fields in the person language, then saves and confirms in the DM', async () => {
    const measure = await measureId('4.1');
    await h.requests.homeOpened(MARTA.id);
    const home = await h.fake.waitFor(() => h.fake.homeViews.get(MARTA.id));
    const homeText = JSON.stringify(home.view.blocks);
    expect(homeText).toContain('Mani pasākumi');
    expect(homeText).toContain(`Termiņš: ${formatDate('lv', DateTime.fromISO('2026-02-13', { zone }).toJSDate(), zone)}`);
    const labels = buttonsOf(home.view.blocks).map((b) => b.element.text.text);
    expect(labels.filter((label) => label.startsWith('Ziņot'))).toEqual(['Ziņot: 1.3', 'Ziņot: 4.1']);
    // Below the measures and meetings: the settings, with the buttons /ogp settings offers.
    expect(homeText).toContain('Iestatījumi');
    expect(labels).toContain('Nesaņemt apkārtrakstus');

    const views = h.fake.views.length;
    const question = await expectReply(MARTA.id, () => h.requests.pressInHome(MARTA.id, home, 'Ziņot: 4.1'));
    expect(sectionText(question)).toContain(t('lv', 'flow.choose_status'));
    const form = await h.fake.waitFor(() => h.fake.views[views]);
    expect(form.view.callback_id).toBe('ogp_form');
    expect(form.view.private_metadata).toBe(JSON.stringify({ f: 'status', c: JSON.stringify({ r: roundId, m: measure }) }));

    const before = await StatusReportModel.countDocuments();
    const refused = await h.requests.submitView(MARTA.id, form, { status: 'completed', note: 'x'.repeat(1001), links: 'ftp://example.lv/fails' });
    expect(refused.status).toBe(200);
    expect(refused.json()).toEqual({
      response_action: 'errors',
      errors: {
        note: t('lv', 'error.note_too_long', { limit: t('lv', 'count.characters', { count: 1000 }), length: t('lv', 'count.characters', { count: 1001 }) }),
        links: '„ftp://example.lv/fails” nav derīga saite: tai jāsākas ar http:// vai https://. Ja saišu nav, atstājiet lauku tukšu.',
      },
    });
    expect(await StatusReportModel.countDocuments()).toBe(before);

    const dm = h.fake.dmOf(MARTA.id);
    const posted = h.fake.messagesIn(dm).length;
    const accepted = await h.requests.submitView(MARTA.id, form, { status: 'completed', note: '  Mācību kurss publicēts.  ', links: 'https://www.vas.gov.lv/lv/kursi\nhttps://www.vas.gov.lv/lv/kursi' });
    expect(accepted.status).toBe(200);
    expect(accepted.text).toBe('');
    const confirmation = await h.fake.nextMessage(dm, posted);
    latencies.push(h.fake.callsTo('chat.postMessage').find((c) => c.response.ts === confirmation.ts)!.at - accepted.sentAt);
    expect(sectionText(confirmation)).toBe(t('lv', 'flow.saved', { code: '4.1', status: 'pabeigts' }));
    const report = await StatusReportModel.findOne({ round: roundId, measure }).lean();
    expect(report).toMatchObject({ status: 'completed', note: 'Mācību kurss publicēts.', links: ['https://www.vas.gov.lv/lv/kursi'] });
    // The DM conversation the same press started is over: what Marta types next is not a note.
    expect(await ConversationStateModel.countDocuments({ channel: 'slack' })).toBe(0);
  });

  it('speaks English to an English speaker, and a second form for the same measure starts from the stored answer', async () => {
    const measure = await measureId('3.5');
    const reply = await expectReply(KRISTAPS.id, () => h.requests.command(KRISTAPS.id, 'mine'));
    expect(sectionText(reply)).toContain('You have 1 measure:');
    const views = h.fake.views.length;
    await expectReply(KRISTAPS.id, () => h.requests.press(KRISTAPS.id, reply, 'Report: 3.5'));
    const form = await h.fake.waitFor(() => h.fake.views[views]);
    expect(JSON.stringify(form.view.title)).toContain('Report status');

    const refused = await h.requests.submitView(KRISTAPS.id, form, { status: 'delayed', note: 'Waiting for the ministry.', links: 'not-a-link' });
    expect(refused.json()).toEqual({
      response_action: 'errors',
      errors: { links: '“not-a-link” is not a valid link: it must start with http:// or https://. If there are no links, leave the field empty.' },
    });
    const saved = await expectReply(KRISTAPS.id, () => h.requests.submitView(KRISTAPS.id, form, { status: 'delayed', note: 'Waiting for the ministry.' }));
    expect(sectionText(saved)).toBe('Saved: measure 3.5, status “delayed”. Thank you!');
    expect(await StatusReportModel.exists({ round: roundId, measure })).toBeTruthy();

    const again = await expectReply(KRISTAPS.id, () => h.requests.command(KRISTAPS.id, 'mine'));
    await expectReply(KRISTAPS.id, () => h.requests.press(KRISTAPS.id, again, 'Report: 3.5'));
    const second = await h.fake.waitFor(() => h.fake.views[views + 1]);
    const blocks = JSON.stringify(second.view.blocks);
    expect(blocks).toContain('"initial_value":"Waiting for the ministry."');
    expect(blocks).toContain('"initial_option":{"text":{"type":"plain_text","text":"delayed","emoji":true},"value":"delayed"}');
  });
});

describe('a restart in the middle of a conversation', () => {
  it('resumes at the same step with a new app instance', async () => {
    const measure = await measureId('2.1');
    const choose = await expectReply(ARTURS.id, () => h.requests.command(ARTURS.id, 'status'));
    expect(sectionText(choose)).toBe(t('lv', 'flow.choose_measure'));
    const label = buttonLabels(choose).find((l) => l.startsWith('2.1 '))!;
    const statusQuestion = await expectReply(ARTURS.id, () => h.requests.press(ARTURS.id, choose, label));
    expect(sectionText(statusQuestion)).toContain(t('lv', 'flow.choose_status'));

    await h.restart();

    const noteQuestion = await expectReply(ARTURS.id, () => h.requests.press(ARTURS.id, statusQuestion, 'būtisks progress'));
    expect(sectionText(noteQuestion)).toContain('Īsi aprakstiet');
    const linksQuestion = await expectReply(ARTURS.id, () => h.requests.dm(ARTURS.id, 'Atvērto datu portālā publicētas 12 jaunas datu kopas.'));
    const review = await expectReply(ARTURS.id, () => h.requests.press(ARTURS.id, linksQuestion, 'Bez saitēm'));
    expect(sectionText(review)).toContain('Saites: nav');
    await expectReply(ARTURS.id, () => h.requests.press(ARTURS.id, review, 'Apstiprināt'));
    expect(await StatusReportModel.findOne({ round: roundId, measure }).lean()).toMatchObject({
      status: 'substantial',
      note: 'Atvērto datu portālā publicētas 12 jaunas datu kopas.',
      links: [],
    });
  });
});

describe('slash command', () => {
  it('answers in the DM when typed in another channel, and says so there', async () => {
    const dm = h.fake.dmOf(ARTURS.id);
    const before = h.fake.messagesIn(dm).length;
    const res = await h.requests.command(ARTURS.id, 'LANGUAGE', { channelId: 'C0GENERAL' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ response_type: 'ephemeral', text: 'Atbildi nosūtīju jums personīgā ziņā. / I have sent you the answer in a direct message.' });
    const reply = await h.fake.nextMessage(dm, before);
    expect(buttonLabels(reply)).toEqual(['Latviešu', 'English']);
  });
});

describe('security', () => {
  /** Everything a refused request could have changed. */
  async function snapshot() {
    return {
      calls: h.fake.calls.length,
      events: await InboundEventModel.countDocuments(),
      reports: await StatusReportModel.countDocuments(),
      states: await ConversationStateModel.countDocuments(),
      identities: await ChannelIdentityModel.countDocuments(),
    };
  }
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['a wrong signature', { secret: 'not-the-signing-secret' }],
    ['a signature that is not v0', { signature: 'v1=deadbeef' }],
    ['a stale timestamp (6 minutes old), correctly signed', { timestamp: now() - 6 * 60 }],
    ['a future timestamp (6 minutes ahead), correctly signed', { timestamp: now() + 6 * 60 }],
  ])('refuses %s with 401 and changes nothing', async (_name, options) => {
    const before = await snapshot();
    const sent = [
      await h.requests.dm(LIGA.id, '/ogp status', options),
      await h.requests.command(LIGA.id, 'status', options),
      await h.requests.homeOpened(LIGA.id, options),
    ];
    expect(sent.map((r) => r.status)).toEqual([401, 401, 401]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await snapshot()).toEqual(before);
  });

  it('accepts a timestamp a little off (clock skew within the window)', async () => {
    const reply = await expectReply(LIGA.id, () => h.requests.command(LIGA.id, 'help', { timestamp: now() + 120 }));
    expect(sectionText(reply)).toContain('/ogp status');
  });

  it('refuses a button for a measure that is not the presser’s, opens no form and stores nothing', async () => {
    const notHers = await measureId('1.3');
    const dm = h.fake.dmOf(LIGA.id);
    const posted = await h.slack.client.chat.postMessage({
      channel: dm,
      text: 'Pārsūtīts atgādinājums',
      blocks: [
        {
          type: 'actions',
          // "snooze" as under a reminder from before they were combined, which named its one measure.
          elements: Object.entries({
            report: encodeReminderAction({ kind: 'report', roundId, measureId: notHers }),
            snooze: `rm:s:${roundId}:${notHers}`,
            decline: encodeReminderAction({ kind: 'decline', roundId, measureId: notHers }),
          }).map(([kind, id]) => ({ type: 'button', action_id: id, value: id, text: { type: 'plain_text', text: kind } })),
        },
      ],
    });
    // As first shown: each press below comes from a copy of the message with all three buttons.
    const message = structuredClone(h.fake.messagesIn(dm).find((m) => m.ts === posted.ts)!);
    const views = h.fake.views.length;
    const reports = await StatusReportModel.countDocuments();
    for (const kind of ['report', 'snooze', 'decline']) {
      const reply = await expectReply(LIGA.id, () => h.requests.press(LIGA.id, message, kind));
      expect(sectionText(reply)).toContain(t('lv', 'error.not_your_measure'));
    }
    expect(h.fake.views.length).toBe(views);
    expect(await StatusReportModel.countDocuments()).toBe(reports);
    const liga = await ContactModel.findOne({ email: LIGA.email }).orFail().lean();
    expect(await ConversationStateModel.countDocuments({ contact: liga._id })).toBe(0);
    expect(await ReminderStateModel.countDocuments({ measure: notHers })).toBe(0);
  });

  it('handles an event Slack redelivers (same event id) once', async () => {
    const dm = h.fake.dmOf(LIGA.id);
    const before = h.fake.messagesIn(dm).length;
    const first = await h.requests.dm(LIGA.id, 'sveiki', { eventId: 'Ev0REDELIVER' });
    const again = await h.requests.dm(LIGA.id, 'sveiki', { eventId: 'Ev0REDELIVER', headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect([first.status, again.status]).toEqual([200, 200]);
    await h.fake.nextMessage(dm, before);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.fake.messagesIn(dm).length).toBe(before + 1);
  });
});

describe('when Slack pushes back', () => {
  it('waits out a short 429 on a reply and then answers', async () => {
    h.fake.rateLimitNext('chat.postMessage', 1);
    // Not counted in the figures: the wait was asked for.
    const reply = await expectReply(LIGA.id, () => h.requests.command(LIGA.id, 'help'), false);
    expect(sectionText(reply)).toContain('/ogp status');
    const [limited] = h.fake.callsTo('chat.postMessage').filter((c) => c.status === 429);
    expect(limited).toBeDefined();
  });

  it('tells the person when Slack refuses the reply', async () => {
    // A refusal would be refused again later; a long 429 or an outage goes to the outbox instead
    // (slack-reply-handoff.test.ts).
    h.fake.failNext('chat.postMessage', 'invalid_blocks');
    const reply = await expectReply(LIGA.id, () => h.requests.command(LIGA.id, 'help'), false);
    expect(reply.text).toBe(TEMPORARY_ERROR);
  });
});
