import { beforeAll, describe, expect, it } from 'vitest';
import { handleInbound, type InboundContext } from '../../src/domain/chat/router.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { ChatRegistry, answered } from '../../src/domain/chat/registry.js';
import { commandMenu, helpText } from '../../src/domain/chat/help.js';
import { createChatRegistry, chatRegistry } from '../../src/domain/features.js';
import { openRound } from '../../src/domain/rounds/rounds.js';
import { ContactModel, ReportingRoundModel } from '../../src/models/index.js';
import { t } from '../../src/i18n/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';

/** The command registry: who may use what, what /help and the menu offer, and a feature's own registrations. */

useTestDatabase();

const now = new Date('2026-01-20T10:00:00Z');
const slack = (externalId: string): InboundContext => ({ channel: 'slack', externalId, address: `D${externalId}`, commandPrefix: '/ogp ', now });

async function link(email: string, externalId: string) {
  const contact = await ContactModel.findOne({ email }).orFail();
  const { token } = await createInvitation({ contactId: contact._id, actor: 'test', now });
  const linked = await handleInbound(slack(externalId), { type: 'command', name: 'link', args: token });
  expect(linked.outcome).toBe('ok');
}

const COORDINATOR_ONLY = ['attendees', 'meeting', 'overview', 'round', 'export', 'broadcast'];
const EVERYONE = ['status', 'mine', 'language', 'cancel', 'help', 'stop', 'settings', 'meetings'];

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  const round = await openRound({ planKey: 'lv-nap-5', key: '2025', title: { lv: 'Progress', en: 'Progress' }, deadlineDate: '2026-02-01', actor: 'test', now });
  expect(round.ok).toBe(true);
  await link('marta.zarina@example.lv', 'UMARTA');
  await link('ilze.berzina@example.lv', 'UILZE');
});

describe('the chat registry', () => {
  it('refuses every coordinator-only command to a contact person, and changes nothing', async () => {
    for (const name of COORDINATOR_ONLY) {
      const result = await handleInbound(slack('UMARTA'), { type: 'command', name, args: name === 'round' ? 'close' : '' });
      expect(result.outcome).toBe('rejected');
      expect(result.replies.map((r) => r.text)).toEqual([t('lv', 'access.not_coordinator')]);
      expect(result.replies.flatMap((r) => r.attachments ?? [])).toEqual([]);
    }
    expect(await ReportingRoundModel.countDocuments({ state: 'open' })).toBe(1);
    const allowed = await handleInbound(slack('UILZE'), { type: 'command', name: 'overview', args: '' });
    expect(allowed.outcome).toBe('ok');
  });

  it('lists in /help what the person may use: the coordinator commands only for coordinators', async () => {
    const lines = async (user: string) => (await handleInbound(slack(user), { type: 'command', name: 'help', args: '' })).replies[0]?.text.split('\n') ?? [];
    const contactPerson = await lines('UMARTA');
    const coordinator = await lines('UILZE');
    for (const name of EVERYONE) {
      expect(contactPerson.some((line) => line.startsWith(`/ogp ${name} — `))).toBe(true);
      expect(coordinator.some((line) => line.startsWith(`/ogp ${name} — `))).toBe(true);
    }
    for (const name of COORDINATOR_ONLY) {
      expect(contactPerson.some((line) => line.startsWith(`/ogp ${name} `))).toBe(false);
      expect(coordinator).toContain(`/ogp ${name} — ${t('lv', `command.${name}` as 'command.overview')}`);
    }
    expect(coordinator[0]).toBe(t('lv', 'help.intro').split('\n')[0]);
  });

  it('builds the menu from the same entries, per role and language', () => {
    const registry = chatRegistry();
    const names = (roles: Parameters<typeof commandMenu>[2]) => commandMenu(registry, 'en', roles).map((e) => e.command);
    expect(new Set(names(['contact_person']))).toEqual(new Set(EVERYONE));
    expect(new Set(names(['coordinator']))).toEqual(new Set([...EVERYONE, ...COORDINATOR_ONLY]));
    for (const entry of commandMenu(registry, 'lv', ['coordinator'])) {
      // Telegram's rules for a menu entry.
      expect(entry.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(entry.description.length).toBeGreaterThanOrEqual(1);
      expect(entry.description.length).toBeLessThanOrEqual(256);
    }
  });

  it('dispatches to what a feature registered, without a change to the router', async () => {
    const registry = createChatRegistry()
      .command({ name: 'ping', roles: ['coordinator'], help: 'command.help', handle: async (ctx, args) => answered({ text: `pong ${args} ${ctx.person.name}`, choices: [] }) })
      .buttons({ prefix: 'pg:', handle: async (ctx, id) => answered({ text: `pressed ${id}`, choices: [] }) });
    const ping = await handleInbound(slack('UILZE'), { type: 'command', name: 'ping', args: 'x' }, { registry });
    expect(ping.replies[0]?.text).toBe('pong x Ilze Bērziņa');
    expect((await handleInbound(slack('UMARTA'), { type: 'command', name: 'ping', args: '' }, { registry })).outcome).toBe('rejected');
    expect((await handleInbound(slack('UMARTA'), { type: 'choice', id: 'pg:1' }, { registry })).replies[0]?.text).toBe('pressed pg:1');
    // The product's own registry does not know it: an unknown command gets help, an unknown button a refusal.
    expect((await handleInbound(slack('UILZE'), { type: 'command', name: 'ping', args: '' })).replies[0]?.text).toBe(
      helpText(chatRegistry(), 'lv', ['coordinator'], '/ogp '),
    );
    expect((await handleInbound(slack('UMARTA'), { type: 'choice', id: 'pg:1' })).outcome).toBe('rejected');
  });

  it('refuses a command registered twice and button prefixes that overlap', () => {
    const registry = new ChatRegistry().command({ name: 'a', handle: async () => answered() });
    expect(() => registry.command({ name: 'b', aliases: ['a'], handle: async () => answered() })).toThrow(/registered twice/);
    registry.buttons({ prefix: 'x:', handle: async () => answered() });
    expect(() => registry.buttons({ prefix: 'x:y', handle: async () => answered() })).toThrow(/overlaps/);
  });
});
