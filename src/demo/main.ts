import { createInterface } from 'node:readline';
import { DateTime } from 'luxon';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { startRuntime } from '../runtime.js';
import { handleInbound, type InboundEvent } from '../domain/chat/router.js';
import { isWithinOfficeHours, DEFAULT_REMINDER_POLICY } from '../domain/reminders/reminder-policy.js';
import { nextWorkingDay, isWorkingDay } from '../domain/reminders/working-days.js';
import { startOutboxWorkers } from '../jobs/outbox-worker.js';
import { startBroadcastWorker } from '../jobs/broadcast-queue.js';
import { reconcileReminders } from '../jobs/reminder-scheduler.js';
import { DeliveryModel, rekeyConversations } from '../models/index.js';
import { COORDINATOR_ADDRESS, isMeetingDemo, linkCoordinatorConsole, seedDemo } from './seed.js';
import { seedDemoMeeting } from './meeting-seed.js';
import { createConsoleChannel } from './console-channel.js';
import { TerminalChat, parseTerminalInput } from './terminal.js';

/**
 * `npm run demo`: the product without chat tokens. The same router, conversation, scheduler and
 * outbox the bots use; the terminal is the chat and the console channel its sender, for the
 * outbox's deliveries and the direct replies alike.
 */

const { values } = parseArgs({ options: { as: { type: 'string', default: 'arturs.liepins@example.lv' }, keep: { type: 'boolean' } } });
const write = (text: string) => process.stdout.write(text);

/** Reminders go out only in office hours; outside them the demo shows the next morning's reminder. */
function reminderClock(now: DateTime): DateTime {
  const riga = now.setZone('Europe/Riga');
  if (isWithinOfficeHours(riga, 'Europe/Riga', DEFAULT_REMINDER_POLICY)) return riga;
  const today9 = riga.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  const day = isWorkingDay(riga) && riga < today9 ? today9 : nextWorkingDay(today9);
  return day.set({ minute: 1 });
}

async function waitForDeliveries(timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && (await DeliveryModel.countDocuments({ state: 'pending' })) > 0) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  // Its own queue prefix and database, so a service running beside it is not disturbed.
  const config = loadConfig({ ...process.env, QUEUE_PREFIX: process.env.QUEUE_PREFIX || 'ogp-demo' });
  const log = createLogger('warn');
  write('OGP forum bot — terminal demo. Starting MongoDB-wire and Redis...\n');
  const runtime = await startRuntime(config, { database: 'ogp_demo', say: (line) => write(`  ${line}\n`) });
  if (!values.keep) await mongoose.connection.db?.dropDatabase();
  await mongoose.connection.syncIndexes();

  const chat = new TerminalChat(write);
  const consoleChannel = createConsoleChannel({
    show: ({ address, messageId, message, files, before }) =>
      chat.showBot(message, address === COORDINATOR_ADDRESS ? 'OGP bots → koordinatorei (cits terminālis)' : 'OGP bots', {
        messageId,
        files,
        ...(before ? { before } : {}),
      }),
  });
  const workers = startOutboxWorkers({ connection: runtime.redis, prefix: config.queuePrefix, senders: { console: consoleChannel }, log });
  const broadcasts = startBroadcastWorker({ connection: runtime.redis, prefix: config.queuePrefix, outbox: runtime.outbox, log });

  const now = DateTime.now();
  await rekeyConversations();
  const { contact, roundTitle } = await seedDemo(values.as ?? '', now, config.timeZone);
  write(`\nPlāns ielādēts: 5. rīcības plāns, 6 apņemšanās, 26 pasākumi. Atvērta kārta: ${roundTitle}.\n`);
  write(`Jūs esat ${contact.name} (${contact.institution}). Atbildiet ar pogas numuru, tekstu vai komandu:\n`);
  const meetingDemo = isMeetingDemo(contact);
  const coordinator = contact.roles.includes('coordinator')
    ? ` · koordinatoriem: /overview /round /export${meetingDemo ? ' /attendees' : ''}`
    : '';
  write(`/status /mine ${meetingDemo ? '/meetings ' : ''}/lang /help /cancel /quit${coordinator}\n`);

  const clock = reminderClock(now);
  if (clock.toMillis() !== now.setZone('Europe/Riga').toMillis()) {
    chat.showNote(`šobrīd nav darba laiks; atgādinājumi parādīti tā, kā tie pienāks ${clock.toFormat('dd.MM.yyyy HH.mm')}`);
  }
  await reconcileReminders({ now: clock, outbox: runtime.outbox });
  await waitForDeliveries();
  if (meetingDemo) {
    // Seeded after the reminders went out, so the invitation is the last message and its buttons are the numbers'.
    const meeting = await seedDemoMeeting(now, config.timeZone, contact.email);
    const start = DateTime.fromJSDate(meeting.startsAt, { zone: meeting.timeZone });
    write(`\nIeplānota padomes sēde ${start.toFormat('dd.MM.yyyy HH.mm')} (${meeting.key}); uzaicinājumu sūta plānotājs.\n`);
    await reconcileReminders({ now: clock, outbox: runtime.outbox });
    await waitForDeliveries();
    await linkCoordinatorConsole(contact);
  }

  const ctx = { channel: 'console' as const, externalId: `demo:${contact.email}`, address: 'terminal', commandPrefix: '/' };
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  const prompt = () => process.stdin.isTTY && rl.prompt();
  rl.setPrompt('> ');
  prompt();
  for await (const line of rl) {
    if (!process.stdin.isTTY) write(`> ${line}\n`);
    const input = parseTerminalInput(line);
    if (input.type === 'quit') break;
    let event: InboundEvent | null = null;
    if (input.type === 'command') event = { type: 'command', name: input.name, args: input.args };
    if (input.type === 'text') event = { type: 'text', text: input.text };
    if (input.type === 'number') {
      const picked = chat.pick(input.value);
      event = picked ? { type: 'choice', id: picked.id } : { type: 'text', text: input.value };
    }
    if (event) {
      const result = await handleInbound({ ...ctx, now: new Date() }, event, { produce: runtime.produce, broadcasts: runtime.broadcasts });
      for (const reply of result.replies) {
        // A reply goes out like a delivery would; a file that is gone is told, not fatal.
        await consoleChannel.send({ address: ctx.address, message: reply }).catch((error: unknown) => {
          chat.showNote(`neizdevās parādīt atbildi / could not show the reply: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
      await waitForDeliveries();
    }
    prompt();
  }
  rl.close();
  write('\nUz redzēšanos! / Goodbye!\n');
  await broadcasts.close();
  await workers.close();
  await runtime.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
