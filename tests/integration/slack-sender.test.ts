import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSlackClient, createSlackSender } from '../../src/bots/slack/sender.js';
import { LINK_ACTION_PREFIX } from '../../src/bots/slack/render.js';
import { SendError, type SendErrorKind, type Sender } from '../../src/domain/chat/channel.js';
import { storeFile } from '../../src/domain/chat/files.js';
import { choice, type Message } from '../../src/domain/chat/message.js';
import { createOutbox, produceDeliveries } from '../../src/jobs/outbox.js';
import { startOutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { createLogger } from '../../src/log.js';
import { DeliveryModel } from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import { FakeSlack, type Block, type FakeMessage } from '../support/fake-slack.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';

/**
 * The Slack sender through the real @slack/web-api WebClient against the tests' fake Web API,
 * which refuses what real Slack refuses (Block Kit limits, unknown channels, incomplete uploads).
 */

useTestDatabase();

const greeting: Message = { text: 'Sveiki! / Hello!', choices: [choice('rsvp:yes', 'Būšu / Attending')] };

// 160 lines of 1000 characters: over Telegram's 4096 and over one Slack message's 50 sections.
const LONG_TEXT = Array.from({ length: 160 }, (_, i) => `${String(i).padStart(3, '0')} ${'ā'.repeat(995)} *_~`).join('\n');
const THIRTY = Array.from({ length: 30 }, (_, i) => choice(`m:${i}`, `Pasākums ${i}`));
const MEETING = { label: 'Pievienoties sanāksmei', url: 'https://meet.example.lv/ogp?id=1&x=2' };

const sectionsOf = (messages: FakeMessage[]) =>
  messages.flatMap((m) => m.blocks.filter((b) => b.type === 'section').map((b) => (b.text as { text: string }).text));
const buttonsOf = (message: FakeMessage | undefined) =>
  (message?.blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Block[]);

async function sendError(sender: Sender, address: string, message: Message = greeting): Promise<SendError> {
  const error = await sender.send({ address, message }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendError);
  return error as SendError;
}

describe('Slack sender against the fake Web API', () => {
  let fake: FakeSlack;
  let sender: Sender;
  beforeAll(async () => {
    fake = await FakeSlack.start({ users: [{ id: 'U100' }, { id: 'U200' }, { id: 'U300' }] });
    sender = createSlackSender(createSlackClient({ token: fake.token, apiUrl: fake.url }));
  });
  afterAll(() => fake.stop());

  it('posts plain text and Block Kit buttons without unfurling, escapes the fallback, returns the ts', async () => {
    const channel = fake.dmOf('U100');
    const { messageId } = await sender.send({ address: channel, message: { ...greeting, text: 'Termiņš < 3 dienas & *vairāk*' } });
    const stored = fake.lastMessageIn(channel);
    expect(stored?.ts).toBe(messageId);
    expect(stored?.text).toBe('Termiņš &lt; 3 dienas &amp; *vairāk*');
    expect(stored?.blocks).toEqual([
      { type: 'section', text: { type: 'plain_text', text: 'Termiņš < 3 dienas & *vairāk*', emoji: true } },
      { type: 'actions', elements: [{ type: 'button', action_id: 'rsvp:yes', value: 'rsvp:yes', text: { type: 'plain_text', text: 'Būšu / Attending', emoji: true } }] },
    ]);
    expect(fake.callsTo('chat.postMessage').at(-1)?.args).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false' });
  });

  it('delivers a long text with 30 buttons and a URL button within Slack’s limits, buttons on the last message', async () => {
    const channel = fake.dmOf('U200');
    const { messageId } = await sender.send({ address: channel, message: { text: LONG_TEXT, choices: THIRTY, links: [MEETING] } });
    const posted = fake.messagesIn(channel);
    expect(posted.length).toBe(2);
    expect(messageId).toBe(posted[1]?.ts);
    for (const message of posted) expect(message.blocks.length).toBeLessThanOrEqual(50);
    const sections = sectionsOf(posted);
    for (const section of sections) expect(section.length).toBeLessThanOrEqual(3000);
    expect(sections.join('\n')).toBe(LONG_TEXT);
    expect(buttonsOf(posted[0])).toEqual([]);
    const actions = posted[1]!.blocks.filter((b) => b.type === 'actions');
    expect(actions.map((b) => (b.elements as unknown[]).length)).toEqual([25, 6]);
    expect(buttonsOf(posted[1]).at(-1)).toEqual({
      type: 'button',
      action_id: `${LINK_ACTION_PREFIX}0`,
      url: MEETING.url,
      text: { type: 'plain_text', text: MEETING.label, emoji: true },
    });
  });

  it('uploads a CSV attachment through files.uploadV2 with the same name and bytes, after the text', async () => {
    const channel = fake.dmOf('U100');
    const csv = 'pasākums;statuss\n3.3;"procesā; ""gandrīz"""\nā€😀\n';
    const attachment = await storeFile({ name: 'atbildes-2025.csv', mediaType: 'text/csv', bytes: Buffer.from(csv, 'utf8') });
    const callsBefore = fake.calls.length;
    const { messageId } = await sender.send({ address: channel, message: { text: 'Eksports pievienots.', choices: [], attachments: [attachment] } });
    expect(messageId).toBe(fake.lastMessageIn(channel)?.ts);
    expect(fake.filesIn(channel)).toEqual([expect.objectContaining({ name: 'atbildes-2025.csv', title: 'atbildes-2025.csv', channel })]);
    expect(fake.filesIn(channel)[0]?.bytes.equals(Buffer.from(csv, 'utf8'))).toBe(true);
    expect(fake.calls.slice(callsBefore).map((c) => c.method)).toEqual(['chat.postMessage', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    expect(fake.callsTo('files.completeUploadExternal').at(-1)?.args).toMatchObject({ channel_id: channel });
  });

  it('fails a message whose file is gone permanently, before posting any of it', async () => {
    const channel = fake.dmOf('U300');
    const gone = { name: 'x.csv', mediaType: 'text/csv', source: { kind: 'stored' as const, fileId: '65a0000000000000000000ff' } };
    expect(await sendError(sender, channel, { text: 'Fails', choices: [], attachments: [gone] })).toMatchObject({ kind: 'permanent', code: 'file_missing' });
    expect(fake.messagesIn(channel)).toEqual([]);
  });

  it('edits the earlier message with chat.update and returns its ts', async () => {
    const channel = fake.dmOf('U300');
    const first = await sender.send({ address: channel, message: { text: 'Reģistrācija: 3 vietas', choices: [choice('rsvp:yes', 'Būšu')] } });
    const ref = { address: channel, messageId: first.messageId };
    const edited = await sender.send({ address: channel, message: { text: 'Reģistrācija slēgta <!here>', choices: [], edit: { ref } } });
    expect(edited).toEqual(first);
    expect(fake.messagesIn(channel)).toHaveLength(1);
    expect(fake.lastMessageIn(channel)).toMatchObject({
      ts: first.messageId,
      edited: true,
      text: 'Reģistrācija slēgta &lt;!here&gt;',
      blocks: [{ type: 'section', text: { type: 'plain_text', text: 'Reģistrācija slēgta <!here>' } }],
    });
    const unresolved = await sendError(sender, channel, { text: 'x', choices: [], edit: { deliveryKey: 'k' } });
    expect(unresolved).toMatchObject({ kind: 'permanent', code: 'bad_request' });
  });

  it('posts the rest of a long edit after the updated message', async () => {
    const channel = fake.dmOf('U300');
    const first = await sender.send({ address: channel, message: { text: 'Īss', choices: [] } });
    const before = fake.messagesIn(channel).length;
    const edited = await sender.send({ address: channel, message: { text: LONG_TEXT, choices: THIRTY, edit: { ref: { address: channel, messageId: first.messageId } } } });
    const after = fake.messagesIn(channel).slice(before);
    expect(after).toHaveLength(1);
    expect(edited.messageId).toBe(after[0]?.ts);
    expect(sectionsOf([fake.messagesIn(channel)[before - 1]!, ...after]).join('\n')).toBe(LONG_TEXT);
  });

  it('refuses over-limit Block Kit like Slack does (the fake is no softer than Slack)', async () => {
    const client = createSlackClient({ token: fake.token, apiUrl: fake.url });
    const channel = fake.dmOf('U100');
    const section = (text: string) => ({ type: 'section' as const, text: { type: 'plain_text' as const, text } });
    const button = (i: number, text = `${i}`) => ({ type: 'button' as const, action_id: `b${i}`, text: { type: 'plain_text' as const, text } });
    const tooMuch = [
      Array.from({ length: 51 }, () => section('x')),
      [section('x'.repeat(3001))],
      [{ type: 'actions' as const, elements: Array.from({ length: 26 }, (_, i) => button(i)) }],
      [{ type: 'actions' as const, elements: [button(0, 'x'.repeat(76))] }],
    ];
    for (const blocks of tooMuch) {
      await expect(client.chat.postMessage({ channel, text: 'x', blocks })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    }
  });

  it('maps a 429 to rate_limited with Retry-After, without the client waiting', async () => {
    fake.rateLimitNext('chat.postMessage', 7);
    const started = Date.now();
    expect(await sendError(sender, fake.dmOf('U100'))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 });
    expect(Date.now() - started).toBeLessThan(7000);
  });

  it('waits out one short Retry-After when asked to (direct replies), then sends', async () => {
    const patient = createSlackSender(createSlackClient({ token: fake.token, apiUrl: fake.url }), { maxRateLimitWaitMs: 5000 });
    const channel = fake.dmOf('U100');
    fake.rateLimitNext('chat.postMessage', 1);
    const started = Date.now();
    const { messageId } = await patient.send({ address: channel, message: greeting });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fake.lastMessageIn(channel)?.ts).toBe(messageId);
    fake.rateLimitNext('chat.postMessage', 30);
    expect(await sendError(patient, channel)).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
  });

  it.each([
    ['channel_not_found', 'unreachable'],
    ['account_inactive', 'unreachable'],
    ['is_archived', 'unreachable'],
    ['invalid_auth', 'permanent'],
    ['internal_error', 'transient'],
    ['msg_too_long', 'permanent'],
  ] as [string, SendErrorKind][])('classifies %s as %s', async (error, kind) => {
    fake.failNext('chat.postMessage', error);
    expect(await sendError(sender, fake.dmOf('U100'))).toMatchObject({ kind });
  });

  it('classifies a failed upload step like any other call', async () => {
    const attachment = await storeFile({ name: 'a.csv', mediaType: 'text/csv', bytes: 'a;b\n' });
    fake.failNext('files.completeUploadExternal', 'internal_error');
    expect(await sendError(sender, fake.dmOf('U100'), { text: '', choices: [], attachments: [attachment] })).toMatchObject({ kind: 'transient', code: 'server_error' });
  });

  it('classifies a refused connection as transient', async () => {
    const offline = createSlackSender(createSlackClient({ token: fake.token, apiUrl: 'http://127.0.0.1:9/api/', timeoutMs: 2000 }));
    expect(await sendError(offline, 'D100')).toMatchObject({ kind: 'transient', code: 'network_error' });
  });
});

describe('the outbox worker with the Slack sender', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(inject('redisUrl'));
  });
  afterAll(() => redis.quit());

  it('delivers the same rendering as a direct send: long text, 30 buttons, a URL button and a CSV file', async () => {
    const slack = await FakeSlack.start({ users: [{ id: 'U400' }, { id: 'U401' }] });
    const sender = createSlackSender(createSlackClient({ token: slack.token, apiUrl: slack.url }));
    const prefix = uniquePrefix();
    const outbox = createOutbox({ connection: redis, prefix });
    const workers = startOutboxWorkers({ connection: redis, prefix, senders: { slack: sender }, log: createLogger('silent') });
    try {
      const attachment = await storeFile({ name: 'kopsavilkums.csv', mediaType: 'text/csv', bytes: 'a;b\n1;2\n' });
      const message = { text: LONG_TEXT, choices: THIRTY, links: [MEETING], attachments: [attachment] };
      const [queued, direct] = [slack.dmOf('U400'), slack.dmOf('U401')];
      await produceDeliveries(outbox, [{ key: `${prefix}:long`, purpose: 'test', channel: 'slack', address: queued, ...message }]);
      await sender.send({ address: direct, message });
      await expect.poll(() => DeliveryModel.countDocuments({ key: `${prefix}:long`, state: 'sent' }), { timeout: 10_000 }).toBe(1);
      const record = await DeliveryModel.findOne({ key: `${prefix}:long` }).lean();
      expect(record?.platformMessageId).toBe(slack.lastMessageIn(queued)?.ts);
      const shape = (channel: string) => ({
        messages: slack.messagesIn(channel).map(({ text, blocks }) => ({ text, blocks })),
        files: slack.filesIn(channel).map(({ name, bytes }) => ({ name, bytes: bytes.toString('utf8') })),
      });
      expect(shape(queued)).toEqual(shape(direct));
      expect(shape(queued).messages).toHaveLength(2);
    } finally {
      await workers.close();
      await outbox.close();
      await slack.stop();
    }
  });
});
