import type { ContactRole, Language, MeetingKind } from '../../models/index.js';
import { MEETING_KINDS } from '../../models/meeting.js';
import { t } from '../../i18n/index.js';
import { choice, type Choice, type Form, type Reply } from '../chat/message.js';
import { AUDIENCE_GROUPS, groupRoles, type AgendaLine } from './authoring-answers.js';

/**
 * What the meeting authoring flow says: the question of each step with its buttons, the review
 * with the whole meeting, and the same questions as one form (a Slack modal).
 */

export const AUTHORING_FLOW = 'meeting-authoring';
/** The flow's buttons: `mn:<nonce>:<action>`; the nonce refuses a button from an older message. */
export const AUTHORING_ACTION_PREFIX = 'mn:';

export const AUTHORING_STEPS = ['kind', 'title', 'start', 'end', 'place', 'deadline', 'audience', 'agenda', 'review', 'cancel'] as const;
export type AuthoringStep = (typeof AUTHORING_STEPS)[number];
/** The steps the review can go back to, in the order they are asked. */
export const ASKED_STEPS = ['kind', 'title', 'start', 'end', 'place', 'deadline', 'audience', 'agenda'] as const satisfies readonly AuthoringStep[];

export interface AuthoringDraft {
  kind?: MeetingKind;
  title?: string;
  start?: string;
  end?: string;
  place?: string;
  onlineUrl?: string;
  /** '' when there is none. */
  deadline?: string;
  audience?: { roles: ContactRole[]; institutions: string[] };
  agenda?: AgendaLine[];
}

export interface AuthoringState {
  step: AuthoringStep;
  nonce: string;
  /** The meeting being edited or cancelled; absent for a new one. */
  key?: string;
  draft: AuthoringDraft;
}

export const FORM_FIELDS = {
  kind: 'kind',
  title: 'title',
  start: 'start',
  end: 'end',
  place: 'place',
  url: 'url',
  deadline: 'deadline',
  audience: 'audience',
  institutions: 'institutions',
  agenda: 'agenda',
} as const;

const actionId = (nonce: string, action: string): string => `${AUTHORING_ACTION_PREFIX}${nonce}:${action}`;

export function parseActionId(id: string): { nonce: string; action: string } | null {
  const match = /^mn:([^:]+):(.+)$/.exec(id);
  return match ? { nonce: match[1] ?? '', action: match[2] ?? '' } : null;
}

const kindLabel = (lang: Language, kind: MeetingKind) => t(lang, `meeting_notice.kind.${kind}`);
const cancelChoice = (state: AuthoringState, lang: Language) => choice(actionId(state.nonce, 'x'), t(lang, 'button.cancel'));

function audienceText(lang: Language, audience: AuthoringDraft['audience']): string {
  if (!audience) return t(lang, 'meeting_authoring.none');
  const group = AUDIENCE_GROUPS.find((g) => {
    const roles = groupRoles(g);
    return roles.length === audience.roles.length && roles.every((r) => audience.roles.includes(r));
  });
  const parts = [...(group ? [t(lang, `meeting_authoring.audience.${group}`)] : audience.roles), ...audience.institutions];
  return parts.length > 0 ? parts.join(', ') : t(lang, 'meeting_authoring.none');
}

const agendaText = (agenda: AgendaLine[]): string => agenda.map((item) => (item.presenter ? `${item.title} — ${item.presenter}` : item.title)).join('\n');

function summary(lang: Language, draft: AuthoringDraft): string {
  const none = t(lang, 'meeting_authoring.none');
  const agenda = draft.agenda ?? [];
  return t(lang, 'meeting_authoring.summary', {
    kind: draft.kind ? kindLabel(lang, draft.kind) : none,
    title: draft.title ?? none,
    start: draft.start ?? none,
    end: draft.end ?? none,
    place: draft.place || none,
    url: draft.onlineUrl || none,
    deadline: draft.deadline || none,
    audience: audienceText(lang, draft.audience),
    agenda: agenda.length > 0 ? agenda.map((item, i) => `${i + 1}. ${item.presenter ? `${item.title} — ${item.presenter}` : item.title}`).join('\n') : none,
  });
}

