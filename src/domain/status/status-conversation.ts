import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import { z } from 'zod';
import { ContactModel, ConversationStateModel, type Channel, type ConversationState, type Language } from '../../models/index.js';
import { t, tBoth } from '../../i18n/index.js';
import { type ChatEvent, type FlowOutcome, type RejectReason } from '../chat/conversation.js';
import type { Reply } from '../chat/message.js';
import {
  REPORTABLE_STATUSES,
  STATUS_FLOW,
  STATUS_STEPS,
  statusFlow,
  type FlowMeasure,
  type StatusFlowContext,
  type StatusFlowOutcome,
  type StatusFlowState,
} from './status-flow.js';
import { START_CHOICE_ID } from './status-flow-replies.js';
import { loadOwnedMeasures, toFlowMeasures, type OwnedMeasure } from './reportable-measures.js';
import { saveStatusReport } from './status-report-writer.js';
import { KeyedLock } from '../chat/keyed-lock.js';
import { parseReminderAction } from '../reminders/reminder-actions.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';

export { myMeasures, renderMyMeasures, type MyMeasures } from './my-measures.js';

/**
 * The service the chat adapters call: load who is talking and where their conversation stands,
 * run the pure flow, carry out its effects (the report is stored before the person is told it
 * is), store the new state, and hand back the replies to render. All state is in MongoDB, so a
 * restarted process picks up at the same step.
 */

export interface StatusEventInput {
  contactId: string | Types.ObjectId;
  channel: Channel;
  event: ChatEvent;
  now?: DateTime;
}

export interface StatusEventResult {
  replies: Reply[];
  outcome: FlowOutcome<unknown, unknown>['type'];
  reason?: RejectReason;
}

export interface StatusServiceOptions {
  noteMaxLength?: number;
  linksMax?: number;
  newNonce?: () => string;
}

/**
 * Whether an adapter should route a button press to `handleStatusEvent`: the flow's own buttons
 * and a reminder's "report" button; "remind me tomorrow" and "not my measure" go to
 * reminder-answers.ts.
 */
export function isStatusChoice(id: string): boolean {
  return id.startsWith('sf:') || parseReminderAction(id)?.kind === 'report';
}

const stateSchema = z.object({
  nonce: z.string().min(1),
  editing: z.boolean(),
  draft: z.object({
    measureId: z.string().optional(),
    status: z.enum(REPORTABLE_STATUSES).optional(),
    note: z.string().optional(),
    links: z.array(z.string()).optional(),
  }),
});

/** A stored state this code cannot read (an older shape) counts as no conversation. */
function readState(doc: Pick<ConversationState, 'flow' | 'step' | 'data'> | null): StatusFlowState | null {
  if (!doc || doc.flow !== STATUS_FLOW) return null;
  const step = STATUS_STEPS.find((s) => s === doc.step);
  const data = stateSchema.safeParse(doc.data);
  return step && data.success ? { step, ...data.data } : null;
}

const rejected = (reason: RejectReason, text: string, choices: Reply['choices'] = []): StatusEventResult => ({
  outcome: 'rejected',
  reason,
  replies: [{ text, choices }],
});

const MAX_ATTEMPTS = 3;

/** One event at a time per conversation in this process (see keyed-lock.ts for why). */
const conversations = new KeyedLock();

export async function handleStatusEvent(input: StatusEventInput, options: StatusServiceOptions = {}): Promise<StatusEventResult> {
  return conversations.run(`${String(input.contactId)}:${input.channel}`, () => handle(input, options));
}

async function handle(input: StatusEventInput, options: StatusServiceOptions): Promise<StatusEventResult> {
  const { channel, event } = input;
  const now = input.now ?? DateTime.now();
  const contact = Types.ObjectId.isValid(input.contactId) ? await ContactModel.findById(input.contactId).lean() : null;
  if (!contact || !contact.active) return rejected('unknown_person', tBoth('access.unknown_person'));

  const lang = contact.language;
  const owned = await loadOwnedMeasures(contact);
  const ctx: StatusFlowContext = {
    language: lang,
    measures: toFlowMeasures(owned, lang),
    noteMaxLength: options.noteMaxLength,
    linksMax: options.linksMax,
    now,
    newNonce: options.newNonce ?? (() => randomBytes(6).toString('base64url')),
  };

  // Several events at once (a double tap, two devices) race on the state's version: the loser
  // runs again against what the winner stored, where its button is usually stale by then.
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const doc = await ConversationStateModel.findOne({ contact: contact._id, channel }).lean();
    const state = readState(doc);

    const refused = refuseEarly(state, event, ctx.measures, owned, lang);
    if (refused) return refused;

    const outcome = statusFlow(state, event, ctx);
    const result = await apply(outcome, doc, { contact, channel, now });
    if (result) return result;
  }
  return rejected('conflict', t(lang, 'error.conflict'));
}

