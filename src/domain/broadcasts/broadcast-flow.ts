import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CONTACT_ROLES, FORUM_TIME_ZONE, InstitutionModel, MeetingModel, type Language } from '../../models/index.js';
import { formatDate, formatTime, t } from '../../i18n/index.js';
import type { ChatEvent, FlowOutcome, RejectReason } from '../chat/conversation.js';
import type { EffectRefusal, EffectReplies, FlowDefinition, FlowEnv } from '../chat/flow-runner.js';
import { choice, type Form, type Reply } from '../chat/message.js';
import { checkInstitutions, checkStart } from '../meetings/authoring-answers.js';
import { localTime } from '../meetings/meeting-file.js';
import { checkCommitments, describeBroadcastAudience, type BroadcastAudience } from './broadcast-audience.js';
import { currentPlanId } from '../plan/current-plan.js';
import { broadcastActionId } from './broadcast-actions.js';
import {
  broadcastMessage,
  checkBroadcastLink,
  checkBroadcastText,
  createBroadcast,
  MAX_BROADCAST_TEXT,
  MAX_LINK_URL,
  namesText,
  previewBroadcast,
  type BroadcastRecord,
} from './broadcasts.js';

/**
 * `/broadcast` for coordinators: audience, Latvian text, English text (or none), a link button (or
 * none), now or a time; or all of it in the form the first reply offers (a Slack modal). Every
 * answer is checked when given. The end saves a draft and shows the preview: the exact message in
 * each language, the copies per channel, who cannot be reached, and the buttons to confirm or
 * cancel (broadcast-feature.ts), so nothing goes out until a coordinator has seen it.
 */

export const BROADCAST_FLOW = 'broadcast';
export const BROADCAST_FLOW_PREFIX = 'bf:';
export const START_BROADCAST = 'bf!new';

const STEPS = ['audience', 'institutions', 'commitments', 'meeting', 'text_lv', 'text_en', 'link', 'when'] as const;
/** The audience buttons, in order. */
const GROUPS = ['everyone', 'forum_member', 'contact_person', 'coordinator', 'partner', 'owners', 'institutions', 'commitments', 'meeting'] as const;
type Group = (typeof GROUPS)[number];
const MAX_MEETING_BUTTONS = 8;

const audienceSchema = z.union([
  z.object({ kind: z.literal('everyone') }),
  z.object({ kind: z.literal('owners') }),
  z.object({ kind: z.literal('roles'), roles: z.array(z.enum(CONTACT_ROLES)) }),
  z.object({ kind: z.literal('institutions'), institutions: z.array(z.string()) }),
  z.object({ kind: z.literal('commitments'), commitments: z.array(z.number()) }),
  z.object({ kind: z.literal('meeting'), meeting: z.string() }),
]);
const stateSchema = z.object({
  step: z.enum(STEPS),
  nonce: z.string().min(1),
  audience: audienceSchema.optional(),
  textLv: z.string().optional(),
  textEn: z.string().optional(),
  link: z.string().optional(),
  /** ISO instant; absent: now. */
  at: z.string().optional(),
});
type State = z.infer<typeof stateSchema>;
type Effect = { type: 'create'; audience: BroadcastAudience; textLv: string; textEn: string; link: string; at?: string };

interface Context {
  lang: Language;
  coordinator: boolean;
  institutions: string[];
  meetings: { key: string; title: string }[];
  now: DateTime;
  newNonce: () => string;
}
type Outcome = FlowOutcome<State, Effect>;

async function load({ contact, now }: FlowEnv): Promise<Context> {
  const coordinator = contact.roles.includes('coordinator');
  const [institutions, meetings] = coordinator
    ? await Promise.all([
        InstitutionModel.find({}, { code: 1 }).lean(),
        MeetingModel.find({ state: 'announced', endsAt: { $gt: now.toJSDate() } }, { key: 1, title: 1 }).sort({ startsAt: 1 }).limit(MAX_MEETING_BUTTONS).lean(),
      ])
    : [[], []];
  return {
    lang: contact.language,
    coordinator,
    institutions: institutions.map((i) => i.code),
    meetings: meetings.map((m) => ({ key: m.key, title: m.title[contact.language] || m.title.lv })),
    now,
    newNonce: () => randomBytes(4).toString('hex'),
  };
}

