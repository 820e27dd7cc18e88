import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SendError } from '../../src/domain/chat/channel.js';
import { storeFile } from '../../src/domain/chat/files.js';
import type { Message } from '../../src/domain/chat/message.js';
import { createConsoleChannel, renderConsole, type ConsoleMessage } from '../../src/demo/console-channel.js';
import { TerminalChat } from '../../src/demo/terminal.js';
import { createLogger } from '../../src/log.js';
import { DeliveryModel } from '../../src/models/index.js';
import { createOutbox, produceDeliveries } from '../../src/jobs/outbox.js';
import { startOutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { createRedis } from '../../src/redis.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';

useTestDatabase();

let filesDir: string;
beforeAll(() => {
  filesDir = mkdtempSync(join(tmpdir(), 'ogp-console-'));
});
afterAll(() => rmSync(filesDir, { recursive: true, force: true }));

function channel() {
  const shown: ConsoleMessage[] = [];
  return { shown, sender: createConsoleChannel({ filesDir, show: (m) => void shown.push(m) }) };
}

describe('the console channel renders the message contract', () => {
  it('shows text, numbered buttons, URL buttons with their address and saved files with their path', async () => {
    const csv = await storeFile({ name: 'atbildes.csv', mediaType: 'text/csv', bytes: 'a;b\n1;2\n' });
    const { shown, sender } = channel();
    const message: Message = {
      text: 'Atbildes pielikumā.\nAnswers attached.',
      choices: [
        { id: 'x:1', label: 'Labi / OK' },
        { id: 'x:2', label: 'Vēl / More' },
      ],
      links: [{ label: 'Plāns / Plan', url: 'https://www.mk.gov.lv/lv/atverta-parvaldiba' }],
      attachments: [csv],
    };
    expect(await sender.send({ address: 'terminal', message })).toEqual({ messageId: '1' });

    const [first] = shown;
    const path = first!.files[0]!.path;
    expect(readFileSync(path, 'utf8')).toBe('a;b\n1;2\n');
    expect(readdirSync(filesDir)).toContain('atbildes.csv');
    expect(renderConsole(first!, 'OGP bots')).toEqual([
      '┃ OGP bots',
      '┃ Atbildes pielikumā.',
      '┃ Answers attached.',
      '┃   [1] Labi / OK',
      '┃   [2] Vēl / More',
      '┃   [↗] Plāns / Plan — https://www.mk.gov.lv/lv/atverta-parvaldiba',
      `┃   📎 atbildes.csv (text/csv, 8 B) → ${path}`,
    ]);
  });

  it('shows an edit as an edited copy of the earlier message, keeping its files', async () => {
    const file = await storeFile({ name: 'progress.md', mediaType: 'text/markdown', bytes: '# 0/3\n' });
    const { shown, sender } = channel();
    const { messageId } = await sender.send({ address: 'terminal', message: { text: 'Sūta… 0 no 3', choices: [{ id: 'stop', label: 'Apturēt' }], attachments: [file] } });
    expect(await sender.send({ address: 'terminal', message: { text: 'Nosūtīts 3 no 3', choices: [], edit: { ref: { address: 'terminal', messageId } } } })).toEqual({
      messageId,
    });

    const edited = shown[1]!;
    expect(edited).toMatchObject({ messageId, before: { text: 'Sūta… 0 no 3' }, message: { text: 'Nosūtīts 3 no 3', attachments: [file] } });
    expect(edited.message).not.toHaveProperty('edit');
    expect(renderConsole(edited, 'OGP bots')).toEqual([
      '┃ OGP bots · labots / edited',
      '┃ (agrāk / was: Sūta… 0 no 3)',
      '┃ Nosūtīts 3 no 3',
      `┃   📎 progress.md (text/markdown, 6 B) → ${edited.files[0]!.path}`,
    ]);
  });

  it('refuses an edit of a message it never showed, as Telegram does', async () => {
    const { sender } = channel();
    const error = await sender.send({ address: 'terminal', message: { text: 'x', choices: [], edit: { ref: { address: 'terminal', messageId: '99' } } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({ kind: 'permanent', code: 'bad_request' });
  });

  it('keeps a file inside its folder whatever its name says', async () => {
    const evil = await storeFile({ name: 'x.csv', mediaType: 'text/csv', bytes: 'x' });
    const { shown, sender } = channel();
    await sender.send({ address: 'terminal', message: { text: 'Fails', choices: [], attachments: [{ ...evil, name: '../../escape.csv' }] } });
    expect(readdirSync(filesDir)).toContain('escape.csv');
    expect(shown[0]!.files[0]!.path.endsWith('escape.csv')).toBe(true);
  });
});

describe('the terminal presses the buttons it shows', () => {
  it('picks by number from the latest buttons, and an edit that removes them disarms them', () => {
    let out = '';
    const chat = new TerminalChat((text) => (out += text));
    chat.showBot({ text: 'Statuss?', choices: [{ id: 's:done', label: 'Pabeigts' }] }, 'OGP bots', { messageId: '5' });
    expect(chat.pick('1')).toEqual({ id: 's:done', label: 'Pabeigts' });
    chat.showBot({ text: 'Saglabāts.', choices: [] }, 'OGP bots', { messageId: '5', before: { text: 'Statuss?', choices: [] } });
    expect(chat.pick('1')).toBeNull();
    expect(out).toContain('┃   [1] Pabeigts');
    expect(out).toContain('┃ OGP bots · labots / edited');
  });
});

describe('the console channel behind the outbox', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(inject('redisUrl'));
  });
  afterAll(() => redis.quit());

  it('shows a delivery and its edit by delivery key like the demo shows replies', async () => {
    const prefix = uniquePrefix();
    const outbox = createOutbox({ connection: redis, prefix });
    const { shown, sender } = channel();
    const workers = startOutboxWorkers({ connection: redis, prefix, senders: { console: sender }, log: createLogger('silent') });
    try {
      const original = { key: `${prefix}:progress`, purpose: 'broadcast.progress', channel: 'console' as const, address: 'terminal', text: 'Sūta… 0 no 2' };
      await produceDeliveries(outbox, [original]);
      await expect.poll(() => shown.length, { timeout: 10_000 }).toBe(1);
      await produceDeliveries(outbox, [{ ...original, key: `${prefix}:progress:done`, text: 'Nosūtīts 2 no 2', edit: { deliveryKey: original.key } }]);
      await expect.poll(() => shown.length, { timeout: 10_000 }).toBe(2);
      expect(shown[1]).toMatchObject({ messageId: shown[0]!.messageId, before: { text: 'Sūta… 0 no 2' }, message: { text: 'Nosūtīts 2 no 2' } });
      await expect.poll(() => DeliveryModel.countDocuments({ key: { $regex: `^${prefix}:` }, state: 'sent' })).toBe(2);
    } finally {
      await workers.close();
      await outbox.close();
    }
  });
});
