import { DateTime } from 'luxon';
import {
  ChannelIdentityModel,
  ContactModel,
  InboundEventModel,
  type ContactDoc,
  type IdentityChannel,
  type Language,
} from '../../models/index.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';
import { t, tBoth } from '../../i18n/index.js';
import { choice, type Reply } from './message.js';
import { redeemInvitation } from './invitations.js';
import { handleStatusEvent, isStatusChoice, myMeasures, renderMyMeasures } from '../status/status-conversation.js';
import { START_CHOICE_ID } from '../status/status-flow-replies.js';
import { parseReminderAction } from '../reminders/reminder-actions.js';
import { declineMeasure, snoozeReminder } from '../reminders/reminder-answers.js';
import type { OutboundMessage } from '../reminders/reminder-messages.js';
import { coordinatorOverview } from '../rounds/coordinator-overview.js';
import { exportCommand, roundCommand } from '../rounds/coordinator-commands.js';

/**
 * The one entry point of every chat channel: Telegram, Slack and the terminal demo turn what a
 * person did into an InboundEvent, call handleInbound, and render the replies. Who the person is
 * comes from their linked chat identity; strangers learn how to get access and nothing else.
 */

export type InboundEvent =
  | { type: 'command'; name: string; args: string }
  | { type: 'choice'; id: string }
  | { type: 'text'; text: string };

export interface InboundContext {
  channel: IdentityChannel;
  externalId: string;
  address: string;
  /** How the platform spells a command in help texts: "/" on Telegram, "/ogp " on Slack. */
  commandPrefix: string;
  now?: Date;
  /** The platform's id for this event; the same id twice is handled once. */
  dedupeKey?: string;
}

export type InboundOutcome = 'ok' | 'rejected' | 'duplicate' | 'unknown_person';

export interface InboundResult {
  replies: Reply[];
  outcome: InboundOutcome;
}

export interface InboundDeps {
  /** Sends coordinator notices through the outbox. */
  produce?: (messages: OutboundMessage[]) => Promise<unknown>;
}

const LANGUAGE_CHOICE = /^lang:(lv|en)$/;

const say = (text: string, choices: Reply['choices'] = []): Reply => ({ text, choices });
const ok = (...replies: Reply[]): InboundResult => ({ replies, outcome: 'ok' });
const rejected = (...replies: Reply[]): InboundResult => ({ replies, outcome: 'rejected' });

function unknownPerson(): InboundResult {
  return { replies: [say(tBoth('access.unknown_person'))], outcome: 'unknown_person' };
}

