import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import type { ChatEvent, FlowOutcome, RejectReason } from '../chat/conversation.js';
import { runFlow, type FlowDefinition, type FlowRunInput, type FlowRunResult } from '../chat/flow-runner.js';
import { REPORTABLE_STATUSES, STATUS_FLOW, STATUS_STEPS, statusFlow, type FlowMeasure, type StatusEffect, type StatusFlowContext, type StatusFlowState } from './status-flow.js';
import { START_CHOICE_ID } from './status-flow-replies.js';
import { loadOwnedMeasures, toFlowMeasures, type OwnedMeasure } from './reportable-measures.js';
import { saveStatusReport } from './status-report-writer.js';
import { parseReminderAction } from '../reminders/reminder-actions.js';

/**
 * The status report as a flow definition for the generic runner (chat/flow-runner.ts): the
 * context is the person's measures with their open rounds, the step is the pure statusFlow with
 * the refusals only the database can tell, and the effect stores the report.
 */

export interface StatusFlowOptions {
  noteMaxLength?: number;
  linksMax?: number;
  newNonce?: () => string;
}

interface StatusContext {
  flow: StatusFlowContext;
  owned: OwnedMeasure[];
}

const stateSchema = z.object({
  step: z.enum(STATUS_STEPS),
  nonce: z.string().min(1),
  editing: z.boolean(),
  draft: z.object({
    measureId: z.string().optional(),
    status: z.enum(REPORTABLE_STATUSES).optional(),
    note: z.string().optional(),
    links: z.array(z.string()).optional(),
  }),
});

export function createStatusFlow(options: StatusFlowOptions = {}): FlowDefinition<StatusFlowState, StatusEffect, StatusContext> {
  return {
    name: STATUS_FLOW,
    state: stateSchema,
    async load({ contact, now }, state, event) {
      const owned = await loadOwnedMeasures(contact, undefined, { answers: showsAnswers(state, event) });
      return {
        owned,
        flow: {
          language: contact.language,
          measures: toFlowMeasures(owned, contact.language),
          noteMaxLength: options.noteMaxLength,
          linksMax: options.linksMax,
          now,
          newNonce: options.newNonce ?? (() => randomBytes(6).toString('base64url')),
        },
      };
    },
    step(state, event, ctx) {
      return refuseEarly(state, event, ctx.flow.measures, ctx.owned, ctx.flow.language) ?? statusFlow(state, event, ctx.flow);
    },
    async apply(effects, { contact, channel, now }) {
      for (const effect of effects) {
        const saved = await saveStatusReport(effect, contact, channel, now);
        if (!saved.ok) {
          const text = saved.reason === 'round_closed' ? t(contact.language, 'round.closed') : t(contact.language, 'error.not_your_measure');
          return { reason: saved.reason, text };
        }
      }
      return null;
    },
  };
}

/**
 * Whether this step may show which measures were answered already (the list's marks) or start
 * from an answer (a correction's form): starting, choosing a measure, the review (which leads back
 * to the list), and anything but a typed text or a button. The status, note and links steps do
 * not, and skip reading the round's reports.
 */
function showsAnswers(state: StatusFlowState | null, event: ChatEvent): boolean {
  if (!state || state.step === 'measure' || state.step === 'review') return true;
  return event.type !== 'text' && event.type !== 'choice';
}

/** The status flow on its own, outside the router (tests, and callers that know the event is for it). */
export async function handleStatusEvent(input: FlowRunInput, options: StatusFlowOptions = {}): Promise<FlowRunResult> {
  const flow = createStatusFlow(options);
  return runFlow(() => flow, input);
}

const rejected = (reason: RejectReason, text: string): FlowOutcome<StatusFlowState, StatusEffect> => ({
  type: 'rejected',
  reason,
  replies: [{ text, choices: [] }],
});

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
): FlowOutcome<StatusFlowState, StatusEffect> | null {
  const isOpen = (id: string) => open.some((m) => m.id === id);
  const isOwned = (id: string) => owned.some((m) => m.id === id);
  const fromReminder = reminderReport(event);
  if (fromReminder && !isOpen(fromReminder.measureId) && isOwned(fromReminder.measureId)) {
    return rejected('round_closed', t(lang, 'round.closed'));
  }
  // A draft whose measure is no longer open cannot be saved: say why and change nothing.
  // Cancel ends it; a new start or a form (about its own measure) replaces it.
  const draftMeasure = state?.draft.measureId;
  const replacesDraft = event.type === 'cancel' || event.type === 'start' || event.type === 'form' || isReportStart(event);
  if (draftMeasure && !isOpen(draftMeasure) && !replacesDraft) {
    return isOwned(draftMeasure) ? rejected('round_closed', t(lang, 'round.closed')) : rejected('not_your_measure', t(lang, 'error.not_your_measure'));
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
