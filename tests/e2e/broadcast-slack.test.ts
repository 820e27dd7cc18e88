import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSlackClient, createSlackSender } from '../../src/bots/slack/sender.js';
import { fanOutBroadcast } from '../../src/domain/broadcasts/broadcasts.js';
import { t } from '../../src/i18n/index.js';
import { createBroadcastQueue, startBroadcastWorker, type BroadcastQueue, type BroadcastWorker } from '../../src/jobs/broadcast-queue.js';
import { createOutbox, produceDeliveries, type Outbox } from '../../src/jobs/outbox.js';
import type { ChannelLimits } from '../../src/jobs/outbox-limits.js';
import { startOutboxWorkers, type OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { AuditEntryModel, BroadcastModel, ContactModel } from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import { broadcastDeliveries, closeBroadcastQueues, deliveryStates, kickingThrice, lastBroadcastId, seedPeople, sleep, type Person } from '../support/broadcast-e2e.js';
import { errorRecordingLog } from '../support/error-watch.js';
import type { FakeMessage, FakeUser } from '../support/fake-slack.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { buttonsOf, sectionText } from '../support/slack-requests.js';
import { untilQuiet } from '../support/waiters.js';

/**
 * Broadcasts end to end on Slack: `/ogp broadcast` opens the form (a modal), its submission answers
 * the preview in the coordinator's DM, a press on "Apstiprināt un sūtīt" starts it through the real
 * broadcast queue (two workers) and the real outbox worker and Slack sender reach the fake Web API;
 * the progress message is changed with chat.update, and the report follows. The outbox sends one
 * or five messages a second, so the broadcast is still going when it is looked at or stopped.
 */

useTestDatabase();

const { log, errorsLogged } = errorRecordingLog();
const ILZE = { id: 'UILZE0001', name: 'Ilze Bērziņa', email: 'ilze@vk.example' };
const KRISTAPS = { id: 'UKRISTAP1', name: 'Kristaps Ozoliņš', email: 'kristaps@providus.example' };
const MARTA = { id: 'UMARTA001', name: 'Marta Zariņa', email: 'marta@fm.example' };
const PETERIS = { id: 'UPETERIS1', name: 'Pēteris Kļava', email: 'peteris@varam.example' };
const LIGA = { id: 'ULIGA0001', name: 'Līga Liepa', email: 'liga@delna.example' };
const PARTNERS: FakeUser[] = Array.from({ length: 60 }, (_, i) => ({ id: `UPART${String(i).padStart(4, '0')}`, email: `partner${i}@ngo.example` }));

const TEXT = 'Foruma sēde notiks 14. maijā plkst. 13.00 Valsts kancelejā.';

let h: SlackHarness;
let redis: Redis;
let prefix = '';
let outbox: Outbox;
let outboxWorkers: OutboxWorkers;
let queue: BroadcastQueue;
let broadcastWorkers: BroadcastWorker[] = [];

const dm = (user: string) => h.fake.dmOf(user);
const slack = (user: string) => ({ slack: { externalId: user, address: dm(user) } });
const copiesIn = (user: string, text: string) => h.fake.messagesIn(dm(user)).filter((m) => sectionText(m) === text);
const labelsOf = (message: FakeMessage | undefined) => buttonsOf(message?.blocks ?? []).map((b) => b.element.text.text);
const postedProgress = (user: string) =>
  h.fake.callsTo('chat.postMessage').filter((c) => c.response.ok && c.response.channel === dm(user) && /^Nosūtīts /.test(String(c.args.text)));
const updatesOf = (message: { channel: string; ts: string }) =>
  h.fake.callsTo('chat.update').filter((c) => c.response.ok && c.args.channel === message.channel && c.args.ts === message.ts);

function startSending(limits: Partial<ChannelLimits>): void {
  const sender = createSlackSender(createSlackClient({ token: h.fake.token, apiUrl: h.fake.url }));
  outboxWorkers = startOutboxWorkers({ connection: redis, prefix, senders: { slack: sender }, limits: { slack: limits }, log });
}

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'));
  prefix = uniquePrefix();
  outbox = createOutbox({ connection: redis, prefix });
  queue = createBroadcastQueue({ connection: redis, prefix, outbox });
  broadcastWorkers = [0, 1].map(() => startBroadcastWorker({ connection: redis, prefix, outbox, log }));
  const produce = (messages: Parameters<typeof produceDeliveries>[1]) => produceDeliveries(outbox, messages);
  h = await startSlackHarness({ users: [ILZE, KRISTAPS, MARTA, PETERIS, LIGA, ...PARTNERS], produce, log, broadcasts: kickingThrice(queue, produce) });
  const people: Person[] = [
    { name: ILZE.name, email: ILZE.email, roles: ['coordinator'], language: 'lv', chats: slack(ILZE.id) },
    { name: KRISTAPS.name, email: KRISTAPS.email, roles: ['partner'], language: 'en', timeZone: 'Europe/London', chats: slack(KRISTAPS.id) },
    { name: MARTA.name, email: MARTA.email, roles: ['contact_person'], language: 'lv', chats: slack(MARTA.id) },
    // Linked on both and prefers Slack: one copy, there. No Telegram worker runs here, so a Telegram copy would never settle.
    { name: PETERIS.name, email: PETERIS.email, roles: ['forum_member'], language: 'en', chats: { ...slack(PETERIS.id), telegram: { externalId: '9104', address: '9104' } }, prefer: 'slack' },
    { name: 'Juris Kalns', email: 'juris@lps.example', roles: ['forum_member'], language: 'lv' },
    { name: LIGA.name, email: LIGA.email, roles: ['forum_member'], language: 'lv', chats: slack(LIGA.id), muteBroadcasts: true },
  ];
  await seedPeople(people);
});

