import { Types } from 'mongoose';
import { beforeEach, describe, expect, it } from 'vitest';
import { SendError, SendErrorCode, type OutgoingMessage, type Sender } from '../../src/domain/chat/channel.js';
import { readAttachment, storeFile } from '../../src/domain/chat/files.js';
import type { Attachment } from '../../src/domain/chat/message.js';
import { DeliveryModel } from '../../src/models/index.js';
import { produceDeliveries, type DeliveryInput } from '../../src/jobs/outbox.js';
import { NO_LIMITS } from '../../src/jobs/outbox-limits.js';
import { EditFailure } from '../../src/jobs/outbox-worker.js';
import { useTestDatabase } from '../support/mongo.js';
import { settled, sleep, useOutboxTestbed } from '../support/outbox.js';

/**
 * The outbox carries the whole message contract: what a producer gives is what the record keeps
 * and what the channel's sender is handed, with an edit by delivery key turned into the earlier
 * message's platform reference. A recording sender stands in for the platforms (their renderers
 * have their own tests).
 */

useTestDatabase();
const bed = useOutboxTestbed({ jobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 100 } } });

class RecordingSender implements Sender {
  readonly channel = 'telegram' as const;
  readonly sent: OutgoingMessage[] = [];
  readonly files: Buffer[] = [];
  private next = 100;
  async send(outgoing: OutgoingMessage) {
    this.sent.push(structuredClone(outgoing));
    // Like the real senders: the bytes are read at send time; a file that is gone throws.
    for (const attachment of outgoing.message.attachments ?? []) this.files.push(await readAttachment(attachment));
    const edit = outgoing.message.edit;
    if (edit && 'ref' in edit) return { messageId: edit.ref.messageId };
    this.next += 1;
    return { messageId: String(this.next) };
  }
}

let sender: RecordingSender;

beforeEach(() => {
  sender = new RecordingSender();
  bed.startWorkers({ senders: { telegram: sender }, limits: { telegram: NO_LIMITS } });
});

let seq = 0;
function delivery(overrides: Partial<DeliveryInput> = {}): DeliveryInput & { key: string } {
  seq += 1;
  return {
    key: `msg:${bed.prefix}:${seq}`,
    purpose: 'test',
    channel: 'telegram',
    address: '500',
    text: 'Sveiki! / Hello!',
    ...overrides,
  } as DeliveryInput & { key: string };
}

