import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { CONTACT_ROLES, FORUM_TIME_ZONE, type Language } from '../../models/index.js';
import { InstitutionModel } from '../../models/institution.js';
import { MEETING_KINDS, MeetingModel, type MeetingKind } from '../../models/meeting.js';
import { t } from '../../i18n/index.js';
import type { ChatEvent, FlowOutcome, RejectReason } from '../chat/conversation.js';
import type { FlowDefinition, FlowEnv } from '../chat/flow-runner.js';
import type { Reply } from '../chat/message.js';
import { AUDIENCE_GROUPS, checkAgenda, checkDeadline, checkEnd, checkInstitutions, checkPlace, checkStart, checkTitle, groupRoles } from './authoring-answers.js';
import { ASKED_STEPS, AUTHORING_FLOW, AUTHORING_STEPS, FORM_FIELDS, authoringForm, parseActionId, promptFor, type AuthoringDraft, type AuthoringState } from './authoring-replies.js';
import { applyAuthoring, type AuthoringEffect } from './authoring-save.js';
import { localText } from './meeting-file.js';

/**
 * Coordinators create, edit and cancel meetings from a chat: one question at a time (kind, title,
 * start, end, place or link, deadline, audience, agenda), then a review to confirm; or all of it at
 * once in the form the first reply offers (a Slack modal). An edit starts at the review of the
 * stored meeting, a cancel asks once more. Each answer is checked when given and the step stays
 * until it is right; saveMeeting checks the whole meeting again, and its problems are all named.
 */

/** Internal start events from /meeting (not buttons: `mn!` has no button route). */
export const startEventId = (mode: 'new' | 'edit' | 'cancel', key = ''): string => `mn!${mode}:${key}`;

const agendaSchema = z.array(z.object({ title: z.string(), presenter: z.string() }));
const stateSchema = z.object({
  step: z.enum(AUTHORING_STEPS),
  nonce: z.string().min(1),
  key: z.string().optional(),
  draft: z.object({
    kind: z.enum(MEETING_KINDS).optional(),
    title: z.string().optional(),
    start: z.string().optional(),
    end: z.string().optional(),
    place: z.string().optional(),
    onlineUrl: z.string().optional(),
    deadline: z.string().optional(),
    audience: z.object({ roles: z.array(z.enum(CONTACT_ROLES)), institutions: z.array(z.string()) }).optional(),
    agenda: agendaSchema.optional(),
  }),
});

interface EditableMeeting {
  title: string;
  timeZone: string;
  draft: AuthoringDraft;
}

interface AuthoringContext {
  lang: Language;
  coordinator: boolean;
  /** Announced meetings that have not ended: the ones that can be edited or cancelled. */
  meetings: Map<string, EditableMeeting>;
  /** Every key in use, so a new meeting never takes (and so edits) another's. */
  keys: Set<string>;
  institutions: string[];
  now: DateTime;
  newNonce: () => string;
}

type Outcome = FlowOutcome<AuthoringState, AuthoringEffect>;

async function load({ contact, now }: FlowEnv): Promise<AuthoringContext> {
  const [meetings, keys, institutions] = await Promise.all([
    MeetingModel.find({ state: 'announced', endsAt: { $gt: now.toJSDate() } }).lean(),
    MeetingModel.find({}, { key: 1 }).lean(),
    InstitutionModel.find({}, { code: 1 }).lean(),
  ]);
  const editable = meetings.map((m): [string, EditableMeeting] => [
    m.key,
    {
      title: m.title.lv,
      timeZone: m.timeZone,
      draft: {
        kind: m.kind,
        title: m.title.lv,
        start: localText(m.startsAt, m.timeZone),
        end: localText(m.endsAt, m.timeZone),
        place: m.place ?? '',
        onlineUrl: m.onlineUrl ?? '',
        deadline: m.registrationDeadline ? localText(m.registrationDeadline, m.timeZone) : '',
        audience: { roles: [...(m.audience?.roles ?? [])], institutions: [...(m.audience?.institutions ?? [])] },
        agenda: (m.agenda ?? []).map((item) => ({ title: item.title.lv, presenter: item.presenter ?? '' })),
      },
    },
  ]);
  return {
    lang: contact.language,
    coordinator: contact.roles.includes('coordinator'),
    meetings: new Map(editable),
    keys: new Set(keys.map((m) => m.key)),
    institutions: institutions.map((i) => i.code),
    now,
    newNonce: () => randomBytes(4).toString('hex'),
  };
}

