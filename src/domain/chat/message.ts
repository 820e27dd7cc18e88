/**
 * The one message contract of every channel. Domain replies, outbox deliveries and the demo's
 * console all speak it; each platform has one renderer (bots/telegram/render.ts,
 * bots/slack/render.ts, demo/console-channel.ts) that turns it into that platform's calls.
 *
 * Texts are plain text: no markup, and renderers escape whatever their platform would read as
 * markup, so a person's own words never turn into formatting, mentions or links.
 */

/** A button whose `id` comes back to us unchanged when pressed (Telegram callback_data, Slack action value). */
export interface Choice {
  id: string;
  label: string;
}

/** A button that opens a web page (an online meeting, a published report); nothing comes back. */
export interface LinkButton {
  label: string;
  url: string;
}

/**
 * Where the bytes of an attachment are fetched at send time, so that queues and delivery records
 * carry ids only. `stored`: a StoredFile document (domain/chat/files.ts).
 */
export type FileSource = { kind: 'stored'; fileId: string };

/** A file sent with the message: a CSV export, a chart, a calendar invitation. */
export interface Attachment {
  /** The file name the person sees, e.g. `atbildes-2025.csv`. */
  name: string;
  /** e.g. `text/csv`, `text/markdown`, `image/png`, `text/calendar`. */
  mediaType: string;
  source: FileSource;
}

/** A message already on a platform: the chat or channel, and the platform's message id (Slack `ts`). */
export interface MessageRef {
  address: string;
  messageId: string;
}

/**
 * Which earlier message an edit replaces: one the outbox sent under `deliveryKey`, or one whose
 * platform reference the caller holds. The edit changes text and buttons; attachments are not edited.
 */
export type EditTarget = { deliveryKey: string } | { ref: MessageRef };

/** One field of a form (a Slack modal); the other channels ask the same questions one at a time. */
export interface FormField {
  id: string;
  kind: 'choice' | 'text';
  label: string;
  hint?: string;
  optional?: boolean;
  multiline?: boolean;
  maxLength?: number;
  /** For `choice`: the options, `id` is the submitted value. */
  options?: Choice[];
  initial?: string;
}

/**
 * A whole step of a flow as one form, for channels that have forms. `context` is opaque to the
 * adapter and comes back with the submission (e.g. which round and measure the form is about).
 */
export interface Form {
  /** The flow that takes the submission (its registered name). */
  flow: string;
  context: string;
  title: string;
  submitLabel: string;
  cancelLabel: string;
  intro: string;
  fields: FormField[];
  footnote?: string;
}

/**
 * One message. `choices` and `links` are laid out by the renderer in the given order (choices
 * first). `expectsText` says that the next step wants typed words. `form`, when the channel can
 * show one and the person's action allows it (a Slack button press), is offered besides the message.
 */
export interface Message {
  text: string;
  choices: Choice[];
  links?: LinkButton[];
  attachments?: Attachment[];
  edit?: EditTarget;
  expectsText?: boolean;
  form?: Form;
}

/** A reply to a person is a Message; the name says where it comes from. */
export type Reply = Message;

/** Telegram refuses callback_data longer than 64 bytes; Slack's action values allow more. */
export const MAX_CHOICE_ID_BYTES = 64;

/** Builds a choice, refusing an id no platform could carry (a programming error, not user input). */
export function choice(id: string, label: string): Choice {
  if (Buffer.byteLength(id, 'utf8') > MAX_CHOICE_ID_BYTES) {
    throw new RangeError(`Choice id is longer than ${MAX_CHOICE_ID_BYTES} bytes: ${id}`);
  }
  return { id, label };
}

/** A message with only text (and buttons, if given). */
export function textMessage(text: string, choices: Choice[] = []): Message {
  return { text, choices };
}