const say = (text: string): Reply => ({ text, choices: [] });
const actionId = (nonce: string, action: string) => `${BROADCAST_FLOW_PREFIX}${nonce}:${action}`;

function prompt(state: State, ctx: Context): Reply {
  const { lang } = ctx;
  const act = (action: string, label: string) => choice(actionId(state.nonce, action), label);
  const cancel = act('x', t(lang, 'button.cancel'));
  switch (state.step) {
    case 'audience':
      return { text: t(lang, 'broadcast.ask.audience'), choices: [...GROUPS.map((g, i) => act(`a${i}`, t(lang, `broadcast.group.${g}`))), cancel] };
    case 'institutions':
      return { text: t(lang, 'broadcast.ask.institutions', { codes: ctx.institutions.join(', ') }), choices: [cancel], expectsText: true };
    case 'commitments':
      return { text: t(lang, 'broadcast.ask.commitments'), choices: [cancel], expectsText: true };
    case 'meeting':
      return {
        text: t(lang, ctx.meetings.length > 0 ? 'broadcast.ask.meeting' : 'broadcast.no_meetings'),
        choices: [...ctx.meetings.map((m, i) => act(`m${i}`, `${m.title} (${m.key})`)), cancel],
        expectsText: true,
      };
    case 'text_lv':
      return { text: t(lang, 'broadcast.ask.text_lv', { max: MAX_BROADCAST_TEXT }), choices: [cancel], expectsText: true };
    case 'text_en':
      return { text: t(lang, 'broadcast.ask.text_en'), choices: [act('ne', t(lang, 'broadcast.button.no_english')), cancel], expectsText: true };
    case 'link':
      return { text: t(lang, 'broadcast.ask.link'), choices: [act('nl', t(lang, 'broadcast.button.no_link')), cancel], expectsText: true };
    case 'when':
      return { text: t(lang, 'broadcast.ask.when'), choices: [act('now', t(lang, 'broadcast.button.now')), cancel], expectsText: true };
  }
}

const FORM_FIELDS = { audience: 'audience', names: 'names', textLv: 'text_lv', textEn: 'text_en', link: 'link', when: 'when' } as const;

function broadcastForm(lang: Language): Form {
  return {
    flow: BROADCAST_FLOW,
    context: 'new',
    title: t(lang, 'broadcast.form.title'),
    submitLabel: t(lang, 'broadcast.form.submit'),
    cancelLabel: t(lang, 'button.cancel'),
    intro: t(lang, 'broadcast.form.intro'),
    fields: [
      { id: FORM_FIELDS.audience, kind: 'choice', label: t(lang, 'broadcast.form.audience'), options: GROUPS.map((g) => ({ id: g, label: t(lang, `broadcast.group.${g}`) })) },
      { id: FORM_FIELDS.names, kind: 'text', label: t(lang, 'broadcast.form.names'), optional: true, maxLength: 500 },
      { id: FORM_FIELDS.textLv, kind: 'text', label: t(lang, 'broadcast.form.text_lv'), multiline: true, maxLength: MAX_BROADCAST_TEXT },
      { id: FORM_FIELDS.textEn, kind: 'text', label: t(lang, 'broadcast.form.text_en'), multiline: true, optional: true, maxLength: MAX_BROADCAST_TEXT },
      { id: FORM_FIELDS.link, kind: 'text', label: t(lang, 'broadcast.form.link'), optional: true, maxLength: MAX_LINK_URL },
      { id: FORM_FIELDS.when, kind: 'text', label: t(lang, 'broadcast.form.when'), hint: t(lang, 'broadcast.form.when_hint'), optional: true },
    ],
  };
}

