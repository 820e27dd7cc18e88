import type { DateTime } from 'luxon';
import type { Language } from '../../models/shared.js';
import type { MeasureStatus } from '../../models/measure-status.js';
import { statusLabel, t } from '../../i18n/index.js';
import { type ChatEvent, type FlowOutcome, type RejectReason } from '../chat/conversation.js';
import type { Reply } from '../chat/message.js';
import { DEFAULT_LINKS_MAX } from './status-links.js';
import { checkLinks, checkNote } from './status-answers.js';
import { parseReminderAction } from '../reminders/reminder-actions.js';
import {
  START_CHOICE_ID,
  STATUS_FORM_FIELDS,
  afterSaveReply,
  findMeasure,
  parseActionId,
  promptFor,
  readFormContext,
  statusForm,
  withNotice,
  startReply,
  type FlowAction,
} from './status-flow-replies.js';

/**
 * The status report conversation as a pure function of (state, event, context): choose a measure
 * (skipped when the person has one) → status → a short note in their own words → optional links
 * → review, where any answer can be changed → confirm; or all of it at once in a form (a Slack
 * modal, offered when a reminder's "report" button opens the flow). Nothing here reads a clock, a
 * database or a platform: status-conversation.ts loads the context and carries out the effects,
 * and the generic runner (chat/flow-runner.ts) loads and stores the state.
 */

/** What a person may report; `cancelled` is decided by the council, not reported from a chat. */
export const REPORTABLE_STATUSES = ['not_started', 'in_progress', 'substantial', 'completed', 'delayed'] as const satisfies
  readonly MeasureStatus[];
export type ReportableStatus = (typeof REPORTABLE_STATUSES)[number];

export const STATUS_STEPS = ['measure', 'status', 'note', 'links', 'review'] as const;
export type StatusStep = (typeof STATUS_STEPS)[number];

const DEFAULT_NOTE_MAX_LENGTH = 1000;
export const STATUS_FLOW = 'status';

export interface StatusDraft {
  measureId?: string;
  status?: ReportableStatus;
  note?: string;
  links?: string[];
}

export interface StatusFlowState {
  step: StatusStep;
  /** Short and per conversation: every button carries it, so one from an older message is refused. */
  nonce: string;
  draft: StatusDraft;
  /** Reached from the review to change one answer: go back to the review afterwards. */
  editing: boolean;
}

/** A measure the person may report on now; `roundId` is the open round the answer belongs to. */
export interface FlowMeasure {
  id: string;
  code: string;
  title: string;
  roundId?: string;
  /** Already answered in this round: marked in the list, still selectable for a correction. */
  reported?: boolean;
  /** That answer, from which a correction in the form starts. */
  answer?: { status: string; note: string; links: string[] };
}

export interface StatusFlowContext {
  language: Language;
  measures: FlowMeasure[];
  noteMaxLength?: number;
  linksMax?: number;
  now: DateTime;
  /** Source of conversation nonces; the default derives one from `now`, which keeps tests pure. */
  newNonce?: () => string;
}

export type ResolvedContext = Required<Omit<StatusFlowContext, 'newNonce'>> & { newNonce: () => string };

export interface SaveReportEffect {
  type: 'save-report';
  measureId: string;
  roundId?: string;
  status: ReportableStatus;
  note: string;
  links: string[];
}
export type StatusEffect = SaveReportEffect;
export type StatusFlowOutcome = FlowOutcome<StatusFlowState, StatusEffect>;

function resolve(ctx: StatusFlowContext): ResolvedContext {
  return {
    language: ctx.language,
    measures: ctx.measures,
    noteMaxLength: ctx.noteMaxLength ?? DEFAULT_NOTE_MAX_LENGTH,
    linksMax: ctx.linksMax ?? DEFAULT_LINKS_MAX,
    now: ctx.now,
    newNonce: ctx.newNonce ?? (() => ctx.now.toMillis().toString(36).slice(-6)),
  };
}

const go = (state: StatusFlowState, ctx: ResolvedContext, notice?: string): StatusFlowOutcome => ({
  type: 'continue',
  state,
  replies: [withNotice(notice, promptFor(state, ctx))],
});

/** Refused input: say why and show the current question again, so the person can go on. */
function reject(reason: RejectReason, message: string, state: StatusFlowState | null, ctx: ResolvedContext): StatusFlowOutcome {
  const replies: Reply[] = [state ? withNotice(message, promptFor(state, ctx)) : startReply(message, ctx.language)];
  return { type: 'rejected', reason, replies };
}

const cancelled = (ctx: ResolvedContext): StatusFlowOutcome => ({
  type: 'cancelled',
  replies: [{ text: t(ctx.language, 'flow.cancelled'), choices: [] }],
});

