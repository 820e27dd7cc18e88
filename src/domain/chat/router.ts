import { DateTime } from 'luxon';
import { ChannelIdentityModel, InboundEventModel, type IdentityChannel } from '../../models/index.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';
import { t, tBoth } from '../../i18n/index.js';
import type { ChatEvent, FieldErrors } from './conversation.js';
import { runFlow, type AnyFlow } from './flow-runner.js';
import { knownPerson } from './people-cache.js';
import type { Reply } from './message.js';
import { mayUse, refused, type ChatPerson, type ChatRegistry, type PersonContext } from './registry.js';
import { unknownPerson } from './basics.js';
import { chatRegistry } from '../features.js';
import type { OutboundMessage } from '../outbound-message.js';
import type { BroadcastJobs } from '../broadcasts/broadcasts.js';
import type { InboundLimiter } from './inbound-limit.js';
import { inboundSeconds } from '../../metrics.js';

/**
 * The one entry point of every chat channel: Telegram, Slack and the terminal demo turn what a
 * person did into an InboundEvent, call handleInbound, and render the replies. Every event carries
 * the platform's dedupe key and is handled once. Who the person is comes from their linked chat
 * identity; strangers learn how to get access and nothing else. What to do is looked up in the
 * registry the features filled (features.ts): commands by name, buttons by prefix, typed text and
 * form submissions by flow.
 */

export type InboundEvent =
  | { type: 'command'; name: string; args: string }
  | { type: 'choice'; id: string }
  | { type: 'text'; text: string }
  /** A form (Slack modal) submitted: the flow named on the form, its context and the answers by field id. */
  | { type: 'form'; flow: string; context: string; values: Record<string, string> };

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

export type InboundOutcome = 'ok' | 'rejected' | 'duplicate' | 'unknown_person' | 'rate_limited';

export interface InboundResult {
  replies: Reply[];
  outcome: InboundOutcome;
  /** A refused form: what is wrong, under each field. */
  fieldErrors?: FieldErrors;
}

export interface InboundDeps {
  /** Sends coordinator notices through the outbox. */
  produce?: (messages: OutboundMessage[]) => Promise<unknown>;
  /** The features to dispatch to; the product's own by default (tests add their own). */
  registry?: ChatRegistry;
  /** Starts and retries broadcasts through their queue; without it the scheduler's sweep starts them. */
  broadcasts?: BroadcastJobs;
  /** The per-person inbound limit; without it nothing is limited. */
  limiter?: InboundLimiter;
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

async function forgetEvent(key: string | undefined): Promise<void> {
  if (key) await InboundEventModel.deleteOne({ key }).catch(() => undefined);
}

export async function handleInbound(ctx: InboundContext, event: InboundEvent, deps: InboundDeps = {}): Promise<InboundResult> {
  const timer = inboundSeconds.startTimer({ kind: event.type });
  let outcome = 'failed';
  try {
    const result = await handleOnce(ctx, event, deps);
    outcome = result.outcome;
    return result;
  } finally {
    timer({ outcome });
  }
}

async function handleOnce(ctx: InboundContext, event: InboundEvent, deps: InboundDeps): Promise<InboundResult> {
  const now = ctx.now ?? new Date();
  if (!(await claimEvent(ctx.dedupeKey, now))) return { replies: [], outcome: 'duplicate' };
  const verdict = deps.limiter ? await deps.limiter.take(`${ctx.channel}:${ctx.externalId}`) : 'ok';
  if (verdict !== 'ok') {
    // Once per window a polite word, then silence: answering every message of a flood is a flood.
    return { replies: verdict === 'refuse' ? [{ text: tBoth('error.too_many'), choices: [] }] : [], outcome: 'rate_limited' };
  }
  let result: InboundResult;
  try {
    result = await route(ctx, event, deps.registry ?? chatRegistry(), deps, now);
  } catch (error) {
    // Let the platform's redelivery try again: forget that we saw this event.
    await forgetEvent(ctx.dedupeKey);
    throw error;
  }
  // A refused form changed nothing; the person may send the very same answers again once the
  // cause is gone (a round reopened), and that must not count as a replay.
  if (event.type === 'form' && result.outcome === 'rejected') await forgetEvent(ctx.dedupeKey);
  return result;
}

/** Who wrote: from the people cache (people-cache.ts), which reads the identity and the contact by `_id` when it must. */
async function findPerson(ctx: InboundContext): Promise<ChatPerson | null> {
  const known = await knownPerson(ctx.channel, ctx.externalId);
  if (!known) return null;
  const { contact, identityId } = known;
  if (known.address !== ctx.address) {
    // The person wrote from another chat (e.g. Slack opened a new DM): send future messages there.
    // A write to an identity, so it drops the cached person everywhere; rare.
    await ChannelIdentityModel.updateOne({ _id: identityId }, { $set: { address: ctx.address } });
  }
  return { contactId: contact._id, name: contact.name, language: contact.language, roles: contact.roles, identityId, contact };
}

async function route(ctx: InboundContext, event: InboundEvent, registry: ChatRegistry, deps: InboundDeps, now: Date): Promise<InboundResult> {
  const person = await findPerson(ctx);
  const base = { inbound: ctx, deps, registry, now };

  if (event.type === 'command') {
    const command = registry.findCommand(event.name);
    if (command?.public) return command.handle({ ...base, person }, event.args);
    if (!person) return unknownPerson();
    const personal = personContext(base, person);
    // An unknown command gets the help the person would have asked for.
    const known = command ?? registry.findCommand('help');
    if (!known || known.public) return unknownPerson();
    if (!mayUse(known, person.roles)) return refused({ text: t(person.language, 'access.not_coordinator'), choices: [] });
    return known.handle(personal, command ? event.args : '');
  }

  if (!person) return unknownPerson();
  const personal = personContext(base, person);
  if (event.type === 'choice') {
    const buttons = registry.findButton(event.id);
    if (!buttons) return refused({ text: t(person.language, 'error.stale_button'), choices: [] });
    return buttons.handle(personal, event.id);
  }
  if (event.type === 'form') {
    if (!registry.findFlow(event.flow)) return refused({ text: t(person.language, 'error.stale_button'), choices: [] });
    return personal.runFlow(event.flow, { type: 'form', context: event.context, values: event.values });
  }
  return personal.runFlow(undefined, event);
}

function personContext(base: Omit<PersonContext, 'person' | 'runFlow'>, person: ChatPerson): PersonContext {
  const { registry } = base;
  return {
    ...base,
    person,
    async runFlow(flowName: string | undefined, event: ChatEvent) {
      const named = registry.findFlow(flowName);
      const choose = named ? () => named : (stored: string | undefined): AnyFlow => registry.findFlow(stored) ?? registry.defaultFlow;
      const result = await runFlow(choose, {
        contactId: person.contactId,
        contact: person.contact,
        channel: base.inbound.channel,
        event,
        now: DateTime.fromJSDate(base.now),
      });
      return { replies: result.replies, outcome: result.outcome === 'rejected' ? 'rejected' : 'ok', fieldErrors: result.fieldErrors };
    },
  };
}