const go = (state: State, ctx: Context, form = false): Outcome => ({
  type: 'continue',
  state,
  replies: [form ? { ...prompt(state, ctx), form: broadcastForm(ctx.lang) } : prompt(state, ctx)],
});
const rejected = (reason: RejectReason, text: string, again?: Reply): Outcome => ({
  type: 'rejected',
  reason,
  replies: [again ? { ...again, text: `${text}\n\n${again.text}` } : say(text)],
});

function finish(state: State, ctx: Context): Outcome {
  if (!state.audience || state.textLv === undefined) return go({ ...state, step: 'audience' }, ctx);
  return {
    type: 'done',
    effects: [{ type: 'create', audience: state.audience, textLv: state.textLv, textEn: state.textEn ?? '', link: state.link ?? '', ...(state.at ? { at: state.at } : {}) }],
    replies: [],
  };
}

/** `text` in the forum's zone: when to send, or the reason it cannot be. */
function checkWhen(lang: Language, text: string, now: DateTime): { ok: true; at: string } | { ok: false; message: string } {
  const checked = checkStart(lang, text, FORUM_TIME_ZONE, now);
  if (!checked.ok) return checked;
  const local = localTime(checked.value, FORUM_TIME_ZONE);
  return local.ok ? { ok: true, at: local.at.toUTC().toISO() ?? '' } : { ok: false, message: t(lang, 'meeting_authoring.error.date_time', { value: text }) };
}

function groupAudience(group: Group): BroadcastAudience | null {
  switch (group) {
    case 'everyone':
    case 'owners':
      return { kind: group };
    case 'institutions':
    case 'commitments':
    case 'meeting':
      return null;
    default:
      return { kind: 'roles', roles: [group] };
  }
}

function onText(state: State, text: string, ctx: Context): Outcome {
  const { lang } = ctx;
  const again = prompt(state, ctx);
  const next = (patch: Partial<State>, step: State['step']) => go({ ...state, ...patch, step }, ctx);
  switch (state.step) {
    case 'institutions': {
      const checked = checkInstitutions(lang, text, ctx.institutions);
      return checked.ok ? next({ audience: { kind: 'institutions', institutions: checked.value } }, 'text_lv') : rejected('invalid_form', checked.message, again);
    }
    case 'commitments': {
      const checked = checkCommitments(lang, text);
      return checked.ok ? next({ audience: checked.value }, 'text_lv') : rejected('invalid_form', checked.message, again);
    }
    case 'meeting': {
      const key = text.trim();
      return ctx.meetings.some((m) => m.key === key) ? next({ audience: { kind: 'meeting', meeting: key } }, 'text_lv') : rejected('invalid_form', t(lang, 'broadcast.error.meeting', { key }), again);
    }
    case 'text_lv':
    case 'text_en': {
      const problem = checkBroadcastText(lang, text, false);
      if (problem) return rejected('invalid_form', problem, again);
      return state.step === 'text_lv' ? next({ textLv: text.trim() }, 'text_en') : next({ textEn: text.trim() }, 'link');
    }
    case 'link': {
      const problem = checkBroadcastLink(lang, text);
      return problem ? rejected('invalid_link', problem, again) : next({ link: text.trim() }, 'when');
    }
    case 'when': {
      const checked = checkWhen(lang, text, ctx.now);
      return checked.ok ? finish({ ...state, at: checked.at }, ctx) : rejected('invalid_form', checked.message, again);
    }
    default:
      return rejected('choose_button', t(lang, 'error.choose_button'), again);
  }
}

