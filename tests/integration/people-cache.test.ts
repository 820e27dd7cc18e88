import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { configurePeopleCache, PeopleCache, unconfigurePeopleCache } from '../../src/domain/chat/people-cache.js';
import { handleInbound, type InboundEvent, type InboundResult } from '../../src/domain/chat/router.js';
import { t } from '../../src/i18n/index.js';
import { createDeliveryStore } from '../../src/jobs/delivery-store.js';
import { ContactModel } from '../../src/models/index.js';
import { describeCommand, recordDbCommands, type DbCommand, type DbCommandRecorder } from '../support/db-commands.js';
import { useTestDatabase } from '../support/mongo.js';
import { useCacheTestbed } from '../support/cache-testbed.js';
import { importDemoContacts, loadShippedPlan, SHIPPED_PLAN_KEY } from '../support/plan.js';

/**
 * The people cache (src/domain/chat/people-cache.ts) on the real FerretDB and Redis: a known person
 * is read once, and every write to their contact or identity — a language chosen, a role given by
 * the CLI in another process, the identity deactivated as the worker does on a blocked bot, the
 * person forgotten — is seen by the very next step, in this process and in another one.
 */

const db = useTestDatabase({ monitorCommands: true });
const bed = useCacheTestbed({ topic: 'people', configure: configurePeopleCache, unconfigure: unconfigurePeopleCache, databaseUri: () => db.uri() });

const now = new Date('2026-01-20T10:00:00Z');
let recorder: DbCommandRecorder;
let sequence = 0;

const say = (chat: string, event: InboundEvent): Promise<InboundResult> =>
  handleInbound({ channel: 'telegram', externalId: chat, address: chat, commandPrefix: '/', now, dedupeKey: `people:${(sequence += 1)}` }, event);
const command = (chat: string, name: string, args = '') => say(chat, { type: 'command', name, args });
const identityAndContactReads = (commands: DbCommand[]) => commands.filter((c) => c.collection === 'channelidentities' || c.collection === 'contacts');

/** Links `email`'s contact to the Telegram chat `chat`. */
async function link(email: string, chat: string): Promise<void> {
  const contact = await ContactModel.findOne({ email }).orFail();
  const { token } = await createInvitation({ contactId: contact._id, actor: 'test', now });
  expect((await command(chat, 'start', token)).outcome).toBe('ok');
}

beforeAll(async () => {
  recorder = recordDbCommands();
  await loadShippedPlan();
  await importDemoContacts();
});

describe('who is writing', () => {
  it('a known person is read once; the next steps read neither identity nor contact', async () => {
    await link('arturs.liepins@example.lv', '93001');
    const first = await recorder.of(() => command('93001', 'language'));
    expect(identityAndContactReads(first).map(describeCommand)).toEqual(['find channelidentities [_id]', 'find contacts [_id]']);
    for (let i = 0; i < 2; i++) expect(identityAndContactReads(await recorder.of(() => command('93001', 'language')))).toEqual([]);
  });

  it('a stranger is not held: linked, they are known at the next step', async () => {
    expect((await command('93002', 'language')).outcome).toBe('unknown_person');
    await link('marta.zarina@example.lv', '93002');
    expect((await command('93002', 'language')).outcome).toBe('ok');
  });
});

describe('a write in this process is seen by the next step', () => {
  it('a language chosen with /language', async () => {
    await link('janis.kalnins@example.lv', '93003');
    // A contact person asking for a coordinator's command is refused in their language.
    expect((await command('93003', 'broadcast')).replies[0]?.text).toBe(t('lv', 'access.not_coordinator'));
    expect((await command('93003', 'language', 'en')).replies[0]?.text).toBe(t('en', 'language.switched'));
    expect((await command('93003', 'broadcast')).replies[0]?.text).toBe(t('en', 'access.not_coordinator'));
  });

  it('a person forgotten is a stranger at the next step', async () => {
    await link('ilze.berzina@example.lv', '93004');
    expect((await command('93004', 'mydata')).outcome).toBe('ok');
    expect((await command('93004', 'forget')).outcome).toBe('ok');
    expect((await say('93004', { type: 'choice', id: 'pv:forget' })).outcome).toBe('ok');
    expect((await command('93004', 'mydata')).outcome).toBe('unknown_person');
  });
});

describe('a write made by another process', () => {
  const { cli } = bed;

  it('the CLI making a person a coordinator: the next step here lets them broadcast', async () => {
    await link('marta.zarina@example.lv', '93005');
    const refused = await command('93005', 'broadcast');
    expect(refused.replies[0]?.text).toBe(t('lv', 'access.not_coordinator'));
    expect(identityAndContactReads(await recorder.of(() => command('93005', 'broadcast')))).toEqual([]);

    const file = join(bed.dir, 'marta.csv');
    writeFileSync(file, 'name,email,institution,roles,measures,language\nMarta Zariņa,marta.zarina@example.lv,VAS,contact_person;coordinator,1.3;4.1,lv\n');
    const { stdout } = await cli('import-contacts', file, '--plan', SHIPPED_PLAN_KEY);
    expect(stdout).toContain('1 changed');
    const allowed = await command('93005', 'broadcast');
    expect(allowed.outcome).toBe('ok');
    expect(allowed.replies[0]?.text).not.toBe(t('lv', 'access.not_coordinator'));
  });

  it('an identity deactivated as the worker does on a blocked bot: not answered as a person here nor in another web process', async () => {
    await link('arturs.liepins@example.lv', '93006');
    // `web` stands in for another web process: this process's writes do not touch its copy (only
    // the configured cache hears the write hooks), so all it learns comes through Redis.
    const web = new PeopleCache({ redis: bed.otherRedis, prefix: bed.prefix });
    expect((await command('93006', 'language')).outcome).toBe('ok');
    expect((await web.get('telegram', '93006'))?.contact.email).toBe('arturs.liepins@example.lv');
    expect(identityAndContactReads(await recorder.of(() => web.get('telegram', '93006')))).toEqual([]);

    // The worker's write when Telegram answers 403 (outbox-worker.ts, delivery-store.ts).
    await createDeliveryStore().deactivateIdentity('telegram', '93006', 'blocked');
    expect((await command('93006', 'language')).outcome).toBe('unknown_person');
    expect(await web.get('telegram', '93006')).toBeNull();
  });
});
