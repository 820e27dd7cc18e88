import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handleInbound, type InboundContext, type InboundEvent, type InboundResult } from '../../src/domain/chat/router.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { configureProcessCaches, unconfigureProcessCaches } from '../../src/domain/process-caches.js';
import { t } from '../../src/i18n/index.js';
import { ContactModel, StatusReportModel } from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import { describeCommand, recordDbCommands, type DbCommand, type DbCommandRecorder } from '../support/db-commands.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan, openShippedPlanRound } from '../support/plan.js';

/**
 * The round trips of a conversation step, counted with the driver's command monitoring on the real
 * FerretDB (issue 10): a typical step of a status report (a status button, the note, "no links")
 * sends three commands — the dedupe claim, the conversation by `_id` and the conversation's write —
 * and no read that FerretDB answers by reading a whole collection. Who is writing (identity and
 * contact) comes from the people cache and the plan data from the plan cache, as in the service.
 * A change that adds a lookup to the hot path fails here.
 */

useTestDatabase({ monitorCommands: true });

const TYPICAL_STEP = ['insert inboundevents', 'find conversationstates [_id]', 'update conversationstates'];

const now = new Date('2026-01-20T10:00:00Z');
const chat = '91001';
const inbound = (n: number): InboundContext => ({ channel: 'telegram', externalId: chat, address: chat, commandPrefix: '/', now, dedupeKey: `steps:${n}` });

let recorder: DbCommandRecorder;
let redis: Redis;
let sequence = 0;

async function step(event: InboundEvent): Promise<{ result: InboundResult; commands: DbCommand[] }> {
  let result!: InboundResult;
  const commands = await recorder.of(async () => {
    result = await handleInbound(inbound((sequence += 1)), event);
  });
  return { result, commands };
}

/** The id of the choice labelled `label` in the step's last reply. */
function press(result: InboundResult, label: string): InboundEvent {
  const choice = result.replies.at(-1)?.choices.find((c) => c.label === label || c.label.startsWith(label));
  if (!choice) throw new Error(`no choice '${label}' in [${result.replies.at(-1)?.choices.map((c) => c.label).join(' | ')}]`);
  return { type: 'choice', id: choice.id };
}

beforeAll(async () => {
  recorder = recordDbCommands();
  redis = createRedis(inject('redisUrl'));
  const prefix = uniquePrefix();
  configureProcessCaches({ redis, prefix });
  await loadShippedPlan();
  await importDemoContacts();
  await openShippedPlanRound({ deadlineDate: '2026-02-13', now });
  const arturs = await ContactModel.findOne({ email: 'arturs.liepins@example.lv' }).orFail();
  const { token } = await createInvitation({ contactId: arturs._id, actor: 'test', now });
  await handleInbound({ ...inbound(0), dedupeKey: 'steps:link' }, { type: 'command', name: 'start', args: token });
});
afterAll(async () => {
  unconfigureProcessCaches();
  await redis.quit();
});

describe('database commands of a conversation step', () => {
  it('a typical step of a status report sends three commands, its one read by _id', async () => {
    const start = await step({ type: 'command', name: 'status', args: '' });
    const measure = await step({ type: 'choice', id: start.result.replies.at(-1)!.choices[0]!.id });
    const status = await step(press(measure.result, t('lv', 'status.in_progress')));
    const note = await step({ type: 'text', text: 'Darba grupa sanāca divreiz; metodika gatava.' });
    const links = await step(press(note.result, t('lv', 'button.skip_links')));
    const confirm = await step(press(links.result, t('lv', 'button.confirm')));
    expect(confirm.result.outcome).toBe('ok');
    expect(await StatusReportModel.countDocuments({ note: 'Darba grupa sanāca divreiz; metodika gatava.' })).toBe(1);

    for (const typical of [status, note, links]) {
      expect(typical.result.outcome).toBe('ok');
      expect(typical.commands.map(describeCommand)).toEqual(TYPICAL_STEP);
    }
    // Choosing a measure also reads which were answered (for the marks); the plan data comes from
    // the cache, which the first step filled.
    expect(measure.commands.filter((c) => c.name === 'find' && !c.byId).map(describeCommand)).toEqual(['find statusreports']);
    expect(start.commands.filter((c) => c.collection === 'measures').length).toBeLessThanOrEqual(1);
  });

  it('a saved report does not make the next report read the plan again (the current status is not cached)', async () => {
    const next = await step({ type: 'command', name: 'status', args: '' });
    expect(next.result.outcome).toBe('ok');
    expect(next.commands.filter((c) => c.collection === 'measures' || c.collection === 'reportingrounds').map(describeCommand)).toEqual([]);
  });
});