function begin(ctx: ResolvedContext, measureId?: string): StatusFlowOutcome {
  const nonce = ctx.newNonce();
  if (measureId !== undefined) {
    const measure = findMeasure(ctx, measureId);
    if (!measure) return reject('not_your_measure', t(ctx.language, 'error.not_your_measure'), null, ctx);
    const started = go({ step: 'status', nonce, draft: { measureId }, editing: false }, ctx);
    return measure.roundId === undefined ? started : withForm(started, statusForm({ ...measure, roundId: measure.roundId }, ctx));
  }
  const [only, ...others] = ctx.measures;
  if (!only) return { type: 'rejected', reason: 'no_measures', replies: [{ text: t(ctx.language, 'measures.none'), choices: [] }] };
  if (others.length === 0) return go({ step: 'status', nonce, draft: { measureId: only.id }, editing: false }, ctx);
  return go({ step: 'measure', nonce, draft: {}, editing: false }, ctx);
}

/** The first unanswered step, or the review when the draft is complete. */
function nextStep(draft: StatusDraft): StatusStep {
  if (draft.measureId === undefined) return 'measure';
  if (draft.status === undefined) return 'status';
  if (draft.note === undefined) return 'note';
  if (draft.links === undefined) return 'links';
  return 'review';
}

function advance(state: StatusFlowState, draft: StatusDraft, ctx: ResolvedContext): StatusFlowOutcome {
  return go({ ...state, draft, step: nextStep(draft), editing: false }, ctx);
}

/** The first reply of an outcome also offers the form (for channels that can show one). */
function withForm(outcome: StatusFlowOutcome, form: NonNullable<Reply['form']>): StatusFlowOutcome {
  if (outcome.type !== 'continue') return outcome;
  const [first, ...rest] = outcome.replies;
  return first ? { ...outcome, replies: [{ ...first, form }, ...rest] } : outcome;
}

function onText(state: StatusFlowState, text: string, ctx: ResolvedContext): StatusFlowOutcome {
  const lang = ctx.language;
  if (state.step === 'note') {
    const note = checkNote(text, lang, ctx.noteMaxLength);
    if (!note.ok) return reject(note.reason, note.message, state, ctx);
    return advance(state, { ...state.draft, note: note.value }, ctx);
  }
  if (state.step === 'links') {
    const links = checkLinks(text, lang, ctx.linksMax, 'chat');
    if (!links.ok) return reject(links.reason, links.message, state, ctx);
    return advance(state, { ...state.draft, links: links.value }, ctx);
  }
  return reject('choose_button', t(lang, 'error.choose_button'), state, ctx);
}

/**
 * The whole answer from the status form, checked by the same rules as the conversation; every
 * problem is named under its field and nothing is stored. A conversation in progress about the
 * same measure is answered by it and ends; one about another measure goes on.
 */
function onForm(state: StatusFlowState | null, event: Extract<ChatEvent, { type: 'form' }>, ctx: ResolvedContext): StatusFlowOutcome {
  const lang = ctx.language;
  const target = readFormContext(event.context);
  const measure = target ? findMeasure(ctx, target.measureId) : undefined;
  if (!target || !measure) return formRefusal('not_your_measure', { [STATUS_FORM_FIELDS.status]: t(lang, 'error.not_your_measure') });
  if (measure.roundId !== target.roundId) return formRefusal('round_closed', { [STATUS_FORM_FIELDS.status]: t(lang, 'round.closed') });

  const errors: Record<string, string> = {};
  const status = REPORTABLE_STATUSES.find((s) => s === event.values[STATUS_FORM_FIELDS.status]);
  if (!status) errors[STATUS_FORM_FIELDS.status] = t(lang, 'form.status.status_missing');
  const note = checkNote(event.values[STATUS_FORM_FIELDS.note] ?? '', lang, ctx.noteMaxLength);
  if (!note.ok) errors[STATUS_FORM_FIELDS.note] = note.message;
  const linksText = (event.values[STATUS_FORM_FIELDS.links] ?? '').trim();
  const links = linksText.length > 0 ? checkLinks(linksText, lang, ctx.linksMax, 'form') : { ok: true as const, value: [] as string[] };
  if (!links.ok) errors[STATUS_FORM_FIELDS.links] = links.message;
  if (!status || !note.ok || !links.ok) return formRefusal('invalid_form', errors);

  return {
    type: 'done',
    effects: [{ type: 'save-report', measureId: measure.id, roundId: target.roundId, status, note: note.value, links: links.value }],
    replies: [{ text: t(lang, 'flow.saved', { code: measure.code, status: statusLabel(lang, status) }), choices: [] }],
    keepConversation: state !== null && state.draft.measureId !== measure.id,
  };
}

function formRefusal(reason: RejectReason, fieldErrors: Record<string, string>): StatusFlowOutcome {
  const text = Object.values(fieldErrors).join('\n');
  return { type: 'rejected', reason, fieldErrors, replies: [{ text, choices: [] }] };
}

