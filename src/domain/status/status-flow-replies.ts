import type { Language } from '../../models/shared.js';
import { statusLabel, t, truncate } from '../../i18n/index.js';
import { choice, type Choice, type Form, type Reply } from '../chat/message.js';
import { characters } from './status-answers.js';
import { REPORTABLE_STATUSES, STATUS_FLOW, type FlowMeasure, type ReportableStatus, type ResolvedContext, type StatusFlowState } from './status-flow.js';

/**
 * What the status flow shows at each step, and the ids of its buttons. An id is
 * `sf:<nonce>:<action>`, e.g. `sf:k3v9qa:s:completed` or `sf:k3v9qa:m:<measure id>`: at most 64
 * bytes (Telegram's callback_data limit) for measure ids up to 48 characters (a Mongo ObjectId
 * is 24).
 */

export type EditField = 'measure' | 'status' | 'note' | 'links';
export type FlowAction =
  | { kind: 'measure'; measureId: string }
  | { kind: 'status'; status: string }
  | { kind: 'edit'; field: EditField }
  | { kind: 'skip' | 'confirm' | 'cancel' | 'back' | 'more' | 'finish' };

/** Every status flow button id starts with it; the router sends such presses to status-feature.ts. */
export const STATUS_ACTION_PREFIX = 'sf:';

/** Starts (or resumes) the flow; carries no nonce because it never goes stale. */
export const START_CHOICE_ID = `${STATUS_ACTION_PREFIX}start`;

const SIMPLE: Record<string, FlowAction> = {
  skip: { kind: 'skip' },
  ok: { kind: 'confirm' },
  x: { kind: 'cancel' },
  back: { kind: 'back' },
  more: { kind: 'more' },
  fin: { kind: 'finish' },
};
const EDIT_FIELDS: readonly EditField[] = ['measure', 'status', 'note', 'links'];

function actionId(nonce: string, action: FlowAction): string {
  const tail = (() => {
    switch (action.kind) {
      case 'measure':
        return `m:${action.measureId}`;
      case 'status':
        return `s:${action.status}`;
      case 'edit':
        return `e:${action.field}`;
      default:
        return Object.entries(SIMPLE).find(([, a]) => a.kind === action.kind)?.[0] ?? action.kind;
    }
  })();
  return `${STATUS_ACTION_PREFIX}${nonce}:${tail}`;
}

const ACTION_ID = new RegExp(`^${STATUS_ACTION_PREFIX}([A-Za-z0-9_-]{1,16}):(?:(m|s|e):)?([A-Za-z0-9_-]+)$`);

export function parseActionId(id: string): { nonce: string; action: FlowAction } | null {
  const match = ACTION_ID.exec(id);
  if (!match) return null;
  const [, nonce = '', kind, value = ''] = match;
  let action: FlowAction | undefined;
  if (kind === 'm') action = { kind: 'measure', measureId: value };
  else if (kind === 's') action = { kind: 'status', status: value };
  else if (kind === 'e') {
    const field = EDIT_FIELDS.find((f) => f === value);
    action = field ? { kind: 'edit', field } : undefined;
  } else action = SIMPLE[value];
  return action ? { nonce, action } : null;
}

export function findMeasure(ctx: Pick<ResolvedContext, 'measures'>, id: string | undefined): FlowMeasure | undefined {
  return id === undefined ? undefined : ctx.measures.find((m) => m.id === id);
}

/** Adds a line above a reply (an error, "let us continue"), keeping its buttons. */
export function withNotice(notice: string | undefined, reply: Reply): Reply {
  return notice ? { ...reply, text: `${notice}\n\n${reply.text}` } : reply;
}

/** A message with a single "report status" button, for when nothing is in progress. */
export function startReply(text: string, lang: Language): Reply {
  return { text, choices: [choice(START_CHOICE_ID, t(lang, 'button.report'))] };
}

const MEASURE_LABEL_MAX = 48;

function measureLabel(lang: Language, m: FlowMeasure): string {
  const label = truncate(`${m.code} ${m.title}`, MEASURE_LABEL_MAX);
  return m.reported ? t(lang, 'flow.reported_mark', { label }) : label;
}