describe('the outbox carries the message contract', () => {
  it('records links, files and the priority class, and hands the sender the same Message', async () => {
    const csv: Attachment = await storeFile({ name: 'atbildes.csv', mediaType: 'text/csv; charset=utf-8', bytes: 'measure;status\n3.3;done\n' });
    const input = delivery({
      priority: 'reply',
      choices: [{ id: 'ok', label: 'Labi / OK' }],
      links: [{ label: 'Ziņojums / Report', url: 'https://www.esfondi.lv/zinojumi' }],
      attachments: [csv],
    });
    await produceDeliveries(bed.outbox, [input]);

    const record = await settled(input.key);
    expect(record).toMatchObject({
      state: 'sent',
      priority: 'reply',
      platformMessageId: '101',
      links: [{ label: 'Ziņojums / Report', url: 'https://www.esfondi.lv/zinojumi' }],
      attachments: [csv],
    });
    expect(sender.sent).toEqual([
      {
        address: '500',
        message: {
          text: 'Sveiki! / Hello!',
          choices: [{ id: 'ok', label: 'Labi / OK' }],
          links: [{ label: 'Ziņojums / Report', url: 'https://www.esfondi.lv/zinojumi' }],
          attachments: [csv],
        },
      },
    ]);
    expect(sender.files.map((bytes) => bytes.toString('utf8'))).toEqual(['measure;status\n3.3;done\n']);
  });

  it('sends a plain delivery with text and choices only, as before', async () => {
    const input = delivery({ purpose: 'reminder', choices: [{ id: 'a', label: 'A' }] });
    await produceDeliveries(bed.outbox, [input]);
    expect(await settled(input.key)).toMatchObject({ state: 'sent', priority: 'reminder', links: [], attachments: [] });
    expect(sender.sent).toEqual([{ address: '500', message: { text: 'Sveiki! / Hello!', choices: [{ id: 'a', label: 'A' }] } }]);
  });

  it('turns an edit by delivery key into the earlier message at its address', async () => {
    const original = delivery({ address: '501', text: 'Sūta… 0 no 3 / Sending… 0 of 3' });
    await produceDeliveries(bed.outbox, [original]);
    const sent = await settled(original.key);
    const edit = delivery({ address: '501', text: 'Nosūtīts 3 no 3 / Sent 3 of 3', edit: { deliveryKey: original.key } });
    await produceDeliveries(bed.outbox, [edit]);

    expect(await settled(edit.key)).toMatchObject({ state: 'sent', attempts: 1, platformMessageId: sent.platformMessageId, edit: { deliveryKey: original.key } });
    expect(sender.sent.at(-1)).toEqual({
      address: '501',
      message: { text: 'Nosūtīts 3 no 3 / Sent 3 of 3', choices: [], edit: { ref: { address: '501', messageId: sent.platformMessageId } } },
    });
  });

  it('passes an edit by platform reference through unchanged', async () => {
    const edit = delivery({ address: '502', text: 'Labots / Edited', edit: { ref: { address: '502', messageId: '7' } } });
    await produceDeliveries(bed.outbox, [edit]);
    expect(await settled(edit.key)).toMatchObject({ state: 'sent', platformMessageId: '7' });
    expect(sender.sent).toEqual([{ address: '502', message: { text: 'Labots / Edited', choices: [], edit: { ref: { address: '502', messageId: '7' } } } }]);
  });

  it('holds an edit while its original is pending, without using an attempt, and sends it once the original is out', async () => {
    // The original is recorded but its job is elsewhere (a long batch, or lost until requeuePending).
    const original = delivery({ address: '503' });
    await DeliveryModel.create({ ...original, state: 'pending' });
    const edit = delivery({ address: '503', text: 'Labots / Edited', edit: { deliveryKey: original.key } });
    await produceDeliveries(bed.outbox, [edit]);

    await sleep(1_500);
    expect(await DeliveryModel.findOne({ key: edit.key }).lean()).toMatchObject({ state: 'pending', attempts: 0 });
    const [job] = await bed.outbox.queues.telegram.getJobs(['delayed']);
    expect(job?.attemptsMade).toBe(0);
    expect(sender.sent).toHaveLength(0);

    await DeliveryModel.updateOne({ key: original.key }, { $set: { state: 'sent', platformMessageId: '900', sentAt: new Date() } });
    expect(await settled(edit.key)).toMatchObject({ state: 'sent', attempts: 1, platformMessageId: '900' });
    expect(sender.sent).toEqual([{ address: '503', message: { text: 'Labots / Edited', choices: [], edit: { ref: { address: '503', messageId: '900' } } } }]);
  });

  it('fails an edit whose original failed, was cancelled, is undeliverable, went to another channel or does not exist', async () => {
    const originals = {
      failed: delivery({ address: '504' }),
      undeliverable: delivery({ address: '505' }),
      cancelled: delivery({ address: '506' }),
      slack: delivery({ channel: 'slack', address: 'D507' }),
    };
    await DeliveryModel.create([
      { ...originals.failed, state: 'failed' },
      { ...originals.undeliverable, state: 'undeliverable' },
      { ...originals.cancelled, state: 'cancelled' },
      { ...originals.slack, state: 'sent', platformMessageId: '1.2' },
    ]);
    const edits = {
      failed: delivery({ address: '504', edit: { deliveryKey: originals.failed.key } }),
      undeliverable: delivery({ address: '505', edit: { deliveryKey: originals.undeliverable.key } }),
      cancelled: delivery({ address: '506', edit: { deliveryKey: originals.cancelled.key } }),
      slack: delivery({ address: '507', edit: { deliveryKey: originals.slack.key } }),
      unknown: delivery({ address: '508', edit: { deliveryKey: `msg:${bed.prefix}:never-produced` } }),
    };
    await produceDeliveries(bed.outbox, Object.values(edits));

    const codes = Object.fromEntries(
      await Promise.all(Object.entries(edits).map(async ([name, edit]) => [name, await settled(edit.key)] as const)),
    );
    expect(codes).toMatchObject({
      failed: { state: 'failed', attempts: 0, lastError: { code: EditFailure.TargetFailed } },
      undeliverable: { state: 'failed', lastError: { code: EditFailure.TargetUndeliverable } },
      cancelled: { state: 'failed', lastError: { code: EditFailure.TargetCancelled } },
      slack: { state: 'failed', lastError: { code: EditFailure.TargetOnOtherChannel } },
      unknown: { state: 'failed', lastError: { code: EditFailure.TargetUnknown } },
    });
    await sleep(200);
    expect(sender.sent).toHaveLength(0);
  });

  it('fails a delivery whose file is gone at once, without retrying', async () => {
    const gone: Attachment = { name: 'gone.csv', mediaType: 'text/csv', source: { kind: 'stored', fileId: new Types.ObjectId().toHexString() } };
    const input = delivery({ attachments: [gone] });
    await produceDeliveries(bed.outbox, [input]);
    expect(await settled(input.key)).toMatchObject({ state: 'failed', attempts: 1, lastError: { code: 'file_missing' } });
    await sleep(300);
    expect(sender.sent).toHaveLength(1);
  });

  it('records what a sender says of a refused edit like any refusal', async () => {
    const refusing: Sender = {
      channel: 'telegram',
      send: async () => {
        throw new SendError(SendErrorCode.BadRequest, 'message to edit not found');
      },
    };
    await bed.stopWorkers();
    bed.startWorkers({ senders: { telegram: refusing }, limits: { telegram: NO_LIMITS } });
    const edit = delivery({ address: '509', edit: { ref: { address: '509', messageId: '1' } } });
    await produceDeliveries(bed.outbox, [edit]);
    expect(await settled(edit.key)).toMatchObject({ state: 'failed', attempts: 1, lastError: { code: 'bad_request', message: 'message to edit not found' } });
  });
});
