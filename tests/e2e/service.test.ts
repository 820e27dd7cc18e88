import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DateTime } from 'luxon';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { openRound } from '../../src/domain/rounds/rounds.js';
import { freePort } from '../../src/infra/local-services.js';
import { ChannelIdentityModel, ContactModel, ConversationStateModel } from '../../src/models/index.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';

/**
 * `npm start` as a newcomer runs it: src/main.ts in its own process, all roles in one, pointed by
 * its settings at the test database, Redis and the fake Bot API. Proves the wiring: the bot polls
 * and answers, the web role answers health checks, and the process stops cleanly.
 */

const db = useTestDatabase();
const root = fileURLToPath(new URL('../..', import.meta.url));
let telegram: FakeTelegram;
let service: ChildProcess;
let port: number;
let output = '';

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  const deadline = DateTime.now().setZone('Europe/Riga').plus({ days: 7 }).toISODate() ?? '';
  const round = await openRound({ planKey: 'lv-nap-5', key: 'smoke', title: { lv: 'Pārbaude', en: 'Smoke' }, deadlineDate: deadline, actor: 'test' });
  expect(round.ok).toBe(true);
  telegram = await new FakeTelegram().start();
  port = await freePort();
  service = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      MONGODB_URI: db.uri(),
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: uniquePrefix(),
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_MODE: 'polling',
      SLACK_BOT_TOKEN: '',
      PORT: String(port),
      ROLE: 'all',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  service.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await telegram.waitFor(() => telegram.callsTo('getUpdates').length > 0, 30_000);
}, 60_000);

afterAll(async () => {
  if (service && service.exitCode === null) {
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
  }
  await telegram?.stop();
});

describe('npm start (all roles in one process)', () => {
  it('says which channels are off and answers its health check', async () => {
    expect(output).toContain('Slack is off: SLACK_BOT_TOKEN is not set.');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { alive: true }]);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { mongo: true, redis: true, channels: true }]);
  });

  it('links a person from a deep link and answers on Telegram', async () => {
    const contact = await ContactModel.findOne({ email: 'liga.ozola@example.lv' }).orFail();
    const { token } = await createInvitation({ contactId: contact._id, actor: 'test' });
    telegram.userMessage(4242, `/start ${token}`);
    const welcome = await telegram.waitFor(() => telegram.sent(4242)[0], 10_000);
    expect(String(welcome.params.text)).toContain('Līga Ozola');
    expect(await ChannelIdentityModel.countDocuments({ contact: contact._id, channel: 'telegram', externalId: '4242' })).toBe(1);
  });

  it('serves Prometheus metrics: the inbound event just handled, deliveries by state and channel, the queues; no texts or chat ids', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^ogp_inbound_handling_seconds_count\{kind="command",outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^ogp_outbox_queue_jobs\{channel="telegram",state="waiting"\} \d+/m);
    expect(text).toMatch(/^ogp_outbox_oldest_waiting_seconds\{channel="telegram"\} [\d.]+/m);
    expect(text).toContain('# TYPE ogp_deliveries gauge');
    expect(text).not.toContain('4242');
    expect(text).not.toContain(telegram.token);
  });

  it('never logs a token or what a person wrote, also through a status report', async () => {
    // Līga reports on her measure; her note must reach the database and never the logs.
    const note = 'Slepena piezīme ŠIFRS-9137 par grozījumiem';
    const sentSoFar = () => telegram.sent(4242).length;
    type Sent = { message_id: number; reply_markup?: { inline_keyboard: { callback_data?: string }[][] } };
    const nextReply = async (before: number) => {
      await telegram.waitFor(() => sentSoFar() > before, 10_000);
      return telegram.sent(4242).at(-1)!.result as Sent;
    };
    const press = (reply: Sent) => telegram.userPress(4242, reply.message_id, reply.reply_markup?.inline_keyboard.flat().find((b) => b.callback_data)?.callback_data ?? '');
    let before = sentSoFar();
    // Her one measure is chosen for her: the first answer asks its status.
    telegram.userMessage(4242, '/status');
    const statuses = await nextReply(before);
    before = sentSoFar();
    press(statuses);
    await nextReply(before);
    before = sentSoFar();
    telegram.userMessage(4242, note);
    await nextReply(before);

    // The note was taken (the conversation holds it), so the logs had the chance to show it.
    const liga = await ContactModel.findOne({ email: 'liga.ozola@example.lv' }).orFail();
    expect(JSON.stringify((await ConversationStateModel.findOne({ contact: liga._id }).lean())?.data)).toContain('ŠIFRS-9137');
    expect(output).not.toContain(telegram.token);
    expect(output).not.toContain('/start ');
    expect(output).not.toContain('ŠIFRS-9137');
    expect(output).not.toContain(note);
  });

  it('stops cleanly on SIGTERM, also when the signal comes twice (a supervisor, Ctrl-C twice), and says it finished', async () => {
    const exited = new Promise<[number | null, string | null]>((resolve) => service.once('exit', (code, signal) => resolve([code, signal])));
    service.kill('SIGTERM');
    service.kill('SIGTERM');
    // Killed by the second signal would be [null, 'SIGTERM'].
    expect(await exited).toEqual([0, null]);
    expect(output).toMatch(/"reason":"SIGTERM","msg":"stopping"/);
    expect(output).toMatch(/"reason":"SIGTERM","msg":"stopped"/);
  });
});