const say = (text: string): Reply => ({ text, choices: [] });
const rejected = (reason: RejectReason, text: string, again?: Reply): Outcome => ({ type: 'rejected', reason, replies: [again ? { ...again, text: `${text}\n\n${again.text}` } : say(text)] });
const zoneOf = (state: { key?: string }, ctx: AuthoringContext) => (state.key ? ctx.meetings.get(state.key)?.timeZone : undefined) ?? FORUM_TIME_ZONE;
const titleOf = (state: AuthoringState, ctx: AuthoringContext) => (state.key ? ctx.meetings.get(state.key)?.title : undefined) ?? '';

function go(given: AuthoringState, ctx: AuthoringContext, form = false): Outcome {
  // A field cleared to undefined would be stored as null, which the state schema refuses.
  const state: AuthoringState = { ...given, draft: JSON.parse(JSON.stringify(given.draft)) as AuthoringDraft };
  const reply = promptFor(state, ctx.lang, titleOf(state, ctx));
  return { type: 'continue', state, replies: [form ? { ...reply, form: authoringForm(ctx.lang, state.draft, state.key) } : reply] };
}

/** The first question not answered yet, or the review. */
function advance(state: AuthoringState, draft: AuthoringDraft, ctx: AuthoringContext): Outcome {
  const missing = ASKED_STEPS.find((step) => (step === 'place' ? draft.place === undefined : draft[step] === undefined));
  return go({ ...state, draft, step: missing ?? 'review' }, ctx);
}

function begin(id: string, ctx: AuthoringContext): Outcome {
  const [mode = '', key = ''] = id.slice(3).split(':');
  const nonce = ctx.newNonce();
  if (mode === 'new') return go({ step: 'kind', nonce, draft: {} }, ctx, true);
  const meeting = ctx.meetings.get(key);
  if (!meeting) {
    return rejected('stale', t(ctx.lang, ctx.keys.has(key) ? 'meeting_authoring.not_editable' : 'meeting_authoring.unknown', { key }));
  }
  if (mode === 'cancel') return go({ step: 'cancel', nonce, key, draft: {} }, ctx);
  return go({ step: 'review', nonce, key, draft: meeting.draft }, ctx, true);
}

function onText(state: AuthoringState, text: string, ctx: AuthoringContext): Outcome {
  const { lang, now } = ctx;
  const zone = zoneOf(state, ctx);
  const draft = state.draft;
  const again = promptFor(state, lang);
  const take = (checked: { ok: true; value: AuthoringDraft } | { ok: false; message: string }) =>
    checked.ok ? advance(state, checked.value, ctx) : rejected('invalid_form', checked.message, again);
  const map = <T>(checked: { ok: true; value: T } | { ok: false; message: string }, to: (value: T) => AuthoringDraft) =>
    take(checked.ok ? { ok: true, value: to(checked.value) } : checked);
  switch (state.step) {
    case 'title':
      return map(checkTitle(lang, text), (title) => ({ ...draft, title }));
    case 'start':
      return map(checkStart(lang, text, zone, now), (start) => {
        // An end or deadline the new start makes wrong is asked again rather than kept.
        const end = draft.end && checkEnd(lang, draft.end, start, zone).ok ? draft.end : undefined;
        const deadline = draft.deadline && !checkDeadline(lang, draft.deadline, start, zone, now).ok ? undefined : draft.deadline;
        return { ...draft, start, end, deadline };
      });
    case 'end':
      return map(checkEnd(lang, text, draft.start ?? '', zone), (end) => ({ ...draft, end }));
    case 'place':
      return map(checkPlace(lang, text), (place) => ({ ...draft, ...place }));
    case 'deadline':
      return map(checkDeadline(lang, text, draft.start ?? '', zone, now), (deadline) => ({ ...draft, deadline }));
    case 'audience':
      return map(checkInstitutions(lang, text, ctx.institutions), (institutions) => ({ ...draft, audience: { roles: [], institutions } }));
    case 'agenda':
      return map(checkAgenda(lang, text), (agenda) => ({ ...draft, agenda }));
    default:
      return rejected('choose_button', t(lang, 'error.choose_button'), again);
  }
}