export function promptFor(state: StatusFlowState, ctx: ResolvedContext): Reply {
  const lang = ctx.language;
  const id = (action: FlowAction) => actionId(state.nonce, action);
  const tail: Choice[] = [];
  if (state.editing && state.step !== 'review') tail.push(choice(id({ kind: 'back' }), t(lang, 'button.back')));
  tail.push(choice(id({ kind: 'cancel' }), t(lang, 'button.cancel')));
  const measure = findMeasure(ctx, state.draft.measureId);
  const heading = measure ? `${t(lang, 'flow.measure_heading', { code: measure.code, title: measure.title })}\n` : '';

  switch (state.step) {
    case 'measure':
      return {
        text: t(lang, 'flow.choose_measure'),
        choices: [...ctx.measures.map((m) => choice(id({ kind: 'measure', measureId: m.id }), measureLabel(lang, m))), ...tail],
      };
    case 'status':
      return {
        text: heading + t(lang, 'flow.choose_status'),
        choices: [
          ...REPORTABLE_STATUSES.map((status) =>
            choice(id({ kind: 'status', status }), statusLabel(lang, status)),
          ),
          ...tail,
        ],
      };
    case 'note':
      return {
        text: heading + t(lang, 'flow.ask_note', { limit: characters(lang, ctx.noteMaxLength) }),
        choices: tail,
        expectsText: true,
      };
    case 'links': {
      const skip = t(lang, 'button.skip_links');
      return {
        text: heading + t(lang, 'flow.ask_links', { max: ctx.linksMax, skip }),
        choices: [choice(id({ kind: 'skip' }), skip), ...tail],
        expectsText: true,
      };
    }
    case 'review': {
      const { status, note = '', links = [] } = state.draft;
      const edits: Choice[] = [
        choice(id({ kind: 'edit', field: 'status' }), t(lang, 'button.change_status')),
        choice(id({ kind: 'edit', field: 'note' }), t(lang, 'button.change_note')),
        choice(id({ kind: 'edit', field: 'links' }), t(lang, 'button.change_links')),
      ];
      if (ctx.measures.length > 1) edits.push(choice(id({ kind: 'edit', field: 'measure' }), t(lang, 'button.change_measure')));
      return {
        text: t(lang, 'flow.review', {
          code: measure?.code ?? '',
          title: measure?.title ?? '',
          status: status ? statusLabel(lang, status) : '',
          note,
          links: links.length > 0 ? links.join('\n') : t(lang, 'flow.no_links'),
        }),
        choices: [choice(id({ kind: 'confirm' }), t(lang, 'button.confirm')), ...edits, ...tail],
      };
    }
  }
}

/** Shown once the report is stored: offer another measure (when there is one) or finish. */
export function afterSaveReply(nonce: string, measure: FlowMeasure, status: ReportableStatus, ctx: ResolvedContext): Reply {
  const lang = ctx.language;
  const choices: Choice[] = [];
  if (ctx.measures.length > 1) choices.push(choice(actionId(nonce, { kind: 'more' }), t(lang, 'button.report_another')));
  choices.push(choice(actionId(nonce, { kind: 'finish' }), t(lang, 'button.finish')));
  return { text: t(lang, 'flow.saved', { code: measure.code, status: statusLabel(lang, status) }), choices };
}

/** The fields of the status form, by id; a submission's values come back under these ids. */
export const STATUS_FORM_FIELDS = { status: 'status', note: 'note', links: 'links' } as const;

/**
 * The status, note and links questions as one form, for channels that have forms (Slack opens it
 * as a modal when a reminder's "report" button is pressed). `context` names the round and the
 * measure, so a submission answers exactly what the form was opened for. A correction starts
 * from the answer already given.
 */
export function statusForm(measure: FlowMeasure & { roundId: string }, ctx: ResolvedContext): Form {
  const lang = ctx.language;
  const answer = measure.answer;
  const initialStatus = REPORTABLE_STATUSES.find((s) => s === answer?.status);
  return {
    flow: STATUS_FLOW,
    context: formContext(measure.roundId, measure.id),
    title: t(lang, 'button.report'),
    submitLabel: t(lang, 'button.confirm'),
    cancelLabel: t(lang, 'button.cancel'),
    intro: t(lang, 'flow.measure_heading', { code: measure.code, title: measure.title }),
    fields: [
      {
        id: STATUS_FORM_FIELDS.status,
        kind: 'choice',
        label: t(lang, 'flow.choose_status'),
        options: REPORTABLE_STATUSES.map((status) => ({ id: status, label: statusLabel(lang, status) })),
        ...(initialStatus ? { initial: initialStatus } : {}),
      },
      {
        id: STATUS_FORM_FIELDS.note,
        kind: 'text',
        multiline: true,
        label: t(lang, 'form.status.note_label'),
        hint: t(lang, 'form.status.note_hint', { limit: characters(lang, ctx.noteMaxLength) }),
        maxLength: ctx.noteMaxLength,
        ...(answer?.note ? { initial: answer.note } : {}),
      },
      {
        id: STATUS_FORM_FIELDS.links,
        kind: 'text',
        multiline: true,
        optional: true,
        label: t(lang, 'form.status.links_label'),
        hint: t(lang, 'form.status.links_hint', { max: ctx.linksMax }),
        ...(answer && answer.links.length > 0 ? { initial: answer.links.join('\n') } : {}),
      },
    ],
    footnote: t(lang, 'form.status.or_chat'),
  };
}

function formContext(roundId: string, measureId: string): string {
  return JSON.stringify({ r: roundId, m: measureId });
}

export function readFormContext(context: string): { roundId: string; measureId: string } | null {
  try {
    const parsed = JSON.parse(context) as { r?: unknown; m?: unknown };
    return typeof parsed.r === 'string' && typeof parsed.m === 'string' ? { roundId: parsed.r, measureId: parsed.m } : null;
  } catch {
    return null;
  }
}
