import type { Reply } from './message.js';

/**
 * The platform-neutral flow contract: what the person did (`ChatEvent`, made by the router and
 * the features' handlers from any platform's input) and what one step of a flow decided
 * (`FlowOutcome`, which the runner in flow-runner.ts carries out). The replies in an outcome are
 * Messages (message.ts), rendered by each platform's renderer.
 */

/**
 * What the person did, as a flow sees it. `start` opens the flow (with `measureId`, straight at
 * that measure); `cancel` is the platform's cancel command; `form` is a whole step answered at
 * once in a form (a Slack modal), with the `context` the flow put on the form and the answers by
 * field id. A reminder's "report" button (reminder-actions.ts) arrives as an ordinary `choice`.
 */
export type ChatEvent =
  | { type: 'start'; measureId?: string }
  | { type: 'choice'; id: string }
  | { type: 'text'; text: string }
  | { type: 'form'; context: string; values: Record<string, string> }
  | { type: 'cancel' };

/** Stable codes for input that was refused and changed nothing. */
export const REJECT_REASONS = [
  'choose_button',
  'stale',
  'not_your_measure',
  'note_empty',
  'note_too_long',
  'invalid_link',
  'too_many_links',
  'no_conversation',
  'round_closed',
  'no_open_round',
  'no_measures',
  'unknown_person',
  'conflict',
  'invalid_form',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A refused form's problems: the message to show under each field, by field id. */
export type FieldErrors = Record<string, string>;

/**
 * The result of one step, as a value rather than an exception (like grammY conversations'
 * "returned | thrown | interrupted | canceled"): `continue` keeps a new state; `done` ends the
 * conversation after its effects are carried out; `cancelled` ends it with nothing saved;
 * `rejected` is bad input that changed nothing (the state stays as it was); for a form,
 * `fieldErrors` says what is wrong under each field. `keepConversation` on `done`: the effects
 * came from a form about something else, so a conversation in progress goes on untouched.
 */
export type FlowOutcome<S, E> =
  | { type: 'continue'; state: S; replies: Reply[] }
  | { type: 'done'; replies: Reply[]; effects: E[]; keepConversation?: boolean }
  | { type: 'cancelled'; replies: Reply[] }
  | { type: 'rejected'; replies: Reply[]; reason: RejectReason; fieldErrors?: FieldErrors };
