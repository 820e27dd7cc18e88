import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTelegramApi, createTelegramSender } from '../../src/bots/telegram/sender.js';
import { createSlackClient, createSlackSender } from '../../src/bots/slack/sender.js';
import { recordMinutes } from '../../src/domain/meetings/minutes.js';
import { createOutbox, type Outbox } from '../../src/jobs/outbox.js';
import { NO_LIMITS } from '../../src/jobs/outbox-limits.js';
import { startOutboxWorkers, type OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { reconcileReminders } from '../../src/jobs/reminder-scheduler.js';
import { createLogger } from '../../src/log.js';
import { ChannelIdentityModel, ContactModel, DeliveryModel, MeetingModel } from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import { FakeSlack } from '../support/fake-slack.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { DateTime } from 'luxon';

/**
 * Minutes end to end on both platforms: recorded as the CLI does, sent by the scheduler's tick
 * through the real outbox and senders to the fake Telegram and Slack servers. A file arrives as a
 * Telegram document and a Slack file upload with its bytes; a link as a URL button.
 */

useTestDatabase();

const log = createLogger('silent');
const TELEGRAM_CHAT = 7401;
const SLACK_USER = 'UKRISTAP1';
const AFTER = DateTime.fromISO('2026-03-27T15:00', { zone: 'Europe/Riga' });
const PDF = Buffer.from('%PDF-1.4 Uzraudzības padomes protokols Nr. 1 — ā č ē ģ', 'utf8');

let redis: Redis;
let outbox: Outbox;
let workers: OutboxWorkers;
let telegram: FakeTelegram;
let slack: FakeSlack;

async function meeting(key: string, contacts: unknown[]) {
  return MeetingModel.create({
    key,
    kind: 'council',
    title: { lv: 'Uzraudzības padomes sēde', en: 'Supervisory council meeting' },
    startsAt: new Date('2026-03-27T11:00:00Z'),
    endsAt: new Date('2026-03-27T12:30:00Z'),
    agenda: [{ number: 1, title: { lv: 'Progresa ziņojums', en: 'Progress report' }, presenter: 'VK' }],
    audience: { contacts },
  });
}

beforeAll(async () => {
  const anna = await ContactModel.create({ name: 'Anna Bērziņa', email: 'anna@example.lv', institution: 'VK', roles: ['forum_member'], language: 'lv' });
  const kristaps = await ContactModel.create({ name: 'Kristaps', email: 'kristaps@example.lv', institution: 'PROVIDUS', roles: ['partner'], language: 'en', timeZone: 'Europe/London' });
  telegram = await new FakeTelegram().start();
  slack = await FakeSlack.start({ users: [{ id: SLACK_USER, email: 'kristaps@example.lv', name: 'Kristaps' }] });
  await ChannelIdentityModel.create([
    { contact: anna._id, channel: 'telegram', externalId: String(TELEGRAM_CHAT), address: String(TELEGRAM_CHAT) },
    { contact: kristaps._id, channel: 'slack', externalId: SLACK_USER, address: slack.dmOf(SLACK_USER) },
  ]);
  await meeting('padome-fails', [anna._id, kristaps._id]);
  await meeting('padome-saite', [anna._id, kristaps._id]);

  redis = createRedis(inject('redisUrl'));
  const prefix = uniquePrefix();
  outbox = createOutbox({ connection: redis, prefix });
  workers = startOutboxWorkers({
    connection: redis,
    prefix,
    senders: {
      telegram: createTelegramSender(createTelegramApi({ token: telegram.token, apiRoot: telegram.apiRoot })),
      slack: createSlackSender(createSlackClient({ token: slack.token, apiUrl: slack.url })),
    },
    limits: { telegram: NO_LIMITS, slack: NO_LIMITS },
    log,
  });
});

afterAll(async () => {
  await workers?.close();
  await outbox?.close();
  await redis?.quit();
  await telegram?.stop();
  await slack?.stop();
});

describe('meeting minutes on Telegram and Slack', () => {
  it('arrive once as a document and a file upload, or with a URL button, in each person’s language', async () => {
    const now = AFTER.toJSDate();
    const file = { name: 'protokols-1.pdf', mediaType: 'application/pdf', bytes: PDF };
    expect((await recordMinutes({ meetingKey: 'padome-fails', minutes: { label: 'Protokols Nr. 1', file }, decisions: [{ number: 1, text: 'Pieņemt zināšanai.' }], actor: 'cli', now })).ok).toBe(true);
    expect((await recordMinutes({ meetingKey: 'padome-saite', minutes: { label: 'Protokols Nr. 2', url: 'https://www.mk.gov.lv/protokols-2.pdf' }, decisions: [], actor: 'cli', now })).ok).toBe(true);
    // Two ticks, as two schedulers would run them.
    await Promise.all([reconcileReminders({ now: AFTER, outbox, digests: false }), reconcileReminders({ now: AFTER, outbox, digests: false })]);

    await telegram.waitFor(() => telegram.callsTo('sendDocument').length >= 1 && telegram.callsTo('sendMessage').length >= 2, 15_000);
    await slack.waitFor(() => slack.files.length >= 1 && slack.messagesIn(slack.dmOf(SLACK_USER)).length >= 2, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await DeliveryModel.countDocuments({ purpose: 'meeting.minutes', state: 'sent' })).toBe(4);

    const texts = telegram.callsTo('sendMessage').map((c) => String(c.params.text));
    expect(texts).toHaveLength(2);
    expect(texts.find((t) => t.includes('Protokols Nr. 1'))).toContain('1. Progresa ziņojums\nPadomes lēmums: Pieņemt zināšanai.');
    const linked = telegram.callsTo('sendMessage').find((c) => String(c.params.text).includes('Protokols Nr. 2'));
    expect(JSON.stringify(linked?.params.reply_markup)).toContain('https://www.mk.gov.lv/protokols-2.pdf');
    expect(telegram.callsTo('sendDocument')).toHaveLength(1);
    const document = [...telegram.files.values()][0];
    expect(document?.name).toBe('protokols-1.pdf');
    expect(document?.bytes.equals(PDF)).toBe(true);

    const slackMessages = slack.messagesIn(slack.dmOf(SLACK_USER));
    expect(slackMessages).toHaveLength(2);
    expect(slackMessages.map((m) => m.text).join('\n')).toContain('Council decision: Pieņemt zināšanai.');
    expect(JSON.stringify(slackMessages.map((m) => m.blocks))).toContain('https://www.mk.gov.lv/protokols-2.pdf');
    expect(slack.files).toHaveLength(1);
    expect(slack.files[0]?.name).toBe('protokols-1.pdf');
    expect(slack.files[0]?.bytes.equals(PDF)).toBe(true);
  });
});
