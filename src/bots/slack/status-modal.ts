import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { Language } from '../../models/shared.js';
import { statusLabel, t, truncate } from '../../i18n/index.js';
import { DEFAULT_NOTE_MAX_LENGTH, REPORTABLE_STATUSES, type FlowMeasure, type ReportableStatus, type SaveReportEffect } from '../../domain/status/status-flow.js';
import { characters } from '../../domain/status/status-flow-replies.js';
import { DEFAULT_LINKS_MAX, parseLinks } from '../../domain/status/status-links.js';

/**
 * The status report as one Slack form (modal): status radio buttons, the note and optional links.
 * It asks the same three questions as the conversation and checks the answers by the same rules
 * (status-flow.ts, status-links.ts), with the same messages; the answer is then stored by the one
 * save path, status-report-writer.ts.
 */

export const STATUS_MODAL_ID = 'ogp_status';
export const BLOCK = { status: 'status', note: 'note', links: 'links' } as const;
/** Each input block holds one element, always under this action id. */
export const VALUE_ACTION = 'value';

/** Slack's own cap for a plain_text_input is 3000 characters. */
const SLACK_INPUT_MAX = 3000;
const OPTION_TEXT_MAX = 75;

export interface ModalLimits {
  noteMaxLength?: number;
  linksMax?: number;
}

export interface ModalInitial {
  status?: ReportableStatus;
  note?: string;
  links?: string[];
}

const metadataSchema = z.object({ r: z.string().min(1), m: z.string().min(1) });
export type ModalTarget = { roundId: string; measureId: string };

export function readModalTarget(privateMetadata: string | undefined): ModalTarget | null {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(privateMetadata ?? ''));
    return parsed.success ? { roundId: parsed.data.r, measureId: parsed.data.m } : null;
  } catch {
    return null;
  }
}

const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

export function statusModal(
  lang: Language,
  measure: FlowMeasure & { roundId: string },
  limits: ModalLimits = {},
  initial: ModalInitial = {},
): types.ModalView {
  const noteMax = limits.noteMaxLength ?? DEFAULT_NOTE_MAX_LENGTH;
  const linksMax = limits.linksMax ?? DEFAULT_LINKS_MAX;
  const option = (status: ReportableStatus): types.Option => ({ text: plain(truncate(statusLabel(lang, status), OPTION_TEXT_MAX)), value: status });
  const radio: types.RadioButtons = { type: 'radio_buttons', action_id: VALUE_ACTION, options: REPORTABLE_STATUSES.map(option) };
  if (initial.status) radio.initial_option = option(initial.status);
  const note: types.PlainTextInput = {
    type: 'plain_text_input',
    action_id: VALUE_ACTION,
    multiline: true,
    max_length: Math.min(noteMax, SLACK_INPUT_MAX),
  };
  if (initial.note) note.initial_value = initial.note;
  const links: types.PlainTextInput = { type: 'plain_text_input', action_id: VALUE_ACTION, multiline: true };
  if (initial.links && initial.links.length > 0) links.initial_value = initial.links.join('\n');

  return {
    type: 'modal',
    callback_id: STATUS_MODAL_ID,
    private_metadata: JSON.stringify({ r: measure.roundId, m: measure.id }),
    title: plain(truncate(t(lang, 'button.report'), 24)),
    submit: plain(truncate(t(lang, 'button.confirm'), 24)),
    close: plain(truncate(t(lang, 'button.cancel'), 24)),
    blocks: [
      { type: 'section', text: plain(t(lang, 'flow.measure_heading', { code: measure.code, title: measure.title })) },
      { type: 'input', block_id: BLOCK.status, label: plain(t(lang, 'flow.choose_status')), element: radio },
      {
        type: 'input',
        block_id: BLOCK.note,
        label: plain(t(lang, 'slack.modal.note_label')),
        hint: plain(t(lang, 'slack.modal.note_hint', { limit: characters(lang, noteMax) })),
        element: note,
      },
      {
        type: 'input',
        block_id: BLOCK.links,
        optional: true,
        label: plain(t(lang, 'slack.modal.links_label')),
        hint: plain(t(lang, 'slack.modal.links_hint', { max: linksMax })),
        element: links,
      },
      { type: 'context', elements: [plain(t(lang, 'slack.modal.or_chat'))] },
    ],
  };
}

/** `view.state.values` as Slack sends it: block id → action id → the element's state. */
export type ViewValues = Record<string, Record<string, { value?: string | null; selected_option?: { value?: string } | null } | undefined>>;

export type ModalAnswer =
  | { ok: true; status: ReportableStatus; note: string; links: string[] }
  | { ok: false; errors: Partial<Record<(typeof BLOCK)[keyof typeof BLOCK], string>> };

/**
 * Checks a submitted form. Every field is checked, so the person sees all problems at once, each
 * under its own field, in their language.
 */
export function readStatusAnswer(values: ViewValues, lang: Language, limits: ModalLimits = {}): ModalAnswer {
  const noteMax = limits.noteMaxLength ?? DEFAULT_NOTE_MAX_LENGTH;
  const linksMax = limits.linksMax ?? DEFAULT_LINKS_MAX;
  const errors: Extract<ModalAnswer, { ok: false }>['errors'] = {};

  const picked = values[BLOCK.status]?.[VALUE_ACTION]?.selected_option?.value;
  const status = REPORTABLE_STATUSES.find((s) => s === picked);
  if (!status) errors.status = t(lang, 'slack.modal.status_missing');

  // The same normal form and length rule as the conversation's note step.
  const note = (values[BLOCK.note]?.[VALUE_ACTION]?.value ?? '').normalize('NFC').trim();
  const length = [...note].length;
  if (length === 0) errors.note = t(lang, 'error.note_empty');
  else if (length > noteMax) {
    errors.note = t(lang, 'error.note_too_long', { limit: characters(lang, noteMax), length: characters(lang, length) });
  }

  let links: string[] = [];
  const linksText = (values[BLOCK.links]?.[VALUE_ACTION]?.value ?? '').trim();
  if (linksText.length > 0) {
    const parsed = parseLinks(linksText, linksMax);
    if (parsed.ok) links = parsed.links;
    else if (parsed.reason === 'invalid_link') errors.links = t(lang, 'slack.modal.link_invalid', { link: parsed.link });
    else errors.links = t(lang, 'error.too_many_links', { count: parsed.count, max: linksMax });
  }

  if (!status || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, status, note, links };
}

export function saveEffect(target: ModalTarget, answer: Extract<ModalAnswer, { ok: true }>): SaveReportEffect {
  return { type: 'save-report', measureId: target.measureId, roundId: target.roundId, status: answer.status, note: answer.note, links: answer.links };
}