/** The question of the state's step, with its buttons. */
export function promptFor(state: AuthoringState, lang: Language, title = ''): Reply {
  const cancel = cancelChoice(state, lang);
  const ask = (key: Parameters<typeof t>[1], choices: Choice[] = []): Reply => ({ text: t(lang, key as 'meeting_authoring.ask_title'), choices: [...choices, cancel], expectsText: true });
  switch (state.step) {
    case 'kind':
      return { text: t(lang, 'meeting_authoring.ask_kind'), choices: [...MEETING_KINDS.map((kind, i) => choice(actionId(state.nonce, `k${i}`), kindLabel(lang, kind))), cancel] };
    case 'title':
    case 'start':
    case 'end':
    case 'place':
      return ask(`meeting_authoring.ask_${state.step}`);
    case 'deadline':
      return ask('meeting_authoring.ask_deadline', [choice(actionId(state.nonce, 'nd'), t(lang, 'meeting_authoring.button.no_deadline'))]);
    case 'audience':
      return ask(
        'meeting_authoring.ask_audience',
        AUDIENCE_GROUPS.map((group, i) => choice(actionId(state.nonce, `a${i}`), t(lang, `meeting_authoring.audience.${group}`))),
      );
    case 'agenda':
      return ask('meeting_authoring.ask_agenda', [choice(actionId(state.nonce, 'na'), t(lang, 'meeting_authoring.button.no_agenda'))]);
    case 'review': {
      const changes = ASKED_STEPS.map((field) =>
        choice(actionId(state.nonce, `c${ASKED_STEPS.indexOf(field)}`), t(lang, 'meeting_authoring.button.change', { field: fieldLabel(lang, field) })),
      );
      return { text: t(lang, 'meeting_authoring.review', { summary: summary(lang, state.draft) }), choices: [choice(actionId(state.nonce, 'ok'), t(lang, 'button.confirm')), ...changes, cancel] };
    }
    case 'cancel':
      return {
        text: t(lang, 'meeting_authoring.ask_cancel', { title, key: state.key ?? '' }),
        choices: [
          choice(actionId(state.nonce, 'ok'), t(lang, 'meeting_authoring.button.cancel_meeting')),
          choice(actionId(state.nonce, 'x'), t(lang, 'meeting_authoring.button.keep_meeting')),
        ],
      };
  }
}

function fieldLabel(lang: Language, field: (typeof ASKED_STEPS)[number]): string {
  const key = field === 'deadline' ? 'deadline' : field;
  return t(lang, `meeting_authoring.field.${key}`).replace(/ \(.*\)$/, '');
}

/** The form's context: which meeting it edits (empty for a new one). */
const formContext = (key: string | undefined): string => key ?? '';

/** All questions at once, filled from the draft (an edit starts from the stored meeting). */
export function authoringForm(lang: Language, draft: AuthoringDraft, key: string | undefined): Form {
  const initial = (value: string | undefined) => (value ? { initial: value } : {});
  const group = AUDIENCE_GROUPS.find((g) => draft.audience && groupRoles(g).length === draft.audience.roles.length && groupRoles(g).every((r) => draft.audience?.roles.includes(r)));
  return {
    flow: AUTHORING_FLOW,
    context: formContext(key),
    title: t(lang, key ? 'meeting_authoring.form_title_edit' : 'meeting_authoring.form_title_new'),
    submitLabel: t(lang, 'button.confirm'),
    cancelLabel: t(lang, 'button.cancel'),
    intro: t(lang, 'meeting_authoring.form_intro'),
    fields: [
      { id: FORM_FIELDS.kind, kind: 'choice', label: t(lang, 'meeting_authoring.field.kind'), options: MEETING_KINDS.map((k) => ({ id: k, label: kindLabel(lang, k) })), ...initial(draft.kind) },
      { id: FORM_FIELDS.title, kind: 'text', label: t(lang, 'meeting_authoring.field.title'), maxLength: 300, ...initial(draft.title) },
      { id: FORM_FIELDS.start, kind: 'text', label: t(lang, 'meeting_authoring.field.start'), ...initial(draft.start) },
      { id: FORM_FIELDS.end, kind: 'text', label: t(lang, 'meeting_authoring.field.end'), ...initial(draft.end) },
      { id: FORM_FIELDS.place, kind: 'text', optional: true, label: t(lang, 'meeting_authoring.field.place'), ...initial(draft.place) },
      { id: FORM_FIELDS.url, kind: 'text', optional: true, label: t(lang, 'meeting_authoring.field.url'), ...initial(draft.onlineUrl) },
      { id: FORM_FIELDS.deadline, kind: 'text', optional: true, label: t(lang, 'meeting_authoring.field.deadline'), ...initial(draft.deadline) },
      {
        id: FORM_FIELDS.audience,
        kind: 'choice',
        optional: true,
        label: t(lang, 'meeting_authoring.field.audience'),
        options: AUDIENCE_GROUPS.map((g) => ({ id: g, label: t(lang, `meeting_authoring.audience.${g}`) })),
        ...initial(group),
      },
      { id: FORM_FIELDS.institutions, kind: 'text', optional: true, label: t(lang, 'meeting_authoring.field.institutions'), ...initial(draft.audience?.institutions.join(', ')) },
      { id: FORM_FIELDS.agenda, kind: 'text', optional: true, multiline: true, label: t(lang, 'meeting_authoring.field.agenda'), ...initial(draft.agenda && agendaText(draft.agenda)) },
    ],
  };
}