function onAction(state: StatusFlowState, action: FlowAction, ctx: ResolvedContext): StatusFlowOutcome {
  const stale = () => reject('stale', t(ctx.language, 'error.stale_button'), state, ctx);
  if (action.kind === 'cancel') return cancelled(ctx);
  if (action.kind === 'back') return state.editing && state.step !== 'review' ? advance(state, state.draft, ctx) : stale();
  switch (state.step) {
    case 'measure':
      if (action.kind !== 'measure') return stale();
      if (!findMeasure(ctx, action.measureId)) return reject('not_your_measure', t(ctx.language, 'error.not_your_measure'), state, ctx);
      return advance(state, { ...state.draft, measureId: action.measureId }, ctx);
    case 'status': {
      if (action.kind !== 'status') return stale();
      const status = REPORTABLE_STATUSES.find((s) => s === action.status);
      return status ? advance(state, { ...state.draft, status }, ctx) : stale();
    }
    case 'note':
      return stale();
    case 'links':
      return action.kind === 'skip' ? advance(state, { ...state.draft, links: [] }, ctx) : stale();
    case 'review':
      if (action.kind === 'confirm') return confirm(state, ctx);
      if (action.kind !== 'edit') return stale();
      if (action.field === 'measure' && ctx.measures.length < 2) return stale();
      return go({ ...state, step: action.field, editing: true }, ctx);
  }
}

function confirm(state: StatusFlowState, ctx: ResolvedContext): StatusFlowOutcome {
  const { measureId, status, note, links } = state.draft;
  const measure = findMeasure(ctx, measureId);
  if (!measure || status === undefined || note === undefined || links === undefined) {
    return advance(state, state.draft, ctx);
  }
  return {
    type: 'done',
    effects: [{ type: 'save-report', measureId: measure.id, roundId: measure.roundId, status, note, links }],
    replies: [afterSaveReply(state.nonce, measure, status, ctx)],
  };
}

/** One step of the conversation. `state` is null when nothing is in progress. */
export function statusFlow(state: StatusFlowState | null, event: ChatEvent, context: StatusFlowContext): StatusFlowOutcome {
  const ctx = resolve(context);
  if (event.type === 'cancel') return cancelled(ctx);
  if (event.type === 'form') return onForm(state, event, ctx);
  if (event.type === 'start') {
    const sameMeasure = event.measureId === undefined || event.measureId === state?.draft.measureId;
    if (state && sameMeasure && isStillValid(state, ctx)) return go(state, ctx, t(ctx.language, 'flow.resume'));
    return begin(ctx, event.measureId);
  }
  if (event.type === 'choice') {
    if (event.id === START_CHOICE_ID) return statusFlow(state, { type: 'start' }, context);
    const fromReminder = parseReminderAction(event.id);
    if (fromReminder?.kind === 'report') {
      // A reminder of an earlier round must not report into the one open now.
      const measure = findMeasure(ctx, fromReminder.measureId);
      if (measure?.roundId !== undefined && measure.roundId !== fromReminder.roundId) {
        return { type: 'rejected', reason: 'round_closed', replies: [{ text: t(ctx.language, 'round.closed'), choices: [] }] };
      }
      return statusFlow(state, { type: 'start', measureId: fromReminder.measureId }, context);
    }
  }
  if (!state) return withoutConversation(event, ctx);
  if (!isStillValid(state, ctx)) {
    return { type: 'rejected', reason: 'not_your_measure', replies: [{ text: t(ctx.language, 'error.not_your_measure'), choices: [] }] };
  }
  if (event.type === 'text') return onText(state, event.text, ctx);
  const parsed = parseActionId(event.id);
  if (!parsed || parsed.nonce !== state.nonce) return reject('stale', t(ctx.language, 'error.stale_button'), state, ctx);
  return onAction(state, parsed.action, ctx);
}

/** The draft's measure must still be one the person may report on (reassigned, or its round closed). */
function isStillValid(state: StatusFlowState, ctx: ResolvedContext): boolean {
  return state.draft.measureId === undefined || findMeasure(ctx, state.draft.measureId) !== undefined;
}

/** After a report is saved the conversation is over; its "another" and "finish" buttons still work. */
function withoutConversation(event: ChatEvent, ctx: ResolvedContext): StatusFlowOutcome {
  const lang = ctx.language;
  if (event.type === 'choice') {
    const action = parseActionId(event.id)?.action;
    if (action?.kind === 'more') return begin(ctx);
    if (action?.kind === 'finish') return { type: 'done', effects: [], replies: [{ text: t(lang, 'flow.finished'), choices: [] }] };
    return reject('stale', t(lang, 'error.stale_button'), null, ctx);
  }
  return reject('no_conversation', t(lang, 'error.no_conversation'), null, ctx);
}