function onAction(state: AuthoringState, action: string, ctx: AuthoringContext): Outcome {
  const lang = ctx.lang;
  const stale = () => rejected('stale', t(lang, 'error.stale_button'), promptFor(state, lang, titleOf(state, ctx)));
  const index = (prefix: string) => (action.startsWith(prefix) ? Number(action.slice(prefix.length)) : Number.NaN);
  if (action === 'x') return { type: 'cancelled', replies: [say(t(lang, 'flow.cancelled'))] };
  switch (state.step) {
    case 'kind': {
      const kind = MEETING_KINDS[index('k')];
      return kind ? advance(state, { ...state.draft, kind }, ctx) : stale();
    }
    case 'deadline':
      return action === 'nd' ? advance(state, { ...state.draft, deadline: '' }, ctx) : stale();
    case 'audience': {
      const group = AUDIENCE_GROUPS[index('a')];
      return group ? advance(state, { ...state.draft, audience: { roles: groupRoles(group), institutions: [] } }, ctx) : stale();
    }
    case 'agenda':
      return action === 'na' ? advance(state, { ...state.draft, agenda: [] }, ctx) : stale();
    case 'review': {
      if (action === 'ok') return confirm(state, state.draft, ctx);
      const step = ASKED_STEPS[index('c')];
      return step ? go({ ...state, step }, ctx) : stale();
    }
    case 'cancel': {
      if (action !== 'ok' || !state.key) return stale();
      const title = titleOf(state, ctx);
      return { type: 'done', effects: [{ type: 'cancel', key: state.key }], replies: [say(t(lang, 'meeting_authoring.cancelled_meeting', { title, key: state.key }))] };
    }
    default:
      return stale();
  }
}

/** A new meeting's key reads like the ones in config/meetings: kind and date, numbered when taken. */
function newKey(kind: MeetingKind, start: string, keys: Set<string>): string {
  const base = `${kind.replace(/_/g, '-')}-${start.slice(0, 10)}`;
  let key = base;
  for (let n = 2; keys.has(key); n++) key = `${base}-${n}`;
  return key;
}

function confirm(state: AuthoringState | null, draft: AuthoringDraft, ctx: AuthoringContext, key = state?.key, keepConversation = false): Outcome {
  const { kind, title, start, end, place, onlineUrl, deadline, audience, agenda } = draft;
  if (!kind || title === undefined || !start || !end || place === undefined || deadline === undefined || !audience || !agenda) {
    return state ? advance(state, draft, ctx) : rejected('invalid_form', t(ctx.lang, 'error.stale_button'));
  }
  const meetingKey = key ?? newKey(kind, start, ctx.keys);
  const complete = { kind, title, start, end, place, onlineUrl: onlineUrl ?? '', deadline, audience, agenda };
  const text = t(ctx.lang, key ? 'meeting_authoring.saved_edit' : 'meeting_authoring.saved_new', { title, key: meetingKey });
  return {
    type: 'done',
    effects: [{ type: 'save', key: meetingKey, created: !key, zone: zoneOf({ key }, ctx), draft: complete }],
    replies: [say(text)],
    keepConversation,
  };
}

