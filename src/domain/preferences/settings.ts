import { Types } from 'mongoose';
import { ChannelIdentityModel, ContactModel, DIGEST_CADENCES, IDENTITY_CHANNELS, type DigestCadence, type IdentityChannel, type Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { choice, type Choice, type Reply } from '../chat/message.js';
import { answered, refused, type ChatRegistry, type PersonContext } from '../chat/registry.js';
import type { InboundResult } from '../chat/router.js';
import { preferencesOf, type Preferences } from './preferences.js';

/**
 * /settings (Telegram, Slack's `/ogp settings`) and the App Home's settings section: the current
 * choices and a button for each change. A press saves one choice and answers with the settings as
 * they are now. Language keeps its own command and buttons (`lang:`, chat/basics.ts).
 */

export const SETTINGS_BUTTON = 'st:';

/** Hours offered for the digest, and quiet hours offered; a few that cover most days. */
const DIGEST_HOURS = [8, 9, 13, 17] as const;
const QUIET_CHOICES = [
  { from: 22, to: 8 },
  { from: 20, to: 8 },
] as const;

type Change =
  | { field: 'digest'; value: DigestCadence }
  | { field: 'digestHour'; value: number }
  | { field: 'muteBroadcasts'; value: boolean }
  | { field: 'quiet'; value: { from: number; to: number } | null }
  | { field: 'channel'; value: IdentityChannel };

const hh = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

function parseChange(id: string): Change | null {
  const [field, value = ''] = id.slice(SETTINGS_BUTTON.length).split(':');
  switch (field) {
    case 'd':
      return (DIGEST_CADENCES as readonly string[]).includes(value) ? { field: 'digest', value: value as DigestCadence } : null;
    case 'h': {
      const hour = Number(value);
      return (DIGEST_HOURS as readonly number[]).includes(hour) ? { field: 'digestHour', value: hour } : null;
    }
    case 'm':
      return value === '1' || value === '0' ? { field: 'muteBroadcasts', value: value === '1' } : null;
    case 'q': {
      if (value === 'off') return { field: 'quiet', value: null };
      const quiet = QUIET_CHOICES.find((q) => `${q.from}-${q.to}` === value);
      return quiet ? { field: 'quiet', value: { ...quiet } } : null;
    }
    case 'c':
      return (IDENTITY_CHANNELS as readonly string[]).includes(value) ? { field: 'channel', value: value as IdentityChannel } : null;
    default:
      return null;
  }
}

function update(change: Change): Record<string, unknown> {
  switch (change.field) {
    case 'quiet':
      return change.value
        ? { $set: { 'preferences.quietFrom': change.value.from, 'preferences.quietTo': change.value.to } }
        : { $unset: { 'preferences.quietFrom': 1, 'preferences.quietTo': 1 } };
    default:
      return { $set: { [`preferences.${change.field}`]: change.value } };
  }
}

function digestText(lang: Language, p: Preferences): string {
  if (p.digest === 'off') return t(lang, 'settings.digest.off');
  return t(lang, p.digest === 'weekly' ? 'settings.digest.weekly' : 'settings.digest.daily', { time: hh(p.digestHour) });
}

const CHANNEL_NAME: Record<IdentityChannel, string> = { telegram: 'Telegram', slack: 'Slack', console: 'Terminal' };

/** The settings as text and the buttons that change them; `channels`: where the person is linked. */
export function settingsMessage(lang: Language, p: Preferences, channels: IdentityChannel[]): Reply {
  const lines = [
    t(lang, 'settings.title'),
    t(lang, 'settings.line.language', { value: t(lang, `language.name.${lang}`) }),
    t(lang, 'settings.line.digest', { value: digestText(lang, p) }),
    t(lang, 'settings.line.broadcasts', { value: t(lang, p.muteBroadcasts ? 'settings.broadcasts.muted' : 'settings.broadcasts.on') }),
    t(lang, 'settings.line.quiet', { value: p.quiet ? `${hh(p.quiet.from)}–${hh(p.quiet.to)}` : t(lang, 'settings.quiet.none') }),
  ];
  if (channels.length > 1) {
    lines.push(t(lang, 'settings.line.channel', { value: p.channel && channels.includes(p.channel) ? CHANNEL_NAME[p.channel] : t(lang, 'settings.channel.all') }));
  }
  lines.push('', t(lang, 'settings.note'));

  const buttons: Choice[] = [];
  for (const cadence of DIGEST_CADENCES) {
    if (cadence !== p.digest) buttons.push(choice(`${SETTINGS_BUTTON}d:${cadence}`, t(lang, `settings.button.digest_${cadence}`)));
  }
  if (p.digest !== 'off') {
    for (const hour of DIGEST_HOURS) {
      if (hour !== p.digestHour) buttons.push(choice(`${SETTINGS_BUTTON}h:${hour}`, t(lang, 'settings.button.hour', { time: hh(hour) })));
    }
  }
  buttons.push(choice(`${SETTINGS_BUTTON}m:${p.muteBroadcasts ? 0 : 1}`, t(lang, p.muteBroadcasts ? 'settings.button.unmute' : 'settings.button.mute')));
  for (const q of QUIET_CHOICES) {
    if (p.quiet?.from !== q.from || p.quiet.to !== q.to) buttons.push(choice(`${SETTINGS_BUTTON}q:${q.from}-${q.to}`, t(lang, 'settings.button.quiet', { from: hh(q.from), to: hh(q.to) })));
  }
  if (p.quiet) buttons.push(choice(`${SETTINGS_BUTTON}q:off`, t(lang, 'settings.button.quiet_off')));
  if (channels.length > 1) {
    for (const channel of channels) {
      if (channel !== p.channel) buttons.push(choice(`${SETTINGS_BUTTON}c:${channel}`, t(lang, 'settings.button.channel', { channel: CHANNEL_NAME[channel] })));
    }
  }
  const other: Language = lang === 'lv' ? 'en' : 'lv';
  buttons.push(choice(`lang:${other}`, t(other, `language.name.${other}`)));
  return { text: lines.join('\n'), choices: buttons };
}

/** The chats a person is linked on now: the only ones they may prefer. */
async function linkedChannels(contactId: Types.ObjectId): Promise<IdentityChannel[]> {
  const identities = await ChannelIdentityModel.find({ contact: contactId, active: true }, { channel: 1 }).lean();
  return [...new Set(identities.map((i) => i.channel))].sort();
}

/** A person's settings as shown in /settings and the App Home; null for an unknown contact. */
export async function mySettings(contactId: string | Types.ObjectId): Promise<Reply | null> {
  if (!Types.ObjectId.isValid(String(contactId))) return null;
  const [contact, channels] = await Promise.all([
    ContactModel.findById(contactId, { language: 1, preferences: 1, active: 1 }).lean(),
    linkedChannels(new Types.ObjectId(String(contactId))),
  ]);
  if (!contact?.active) return null;
  return settingsMessage(contact.language, preferencesOf(contact), channels);
}

async function showSettings(ctx: PersonContext): Promise<InboundResult> {
  const settings = await mySettings(ctx.person.contactId);
  return settings ? answered(settings) : refused({ text: t(ctx.person.language, 'error.stale_button'), choices: [] });
}

async function changeSetting(ctx: PersonContext, id: string): Promise<InboundResult> {
  const lang = ctx.person.language;
  const change = parseChange(id);
  const unlinked = change?.field === 'channel' && !(await linkedChannels(ctx.person.contactId)).includes(change.value);
  if (!change || unlinked) return refused({ text: t(lang, 'error.stale_button'), choices: [] });
  await ContactModel.updateOne({ _id: ctx.person.contactId }, update(change));
  const settings = await mySettings(ctx.person.contactId);
  const saved = t(lang, 'settings.saved');
  return answered(settings ? { ...settings, text: `${saved}\n\n${settings.text}` } : { text: saved, choices: [] });
}

export function registerSettingsFeature(registry: ChatRegistry): void {
  registry
    .command({ name: 'settings', aliases: ['iestatijumi'], help: 'command.settings', menu: true, handle: (ctx) => showSettings(ctx) })
    .buttons({ prefix: SETTINGS_BUTTON, handle: changeSetting });
}
