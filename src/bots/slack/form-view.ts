import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { Form, FormField } from '../../domain/chat/message.js';
import { truncate } from '../../i18n/index.js';

/**
 * A flow's form as a Slack modal, and a submitted modal back as the form's answers. One input
 * block per field, its `block_id` the field id and its one element always under VALUE_ACTION, so
 * `view.state.values` reads back without knowing the flow. The flow and the form's context ride in
 * `private_metadata`, so any process can take the submission.
 */

export const FORM_CALLBACK_ID = 'ogp_form';
const VALUE_ACTION = 'value';

/** Slack's limits: title, submit and close 24 characters; option text 75; plain_text_input 3000. */
const TITLE_MAX = 24;
const OPTION_MAX = 75;
const INPUT_MAX = 3000;
const LABEL_MAX = 2000;

const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

function element(field: FormField): types.InputBlock['element'] {
  if (field.kind === 'choice') {
    const options = (field.options ?? []).map((o): types.Option => ({ text: plain(truncate(o.label, OPTION_MAX)), value: o.id }));
    const radio: types.RadioButtons = { type: 'radio_buttons', action_id: VALUE_ACTION, options };
    const initial = options.find((o) => o.value === field.initial);
    if (initial) radio.initial_option = initial;
    return radio;
  }
  const input: types.PlainTextInput = { type: 'plain_text_input', action_id: VALUE_ACTION, multiline: field.multiline ?? false };
  if (field.maxLength !== undefined) input.max_length = Math.min(field.maxLength, INPUT_MAX);
  if (field.initial) input.initial_value = field.initial;
  return input;
}

export function formView(form: Form): types.ModalView {
  const blocks: types.KnownBlock[] = [{ type: 'section', text: plain(form.intro) }];
  for (const field of form.fields) {
    const block: types.InputBlock = { type: 'input', block_id: field.id, label: plain(truncate(field.label, LABEL_MAX)), element: element(field) };
    if (field.hint) block.hint = plain(field.hint);
    if (field.optional) block.optional = true;
    blocks.push(block);
  }
  if (form.footnote) blocks.push({ type: 'context', elements: [plain(form.footnote)] });
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    private_metadata: JSON.stringify({ f: form.flow, c: form.context }),
    title: plain(truncate(form.title, TITLE_MAX)),
    submit: plain(truncate(form.submitLabel, TITLE_MAX)),
    close: plain(truncate(form.cancelLabel, TITLE_MAX)),
    blocks,
  };
}

const metadataSchema = z.object({ f: z.string().min(1), c: z.string() });

export function readFormTarget(privateMetadata: string | undefined): { flow: string; context: string } | null {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(privateMetadata ?? ''));
    return parsed.success ? { flow: parsed.data.f, context: parsed.data.c } : null;
  } catch {
    return null;
  }
}

/** `view.state.values` as Slack sends it: block id → action id → the element's state. */
export type ViewValues = Record<string, Record<string, { value?: string | null; selected_option?: { value?: string } | null } | undefined>>;

/** The answers by field id: a typed value, or the chosen option's value; empty when not answered. */
export function readFormValues(values: ViewValues): Record<string, string> {
  const answers: Record<string, string> = {};
  for (const [blockId, elements] of Object.entries(values)) {
    const state = elements[VALUE_ACTION];
    answers[blockId] = state?.selected_option?.value ?? state?.value ?? '';
  }
  return answers;
}

/** Where Slack shows an error that belongs to no one field: under the first. */
export function formErrors(view: { blocks?: unknown }, fieldErrors: Record<string, string> | undefined, fallback: string): Record<string, string> {
  if (fieldErrors && Object.keys(fieldErrors).length > 0) return fieldErrors;
  const first = (Array.isArray(view.blocks) ? (view.blocks as { type?: string; block_id?: string }[]) : []).find((b) => b.type === 'input')?.block_id;
  return first ? { [first]: fallback } : {};
}