/** The whole meeting from the form: every field checked, every problem under its field, nothing saved. */
function onForm(state: AuthoringState | null, values: Record<string, string>, formKey: string, ctx: AuthoringContext): Outcome {
  const { lang, now } = ctx;
  const key = formKey || undefined;
  if (key && !ctx.meetings.has(key)) return rejected('stale', t(lang, 'meeting_authoring.not_editable', { key }));
  const zone = zoneOf({ key }, ctx);
  const value = (id: string) => (values[id] ?? '').trim();
  const errors: Record<string, string> = {};
  const draft: AuthoringDraft = {};
  const take = <T>(field: string, checked: { ok: true; value: T } | { ok: false; message: string }, set: (v: T) => void) => {
    if (checked.ok) set(checked.value);
    else errors[field] = checked.message;
  };

  const kind = MEETING_KINDS.find((k) => k === value(FORM_FIELDS.kind));
  if (kind) draft.kind = kind;
  else errors[FORM_FIELDS.kind] = t(lang, 'meeting_authoring.error.kind');
  take(FORM_FIELDS.title, checkTitle(lang, value(FORM_FIELDS.title)), (v) => (draft.title = v));
  // An edit keeps a stored time that has passed meanwhile (registration closed): only new times must lie ahead.
  const stored = key ? ctx.meetings.get(key)?.draft : undefined;
  const kept = (field: 'start' | 'deadline') => stored !== undefined && value(field) !== '' && value(field) === stored[field];
  if (kept('start')) draft.start = stored?.start;
  else take(FORM_FIELDS.start, checkStart(lang, value(FORM_FIELDS.start), zone, now), (v) => (draft.start = v));
  const endText = value(FORM_FIELDS.end);
  // An end given as a time belongs to the start's day; with no valid start only its form is checked.
  if (draft.start || !/^\d{1,2}:\d{2}$/.test(endText)) take(FORM_FIELDS.end, checkEnd(lang, endText, draft.start ?? '', zone), (v) => (draft.end = v));
  const url = value(FORM_FIELDS.url);
  if (url && !/^https?:/i.test(url)) errors[FORM_FIELDS.url] = t(lang, 'meeting_authoring.error.url', { value: url });
  else take(url && !value(FORM_FIELDS.place) ? FORM_FIELDS.url : FORM_FIELDS.place, checkPlace(lang, value(FORM_FIELDS.place), url), (v) => Object.assign(draft, v));
  const deadline = value(FORM_FIELDS.deadline);
  if (!deadline) draft.deadline = '';
  else if (kept('deadline') && draft.start === stored?.start) draft.deadline = deadline;
  else if (draft.start) take(FORM_FIELDS.deadline, checkDeadline(lang, deadline, draft.start, zone, now), (v) => (draft.deadline = v));
  else take(FORM_FIELDS.deadline, checkStart(lang, deadline, zone, now), () => undefined);
  const group = AUDIENCE_GROUPS.find((g) => g === value(FORM_FIELDS.audience));
  const codes = value(FORM_FIELDS.institutions);
  if (codes) take(FORM_FIELDS.institutions, checkInstitutions(lang, codes, ctx.institutions), (institutions) => (draft.audience = { roles: group ? groupRoles(group) : [], institutions }));
  else if (group) draft.audience = { roles: groupRoles(group), institutions: [] };
  else errors[FORM_FIELDS.audience] = t(lang, 'meeting_authoring.error.audience');
  take(FORM_FIELDS.agenda, checkAgenda(lang, value(FORM_FIELDS.agenda)), (agenda) => (draft.agenda = agenda));

  if (Object.keys(errors).length > 0) {
    return { type: 'rejected', reason: 'invalid_form', fieldErrors: errors, replies: [say(Object.values(errors).join('\n'))] };
  }
  // A conversation about another meeting goes on; one about this meeting is answered by the form.
  return confirm(null, draft, ctx, key, state !== null && state.key !== key);
}

function step(state: AuthoringState | null, event: ChatEvent, ctx: AuthoringContext): Outcome {
  const lang = ctx.lang;
  // The command is for coordinators only; this also covers a button or form from someone else.
  if (!ctx.coordinator) return rejected('stale', t(lang, 'access.not_coordinator'));
  if (event.type === 'cancel') return { type: 'cancelled', replies: [say(t(lang, 'flow.cancelled'))] };
  if (event.type === 'form') return onForm(state, event.values, event.context, ctx);
  if (event.type === 'choice' && event.id.startsWith('mn!')) return begin(event.id, ctx);
  if (!state) return rejected('no_conversation', t(lang, 'error.stale_button'));
  if (event.type === 'text') return onText(state, event.text, ctx);
  if (event.type !== 'choice') return rejected('choose_button', t(lang, 'error.choose_button'), promptFor(state, lang, titleOf(state, ctx)));
  const parsed = parseActionId(event.id);
  if (!parsed || parsed.nonce !== state.nonce) return rejected('stale', t(lang, 'error.stale_button'), promptFor(state, lang, titleOf(state, ctx)));
  return onAction(state, parsed.action, ctx);
}

export function createAuthoringFlow(): FlowDefinition<AuthoringState, AuthoringEffect, AuthoringContext> {
  return {
    name: AUTHORING_FLOW,
    state: stateSchema,
    load,
    step: (state, event, ctx) => step(state, event, ctx),
    apply: applyAuthoring,
  };
}

