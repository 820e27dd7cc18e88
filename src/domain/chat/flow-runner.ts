import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import type { z } from 'zod';
import { ContactModel, ConversationStateModel, conversationId, rekeyConversation, type Channel, type Contact } from '../../models/index.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';
import { t, tBoth } from '../../i18n/index.js';
import type { ChatEvent, FieldErrors, FlowOutcome, RejectReason } from './conversation.js';
import { KeyedLock } from './keyed-lock.js';
import type { Reply } from './message.js';

/**
 * Runs guided conversations of any kind: load who is talking and where their conversation stands,
 * run the flow's pure step, carry out its effects (stored before the person is told), store the
 * new state, and hand back the replies. A flow is data (a state schema, a context loader, a pure
 * step, an effect applier); the runner knows nothing of any flow's questions. All state is in
 * MongoDB, so a restarted process picks up at the same step. One conversation per person and
 * channel: starting a flow replaces whatever other flow was in progress there.
 */

export type FlowContact = Contact & { _id: Types.ObjectId };

export interface FlowEnv {
  contact: FlowContact;
  channel: Channel;
  now: DateTime;
}

/** Why the effects could not be carried out; said to the person instead of the step's replies. */
export interface EffectRefusal {
  reason: RejectReason;
  text: string;
}

/** What carrying out the effects found out and the person should read after the step's replies (a preview of what was saved). */
export interface EffectReplies {
  replies: Reply[];
}

export interface FlowDefinition<S extends { step: string }, E, C> {
  /** Stored with the state; also the name forms and registrations use. */
  name: string;
  /** A stored state this schema refuses (an older shape) counts as no conversation. */
  state: z.ZodType<S>;
  /**
   * What the step needs to know, read once per event (the person's measures, open rounds…). The
   * stored state (null when none) and the event let it leave out what this step will not use.
   */
  load(env: FlowEnv, state: S | null, event: ChatEvent): Promise<C>;
  step(state: S | null, event: ChatEvent, ctx: C, env: FlowEnv): FlowOutcome<S, E>;
  apply(effects: E[], env: FlowEnv): Promise<EffectRefusal | EffectReplies | null>;
}

export interface FlowRunInput {
  contactId: string | Types.ObjectId;
  /** The contact as the caller read it for this event (the router does); read here otherwise. */
  contact?: FlowContact;
  channel: Channel;
  event: ChatEvent;
  now?: DateTime;
}

export interface FlowRunResult {
  replies: Reply[];
  outcome: FlowOutcome<unknown, unknown>['type'];
  reason?: RejectReason;
  fieldErrors?: FieldErrors;
}

/** Flows of any state and effect type live side by side; each checks its own state with its schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFlow = FlowDefinition<any, any, any>;

/** Picks the flow for an event, given the name of the flow whose conversation is stored (if any). */
export type FlowChooser = (storedFlow: string | undefined) => AnyFlow;

const MAX_ATTEMPTS = 3;

/** One event at a time per conversation in this process (see keyed-lock.ts for why). */
const conversations = new KeyedLock();

const refusal = (reason: RejectReason, text: string): FlowRunResult => ({ outcome: 'rejected', reason, replies: [{ text, choices: [] }] });

export async function runFlow(choose: FlowChooser, input: FlowRunInput): Promise<FlowRunResult> {
  return conversations.run(`${String(input.contactId)}:${input.channel}`, () => run(choose, input));
}

type StoredState = { _id: Types.ObjectId; version: number; flow: string; step: string; data?: unknown; longTextRefusedAt?: Date | null };

/**
 * Telegram cuts a paste longer than 4,096 characters into several messages that arrive within a
 * second or so. When the first part was refused as too long, the parts after it are the same text:
 * refused too (saving the tail as the answer would be wrong), the step kept.
 */
const PASTE_WINDOW_MS = 3_000;

function continuesRefusedPaste(doc: StoredState | null, event: ChatEvent, now: DateTime): boolean {
  if (event.type !== 'text' || !doc?.longTextRefusedAt) return false;
  const since = now.toMillis() - doc.longTextRefusedAt.getTime();
  return since >= 0 && since < PASTE_WINDOW_MS;
}