async function claimEvent(key: string | undefined, now: Date): Promise<boolean> {
  if (!key) return true;
  try {
    await InboundEventModel.create({ key, at: now });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export async function handleInbound(ctx: InboundContext, event: InboundEvent, deps: InboundDeps = {}): Promise<InboundResult> {
  const now = ctx.now ?? new Date();
  if (!(await claimEvent(ctx.dedupeKey, now))) return { replies: [], outcome: 'duplicate' };
  try {
    return await route(ctx, event, deps, now);
  } catch (error) {
    // Let the platform's redelivery try again: forget that we saw this event.
    if (ctx.dedupeKey) await InboundEventModel.deleteOne({ key: ctx.dedupeKey }).catch(() => undefined);
    throw error;
  }
}

async function route(ctx: InboundContext, event: InboundEvent, deps: InboundDeps, now: Date): Promise<InboundResult> {
  const identity = await ChannelIdentityModel.findOne({ channel: ctx.channel, externalId: ctx.externalId, active: true }).lean();
  const contact = identity ? await ContactModel.findOne({ _id: identity.contact, active: true }) : null;

  if (event.type === 'command' && (event.name === 'start' || event.name === 'link') && event.args.trim()) {
    return redeem(ctx, event.args.trim(), contact, now);
  }
  if (!contact) return unknownPerson();
  if (identity && identity.address !== ctx.address) {
    // The person wrote from another chat (e.g. Slack opened a new DM): send future messages there.
    await ChannelIdentityModel.updateOne({ _id: identity._id }, { $set: { address: ctx.address } });
  }

  const lang = contact.language as Language;
  const status = async (statusEvent: Parameters<typeof handleStatusEvent>[0]['event']) => {
    const result = await handleStatusEvent({
      contactId: contact._id,
      channel: ctx.channel,
      event: statusEvent,
      now: DateTime.fromJSDate(now),
    });
    return { replies: result.replies, outcome: result.outcome === 'rejected' ? 'rejected' : 'ok' } satisfies InboundResult;
  };

  switch (event.type) {
    case 'text':
      return status({ type: 'text', text: event.text });
    case 'choice':
      return routeChoice(ctx, contact, event.id, deps, now, status);
    case 'command':
      switch (event.name) {
        case 'start':
          return ok(say(t(lang, 'help.text', { prefix: ctx.commandPrefix }), [choice(START_CHOICE_ID, t(lang, 'button.report'))]));
        case 'status':
          return status({ type: 'start' });
        case 'cancel':
          return status({ type: 'cancel' });
        case 'mine': {
          const mine = await myMeasures(contact._id);
          return mine ? ok(renderMyMeasures(mine)) : unknownPerson();
        }
        case 'language':
        case 'lang':
          return changeLanguage(contact, event.args.trim());
        case 'stop':
          await ChannelIdentityModel.updateOne({ _id: identity?._id }, { $set: { active: false, inactiveReason: 'stopped' } });
          return ok(say(t(lang, 'stop.done')));
        case 'overview':
        case 'round':
        case 'export':
          if (!contact.roles.includes('coordinator')) return rejected(say(t(lang, 'access.not_coordinator')));
          if (event.name === 'round') return ok(say(await roundCommand(contact, event.args, now)));
          if (event.name === 'export') return ok(say(await exportCommand(contact, now)));
          return ok(say(await coordinatorOverview(contact, now)));
        default:
          return ok(say(t(lang, 'help.text', { prefix: ctx.commandPrefix })));
      }
  }
}

async function routeChoice(
  ctx: InboundContext,
  contact: ContactDoc,
  id: string,
  deps: InboundDeps,
  now: Date,
  status: (event: { type: 'choice'; id: string }) => Promise<InboundResult>,
): Promise<InboundResult> {
  const lang = contact.language as Language;
  if (isStatusChoice(id)) return status({ type: 'choice', id });

  const language = LANGUAGE_CHOICE.exec(id);
  if (language) return changeLanguage(contact, language[1] ?? '');

  const action = parseReminderAction(id);
  if (!action) return rejected(say(t(lang, 'error.stale_button')));
  const input = { roundId: action.roundId, measureId: action.measureId, contactId: String(contact._id), now: DateTime.fromJSDate(now) };
  const produce = deps.produce ?? (async () => undefined);
  const result = action.kind === 'snooze' ? await snoozeReminder(input) : await declineMeasure({ ...input, produce });
  if (!result.ok) {
    const key = result.reason === 'round_closed' ? 'round.closed' : result.reason === 'not_owner' ? 'error.not_your_measure' : 'error.stale_button';
    return rejected(say(t(lang, key)));
  }
  return ok(
    say(action.kind === 'snooze' ? t(lang, 'reminder.snoozed') : t(lang, 'reminder.handed_over', { code: result.measureCode })),
  );
}

async function changeLanguage(contact: ContactDoc, wanted: string): Promise<InboundResult> {
  if (wanted !== 'lv' && wanted !== 'en') {
    return ok(
      say(t(contact.language as Language, 'language.choose'), [
        choice('lang:lv', t('lv', 'language.name.lv')),
        choice('lang:en', t('en', 'language.name.en')),
      ]),
    );
  }
  await ContactModel.updateOne({ _id: contact._id }, { $set: { language: wanted } });
  return ok(say(t(wanted, 'language.switched')));
}

async function redeem(ctx: InboundContext, token: string, current: ContactDoc | null, now: Date): Promise<InboundResult> {
  const result = await redeemInvitation({ token, channel: ctx.channel, externalId: ctx.externalId, address: ctx.address, now });
  if (result.ok) {
    const lang = result.contact.language as Language;
    return ok(
      say(t(lang, 'invite.accepted', { name: result.contact.name })),
      say(t(lang, 'help.text', { prefix: ctx.commandPrefix }), [choice(START_CHOICE_ID, t(lang, 'button.report'))]),
    );
  }
  // A stranger does not know our language yet; a known person gets theirs.
  const key = result.reason === 'unknown' ? 'access.unknown_person' : `invite.${result.reason}` as const;
  const text = current ? t(current.language as Language, key) : tBoth(key);
  return { replies: [say(text)], outcome: current ? 'rejected' : 'unknown_person' };
}