/**
 * What the flow cannot tell on its own, because it only sees the measures open for reporting:
 * whether a measure it does not know is the person's in a closed round, or not theirs at all.
 */
function refuseEarly(
  state: StatusFlowState | null,
  event: ChatEvent,
  open: FlowMeasure[],
  owned: OwnedMeasure[],
  lang: Language,
): StatusEventResult | null {
  const isOpen = (id: string) => open.some((m) => m.id === id);
  const isOwned = (id: string) => owned.some((m) => m.id === id);
  const fromReminder = reminderReport(event);
  if (fromReminder && !isOpen(fromReminder.measureId) && isOwned(fromReminder.measureId)) {
    return rejected('round_closed', t(lang, 'round.closed'));
  }
  // A draft whose measure is no longer open cannot be saved: say why and change nothing.
  // Cancel ends it; a new start replaces it.
  const draftMeasure = state?.draft.measureId;
  if (draftMeasure && !isOpen(draftMeasure) && event.type !== 'cancel' && event.type !== 'start' && !isReportStart(event)) {
    return isOwned(draftMeasure)
      ? rejected('round_closed', t(lang, 'round.closed'))
      : rejected('not_your_measure', t(lang, 'error.not_your_measure'));
  }
  if (open.length === 0 && event.type !== 'cancel') {
    return owned.length === 0 ? rejected('no_measures', t(lang, 'measures.none')) : rejected('no_open_round', t(lang, 'round.none_open'));
  }
  return null;
}

function reminderReport(event: ChatEvent) {
  const action = event.type === 'choice' ? parseReminderAction(event.id) : null;
  return action?.kind === 'report' ? action : null;
}

function isReportStart(event: ChatEvent): boolean {
  return (event.type === 'choice' && event.id === START_CHOICE_ID) || reminderReport(event) !== null;
}

type StoredState = { _id: Types.ObjectId; version: number; flow: string };
type Author = { _id: Types.ObjectId; measures: Types.ObjectId[]; language: Language };

/** Carries out one outcome; null when another writer got there first and the event must run again. */
async function apply(
  outcome: StatusFlowOutcome,
  doc: StoredState | null,
  env: { contact: Author; channel: Channel; now: DateTime },
): Promise<StatusEventResult | null> {
  const { contact, channel, now } = env;
  const owner = { contact: contact._id, channel };
  switch (outcome.type) {
    case 'rejected':
      return { outcome: 'rejected', reason: outcome.reason, replies: outcome.replies };

    case 'continue': {
      const { step, ...data } = outcome.state;
      if (doc) {
        const res = await ConversationStateModel.updateOne(
          { _id: doc._id, version: doc.version },
          { $set: { flow: STATUS_FLOW, step, data }, $inc: { version: 1 } },
        );
        if (res.matchedCount !== 1) return null;
      } else {
        try {
          await ConversationStateModel.create({ ...owner, flow: STATUS_FLOW, step, data, version: 0 });
        } catch (error) {
          if (isDuplicateKey(error)) return null;
          throw error;
        }
      }
      return { outcome: 'continue', replies: outcome.replies };
    }

    case 'cancelled': {
      // Cancel ends only this flow's conversation; another flow's state is its own business.
      if (doc && doc.flow === STATUS_FLOW) {
        const res = await ConversationStateModel.deleteOne({ _id: doc._id, version: doc.version });
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
      for (const effect of outcome.effects) {
        const saved = await saveStatusReport(effect, contact, channel, now);
        if (!saved.ok) {
          const text = saved.reason === 'round_closed' ? t(contact.language, 'round.closed') : t(contact.language, 'error.not_your_measure');
          return rejected(saved.reason, text);
        }
      }
      if (doc && doc.flow === STATUS_FLOW) await ConversationStateModel.deleteOne({ _id: doc._id, version });
      return { outcome: 'done', replies: outcome.replies };
    }
  }
}