async function run(choose: FlowChooser, input: FlowRunInput): Promise<FlowRunResult> {
  const contact = input.contact ?? (Types.ObjectId.isValid(input.contactId) ? await ContactModel.findById(input.contactId).lean<FlowContact>() : null);
  if (!contact || !contact.active) return refusal('unknown_person', tBoth('access.unknown_person'));
  const env: FlowEnv = { contact, channel: input.channel, now: input.now ?? DateTime.now() };

  const contexts = new Map<string, unknown>();
  // Several events at once (a double tap, two devices) race on the state's version: the loser
  // runs again against what the winner stored, where its button is usually stale by then.
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const doc = await ConversationStateModel.findById(conversationId(contact._id, input.channel)).lean<StoredState>();
    if (doc && continuesRefusedPaste(doc, input.event, env.now)) {
      // A third part continues the paste as well.
      await ConversationStateModel.updateOne({ _id: doc._id }, { $set: { longTextRefusedAt: env.now.toJSDate() } });
      return refusal('note_too_long', t(contact.language, 'error.paste_continued'));
    }
    const flow = choose(doc?.flow);
    const state = doc?.flow === flow.name ? readState(flow, doc) : null;
    // What a flow loads may depend on the step it is at; a retry after a conflict may be elsewhere.
    const contextKey = `${flow.name}:${(state as { step?: string } | null)?.step ?? ''}`;
    if (!contexts.has(contextKey)) contexts.set(contextKey, await flow.load(env, state, input.event));
    const outcome = flow.step(state, input.event, contexts.get(contextKey), env);
    const result = await apply(flow, outcome, doc, env);
    if (result) return result;
  }
  return refusal('conflict', t(contact.language, 'error.conflict'));
}

function readState(flow: AnyFlow, doc: StoredState): unknown {
  const parsed = flow.state.safeParse({ ...(doc.data as object), step: doc.step });
  return parsed.success ? parsed.data : null;
}

/** Carries out one outcome; null when another writer got there first and the event must run again. */
async function apply(
  flow: AnyFlow,
  outcome: FlowOutcome<{ step: string }, unknown>,
  doc: StoredState | null,
  env: FlowEnv,
): Promise<FlowRunResult | null> {
  const owner = { contact: env.contact._id, channel: env.channel };
  const ours = doc?.flow === flow.name ? doc : null;
  switch (outcome.type) {
    case 'rejected':
      if (outcome.reason === 'note_too_long' && ours) {
        // Not a change of step (no version bump): only when, so that the rest of a cut paste is recognised.
        await ConversationStateModel.updateOne({ _id: ours._id }, { $set: { longTextRefusedAt: env.now.toJSDate() } });
      }
      return { outcome: 'rejected', reason: outcome.reason, replies: outcome.replies, fieldErrors: outcome.fieldErrors };

    case 'continue': {
      const { step, ...data } = outcome.state;
      if (doc) {
        // Replaces another flow's conversation too: the person has started something new.
        const res = await ConversationStateModel.updateOne(
          { _id: doc._id, version: doc.version },
          { $set: { flow: flow.name, step, data }, $inc: { version: 1 } },
        );
        if (res.matchedCount !== 1) return null;
      } else {
        try {
          await ConversationStateModel.create({ _id: conversationId(owner.contact, owner.channel), ...owner, flow: flow.name, step, data, version: 0 });
        } catch (error) {
          // Another event created it first, or an older process stored it under a random id: move
          // that one to its keyed id, and run the event again against it.
          if (isDuplicateKey(error)) {
            await rekeyConversation(owner.contact, owner.channel);
            return null;
          }
          throw error;
        }
      }
      return { outcome: 'continue', replies: outcome.replies };
    }

    case 'cancelled': {
      // Cancel ends only this flow's conversation; another flow's state is its own business.
      if (ours) {
        const res = await ConversationStateModel.deleteOne({ _id: ours._id, version: ours.version });
        if (res.deletedCount !== 1) return null;
      }
      return { outcome: 'cancelled', replies: outcome.replies };
    }

    case 'done': {
      let version = doc?.version;
      if (doc && outcome.effects.length > 0) {
        // Claim the conversation before acting, so a second tap on "confirm" cannot save twice.
        const claim = await ConversationStateModel.updateOne({ _id: doc._id, version: doc.version }, { $inc: { version: 1 } });
        if (claim.matchedCount !== 1) return null;
        version = doc.version + 1;
      }
      let more: Reply[] = [];
      if (outcome.effects.length > 0) {
        const applied = await flow.apply(outcome.effects, env);
        if (applied && 'reason' in applied) return refusal(applied.reason, applied.text);
        more = applied?.replies ?? [];
      }
      if (ours && !outcome.keepConversation) await ConversationStateModel.deleteOne({ _id: ours._id, version });
      return { outcome: 'done', replies: [...outcome.replies, ...more] };
    }
  }
}