afterAll(async () => {
  await closeBroadcastQueues({ broadcastWorkers, outboxWorkers, queue, outbox });
  await h?.close();
  await redis?.quit();
});

describe('a broadcast on Slack', () => {
  it('opens the form from /ogp broadcast and answers its submission with the preview in the DM', async () => {
    const views = h.fake.views.length;
    expect((await h.requests.command(ILZE.id, 'broadcast')).status).toBe(200);
    const question = await h.fake.nextMessage(dm(ILZE.id), 0);
    expect(sectionText(question)).toBe('Kam sūtīt apkārtrakstu?');
    const form = await h.fake.waitFor(() => h.fake.views[views]);
    expect(form.view.private_metadata).toBe(JSON.stringify({ f: 'broadcast', c: 'new' }));
    expect(form.view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual(['audience', 'names', 'text_lv', 'text_en', 'link', 'when']);

    // Every problem under its field, and nothing saved.
    const refused = await h.requests.submitView(ILZE.id, form, { audience: 'everyone', text_lv: '', link: 'www.mk.gov.lv' });
    expect(refused.json()).toEqual({
      response_action: 'errors',
      errors: { text_lv: t('lv', 'broadcast.error.text_empty'), link: t('lv', 'broadcast.error.link', { value: 'www.mk.gov.lv' }) },
    });
    expect(await BroadcastModel.countDocuments()).toBe(0);

    const posted = h.fake.messagesIn(dm(ILZE.id)).length;
    // No English text, no link, no time: Latvian for everyone, as soon as confirmed.
    const accepted = await h.requests.submitView(ILZE.id, form, { audience: 'everyone', text_lv: TEXT, text_en: '', link: '', when: '' });
    expect(accepted.text).toBe('');
    const preview = await h.fake.nextMessage(dm(ILZE.id), posted);
    const summary = await h.fake.nextMessage(dm(ILZE.id), posted + 1);
    expect(sectionText(preview)).toBe(`Priekšskatījums (latviski):\n\n${TEXT}`);
    // Six people: four copies on Slack (Pēteris's once, on his preferred chat), Līga muted and
    // counted apart, Juris by name as unreachable.
    expect(sectionText(summary)).toBe(
      [
        'Saņēmēji: visi — 6 cilvēki',
        'Telegram: 0 · Slack: 4',
        'Nesasniedzami (nav piesaistīta čata) 1: Juris Kalns',
        'Izslēguši apkārtrakstus (nesaņems): 1',
        'Sūtīt: tūlīt pēc apstiprināšanas.',
      ].join('\n'),
    );
    expect(labelsOf(summary)).toEqual(['Apstiprināt un sūtīt', 'Atcelt']);
    expect(await BroadcastModel.findOne().lean()).toMatchObject({ state: 'draft', text: { lv: TEXT, en: '' }, audience: { kind: 'everyone' } });
  });

  it('gives each person one copy (Latvian, as there is no English), edits the progress message and names the unreachable in the report', async () => {
    // One send every two seconds: the broadcast takes several progress windows (PROGRESS_WINDOW_MS, 4 s).
    startSending({ global: { max: 1, duration: 2_000 }, spacingMs: false, perAddressMs: 1_000 });
    const id = await lastBroadcastId();
    const summary = h.fake.messagesIn(dm(ILZE.id)).find((m) => labelsOf(m).includes('Apstiprināt un sūtīt'))!;
    expect((await h.requests.press(ILZE.id, summary, 'Apstiprināt un sūtīt')).status).toBe(200);

    const report = await h.fake.waitFor(() => h.fake.messagesIn(dm(ILZE.id)).find((m) => sectionText(m).startsWith('Apkārtraksts pabeigts')), 30_000);
    expect(sectionText(report)).toBe(
      ['Apkārtraksts pabeigts: nosūtīts 4 no 4.', 'Nesasniedzami (nav piesaistīta čata vai bloķējuši) 1: Juris Kalns', 'Izlaisti (izslēguši apkārtrakstus): 1'].join('\n'),
    );
    expect(labelsOf(report)).toEqual([]);

    for (const user of [ILZE, KRISTAPS, MARTA, PETERIS]) expect(copiesIn(user.id, TEXT), user.name).toHaveLength(1);
    expect(copiesIn(LIGA.id, TEXT)).toEqual([]);
    expect(h.fake.messages.filter((m) => sectionText(m) === TEXT)).toHaveLength(4);
    const ids = await ContactModel.find({}, { name: 1 }).lean();
    const nameOf = new Map(ids.map((c) => [String(c._id), c.name]));
    const rows = (await broadcastDeliveries(id)).map((d) => [nameOf.get(String(d.contact)), d.channel, d.state, d.heldReason ?? null]);
    expect(rows.sort()).toEqual([
      [ILZE.name, 'slack', 'sent', null],
      [KRISTAPS.name, 'slack', 'sent', null],
      [LIGA.name, 'slack', 'skipped', 'muted_broadcasts'],
      [MARTA.name, 'slack', 'sent', null],
      [PETERIS.name, 'slack', 'sent', null],
    ]);
    // Produced three times (two fan-out jobs on two workers, one direct run): still one record and one copy each.
    const fanouts = (await queue.queue.getJobs(['completed'])).filter((job) => job.name === 'fanout' && job.data.broadcastId === id);
    expect(fanouts).toHaveLength(2);

    // Posted once, then changed in place; the last change is the final count, without the button.
    const [progress, ...reposted] = postedProgress(ILZE.id);
    expect(reposted).toEqual([]);
    expect(progress!.args.text).toBe('Nosūtīts 0 no 4 · 1 nesasniedzami');
    const message = { channel: dm(ILZE.id), ts: String(progress!.response.ts) };
    // The final change and the report are queued together; either may reach Slack first.
    const live = await h.fake.waitFor(() => h.fake.messagesIn(dm(ILZE.id)).find((m) => m.ts === message.ts && labelsOf(m).length === 0));
    expect(sectionText(live)).toBe('Nosūtīts 4 no 4 · 1 nesasniedzami');
    const updates = updatesOf(message);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    const counts = updates.map((c) => Number(/^Nosūtīts (\d+) no 4 · 1 nesasniedzami$/.exec(String(c.args.text))?.[1]));
    expect(counts[0]).toBeLessThan(4);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBe(4);

    // Later runs of the fan-out write and send nothing.
    const sends = h.fake.callsTo('chat.postMessage').length;
    expect(await fanOutBroadcast(id, new Date(), (messages) => produceDeliveries(outbox, messages))).toEqual({ written: 0, state: 'sent' });
    await sleep(1_000);
    expect(h.fake.callsTo('chat.postMessage').length).toBe(sends);
    expect(await AuditEntryModel.find({ subject: `broadcast:${id}` }, { action: 1, _id: 0 }).lean()).toEqual([{ action: 'broadcast.confirm' }]);
    expect(errorsLogged).toEqual([]);
  });

  it('stops the rest when "Apturēt" is pressed under the progress message mid-way', async () => {
    await outboxWorkers.close();
    await seedPeople(PARTNERS.map((u, i) => ({ name: `Partneris ${String(i).padStart(2, '0')}`, email: u.email!, roles: ['partner'], language: i % 2 ? 'en' : 'lv', chats: slack(u.id) })));
    // Five a second, Slack's default pace: the 61 copies would take 12 s.
    startSending({ global: { max: 5, duration: 1_000 }, spacingMs: 200, perAddressMs: 1_000 });
    const text = 'Partneru tikšanās pārcelta uz 21. maiju.';
    const views = h.fake.views.length;
    await h.requests.command(ILZE.id, 'broadcast');
    const form = await h.fake.waitFor(() => h.fake.views[views]);
    const posted = h.fake.messagesIn(dm(ILZE.id)).length;
    await h.requests.submitView(ILZE.id, form, { audience: 'partner', text_lv: text });
    const summary = await h.fake.waitFor(() => h.fake.messagesIn(dm(ILZE.id)).slice(posted).find((m) => labelsOf(m).includes('Apstiprināt un sūtīt')));
    expect(sectionText(summary).split('\n').slice(0, 3)).toEqual(['Saņēmēji: partneri — 61 cilvēki', 'Telegram: 0 · Slack: 61', 'Visi ir sasniedzami.']);
    const id = await lastBroadcastId();

    await h.requests.press(ILZE.id, summary, 'Apstiprināt un sūtīt');
    const partnerDms = new Set([...PARTNERS, KRISTAPS].map((u) => dm(u.id)));
    const batchSends = () => h.fake.messages.filter((m) => partnerDms.has(m.channel) && sectionText(m) === text);
    await h.fake.waitFor(() => batchSends().length >= 10, 15_000);
    const cancelId = `bc:x:${id}`;
    const progress = await h.fake.waitFor(() => h.fake.messagesIn(dm(ILZE.id)).find((m) => buttonsOf(m.blocks).some((b) => b.element.value === cancelId)));
    expect(sectionText(progress)).toMatch(/^Nosūtīts \d+ no 61 · 0 nesasniedzami$/);
    await h.requests.press(ILZE.id, progress, 'Apturēt');
    const stopped = await h.fake.waitFor(() => h.fake.messagesIn(dm(ILZE.id)).find((m) => sectionText(m).startsWith('Apkārtraksts apturēts;')));
    expect(sectionText(stopped)).toMatch(/^Apkārtraksts apturēts; vēl nenosūtītās ziņas \(\d+\) netiks sūtītas\.$/);

    const report = await h.fake.waitFor(() => h.fake.messagesIn(dm(ILZE.id)).find((m) => sectionText(m).startsWith('Apkārtraksts apturēts:')), 15_000);
    await untilQuiet(() => batchSends().length, 500);
    const sentAtCancel = batchSends().length;
    await sleep(2_000);
    expect(batchSends().length).toBe(sentAtCancel);
    expect(sentAtCancel).toBeLessThan(61 / 2);

    const reached = batchSends().map((m) => m.channel);
    expect(new Set(reached).size).toBe(reached.length);
    expect(await deliveryStates(id)).toEqual({ sent: sentAtCancel, cancelled: 61 - sentAtCancel });
    expect(sectionText(report)).toBe([`Apkārtraksts apturēts: nosūtīts ${sentAtCancel} no 61.`, `Nesūtīti apturēšanas dēļ: ${61 - sentAtCancel}`].join('\n'));
    const audit = await AuditEntryModel.find({ subject: `broadcast:${id}` }).lean();
    expect(audit.map((a) => a.action).sort()).toEqual(['broadcast.cancel', 'broadcast.confirm']);
    expect(errorsLogged).toEqual([]);
  });
});