function onAction(state: State, action: string, ctx: Context): Outcome {
  const stale = () => rejected('stale', t(ctx.lang, 'error.stale_button'), prompt(state, ctx));
  if (action === 'x') return { type: 'cancelled', replies: [say(t(ctx.lang, 'flow.cancelled'))] };
  const index = (prefix: string) => (action.startsWith(prefix) ? Number(action.slice(prefix.length)) : Number.NaN);
  switch (state.step) {
    case 'audience': {
      const group = GROUPS[index('a')];
      if (!group) return stale();
      const audience = groupAudience(group);
      if (audience) return go({ ...state, audience, step: 'text_lv' }, ctx);
      return go({ ...state, step: group as 'institutions' | 'commitments' | 'meeting' }, ctx);
    }
    case 'meeting': {
      const meeting = ctx.meetings[index('m')];
      return meeting ? go({ ...state, audience: { kind: 'meeting', meeting: meeting.key }, step: 'text_lv' }, ctx) : stale();
    }
    case 'text_en':
      return action === 'ne' ? go({ ...state, textEn: '', step: 'link' }, ctx) : stale();
    case 'link':
      return action === 'nl' ? go({ ...state, link: '', step: 'when' }, ctx) : stale();
    case 'when':
      return action === 'now' ? finish({ ...state, at: undefined }, ctx) : stale();
    default:
      return stale();
  }
}

/** The whole broadcast from the form: every field checked, every problem under its field. */
function onForm(values: Record<string, string>, ctx: Context): Outcome {
  const { lang } = ctx;
  const value = (id: string) => (values[id] ?? '').trim();
  const errors: Record<string, string> = {};
  const group = GROUPS.find((g) => g === value(FORM_FIELDS.audience));
  let audience: BroadcastAudience | null = group ? groupAudience(group) : null;
  if (!group) errors[FORM_FIELDS.audience] = t(lang, 'broadcast.error.audience', { value: value(FORM_FIELDS.audience) });
  else if (!audience) {
    const names = value(FORM_FIELDS.names);
    if (group === 'institutions') {
      const checked = checkInstitutions(lang, names, ctx.institutions);
      if (checked.ok) audience = { kind: 'institutions', institutions: checked.value };
      else errors[FORM_FIELDS.names] = checked.message;
    } else if (group === 'commitments') {
      const checked = checkCommitments(lang, names);
      if (checked.ok) audience = checked.value;
      else errors[FORM_FIELDS.names] = checked.message;
    } else if (ctx.meetings.some((m) => m.key === names)) audience = { kind: 'meeting', meeting: names };
    else errors[FORM_FIELDS.names] = t(lang, 'broadcast.error.meeting', { key: names });
  }
  const textProblem = checkBroadcastText(lang, value(FORM_FIELDS.textLv), false);
  if (textProblem) errors[FORM_FIELDS.textLv] = textProblem;
  const enProblem = checkBroadcastText(lang, value(FORM_FIELDS.textEn), true);
  if (enProblem) errors[FORM_FIELDS.textEn] = enProblem;
  const link = value(FORM_FIELDS.link);
  const linkProblem = link ? checkBroadcastLink(lang, link) : null;
  if (linkProblem) errors[FORM_FIELDS.link] = linkProblem;
  const when = value(FORM_FIELDS.when);
  const at = when ? checkWhen(lang, when, ctx.now) : null;
  if (at && !at.ok) errors[FORM_FIELDS.when] = at.message;
  if (Object.keys(errors).length > 0 || !audience) {
    return { type: 'rejected', reason: 'invalid_form', fieldErrors: errors, replies: [say(Object.values(errors).join('\n'))] };
  }
  return {
    type: 'done',
    effects: [{ type: 'create', audience, textLv: value(FORM_FIELDS.textLv), textEn: value(FORM_FIELDS.textEn), link, ...(at?.ok ? { at: at.at } : {}) }],
    replies: [],
    keepConversation: true,
  };
}

function step(state: State | null, event: ChatEvent, ctx: Context): Outcome {
  const { lang } = ctx;
  if (!ctx.coordinator) return rejected('stale', t(lang, 'access.not_coordinator'));
  if (event.type === 'cancel') return { type: 'cancelled', replies: [say(t(lang, 'flow.cancelled'))] };
  if (event.type === 'form') return onForm(event.values, ctx);
  if (event.type === 'choice' && event.id === START_BROADCAST) return go({ step: 'audience', nonce: ctx.newNonce() }, ctx, true);
  if (!state) return rejected('no_conversation', t(lang, 'error.stale_button'));
  if (event.type === 'text') return onText(state, event.text, ctx);
  if (event.type !== 'choice') return rejected('choose_button', t(lang, 'error.choose_button'), prompt(state, ctx));
  const match = /^bf:([^:]+):(.+)$/.exec(event.id);
  if (!match || match[1] !== state.nonce) return rejected('stale', t(lang, 'error.stale_button'), prompt(state, ctx));
  return onAction(state, match[2] ?? '', ctx);
}

const count = (n: number | undefined) => String(n ?? 0);

/** The preview: the exact message in each language, then who gets it and the buttons. */
export function previewReplies(b: BroadcastRecord, preview: Awaited<ReturnType<typeof previewBroadcast>>, lang: Language): Reply[] {
  if (!preview.ok) return [say(preview.message)];
  const p = preview.value;
  const when = b.scheduledAt ? t(lang, 'broadcast.preview.at', { date: formatDate(lang, b.scheduledAt, FORUM_TIME_ZONE, 'numeric'), time: formatTime(lang, b.scheduledAt, FORUM_TIME_ZONE) }) : t(lang, 'broadcast.preview.now');
  const lines = [
    t(lang, 'broadcast.preview.audience', { audience: describeBroadcastAudience(lang, b.audience as BroadcastAudience), people: p.people }),
    t(lang, 'broadcast.preview.channels', { telegram: count(p.perChannel.telegram), slack: count(p.perChannel.slack) }),
    ...(p.perChannel.console ? [t(lang, 'broadcast.preview.console', { count: p.perChannel.console })] : []),
    p.unreachable.length > 0 ? t(lang, 'broadcast.preview.unreachable', { count: p.unreachable.length, names: namesText(p.unreachable) }) : t(lang, 'broadcast.preview.all_reachable'),
    ...(p.muted > 0 ? [t(lang, 'broadcast.preview.muted', { count: p.muted })] : []),
    ...(p.quiet > 0 ? [t(lang, 'broadcast.preview.quiet', { count: p.quiet })] : []),
    when,
  ];
  const id = String(b._id);
  const exact = (l: Language) => {
    const message = broadcastMessage(b, l);
    const files = message.attachments?.map((a) => a.name).join(', ');
    return { ...message, text: `${t(lang, l === 'lv' ? 'broadcast.preview.lv' : 'broadcast.preview.en')}\n\n${message.text}${files ? `\n\n📎 ${files}` : ''}`, attachments: [] };
  };
  return [
    exact('lv'),
    ...(b.text.en ? [exact('en')] : []),
    { text: lines.join('\n'), choices: [choice(broadcastActionId('confirm', id), t(lang, 'broadcast.button.confirm')), choice(broadcastActionId('cancel', id), t(lang, 'button.cancel'))] },
  ];
}

async function apply(effects: Effect[], env: FlowEnv): Promise<EffectRefusal | EffectReplies | null> {
  const replies: Reply[] = [];
  for (const effect of effects) {
    const b = await createBroadcast(
      { text: { lv: effect.textLv, en: effect.textEn }, ...(effect.link ? { link: { url: effect.link } } : {}), audience: effect.audience },
      { actor: String(env.contact._id), name: env.contact.name },
      await currentPlanId(),
      effect.at ? new Date(effect.at) : undefined,
    );
    replies.push(...previewReplies(b, await previewBroadcast(b, env.now.toJSDate()), env.contact.language));
  }
  return { replies };
}

export function createBroadcastFlow(): FlowDefinition<State, Effect, Context> {
  return { name: BROADCAST_FLOW, state: stateSchema, load, step: (state, event, ctx) => step(state, event, ctx), apply };
}
