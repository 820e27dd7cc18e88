import { ContactModel, FORUM_TIME_ZONE, MeetingModel, PlanModel, type ContactRole, type Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import type { EffectRefusal, FlowEnv } from '../chat/flow-runner.js';
import type { AgendaLine } from './authoring-answers.js';
import { cancelMeeting, saveMeeting } from './meetings.js';
import type { MeetingKind } from '../../models/meeting.js';

/**
 * The authoring flow's effects: the answers become a meeting file object for saveMeeting (the one
 * door every meeting goes through), or the meeting is cancelled. An edit keeps what the chat does
 * not ask about (English texts, capacity, plan, commitments, named people, linked materials), so
 * changing the place from a phone does not drop the rest.
 */

export interface CompleteDraft {
  kind: MeetingKind;
  title: string;
  start: string;
  end: string;
  place: string;
  onlineUrl: string;
  deadline: string;
  audience: { roles: ContactRole[]; institutions: string[] };
  agenda: AgendaLine[];
}

export type AuthoringEffect =
  | { type: 'save'; key: string; created: boolean; zone: string; draft: CompleteDraft }
  | { type: 'cancel'; key: string };

type FileObject = Record<string, unknown>;

/** The stored meeting as the file fields the chat does not ask about. */
async function storedFields(key: string): Promise<{ fields: FileObject; titleEn: string; agendaEn: Map<string, string> } | null> {
  const stored = await MeetingModel.findOne({ key }).lean();
  if (!stored) return null;
  const [plan, people, organizer] = await Promise.all([
    stored.plan ? PlanModel.findById(stored.plan, { key: 1 }).lean() : null,
    stored.audience?.contacts?.length ? ContactModel.find({ _id: { $in: stored.audience.contacts } }, { email: 1 }).lean() : [],
    stored.organizer ? ContactModel.findById(stored.organizer, { email: 1 }).lean() : null,
  ]);
  const fields: FileObject = {
    materials: (stored.materials ?? []).filter((m) => m.url).map((m) => ({ label: m.label, url: m.url })),
    audience: { commitments: [...(stored.audience?.commitments ?? [])], people: people.map((p) => p.email) },
  };
  if (plan) fields.plan = plan.key;
  if (stored.capacity != null) fields.capacity = stored.capacity;
  if (organizer) fields.organizer = organizer.email;
  return {
    fields,
    titleEn: stored.title.en ?? '',
    agendaEn: new Map((stored.agenda ?? []).map((item) => [item.title.lv, item.title.en ?? ''])),
  };
}

function fileObject(effect: Extract<AuthoringEffect, { type: 'save' }>, organizer: string, stored: Awaited<ReturnType<typeof storedFields>>): FileObject {
  const { draft } = effect;
  const base = stored?.fields ?? {};
  const audience = (base.audience ?? {}) as FileObject;
  const file: FileObject = {
    organizer,
    ...base,
    key: effect.key,
    kind: draft.kind,
    title: { lv: draft.title, en: stored?.titleEn ?? '' },
    timeZone: effect.zone,
    start: draft.start,
    end: draft.end,
    place: draft.place,
    // A reworded item loses its English title; an unchanged one keeps it.
    agenda: draft.agenda.map((item, i) => ({ number: i + 1, title: { lv: item.title, en: stored?.agendaEn.get(item.title) ?? '' }, presenter: item.presenter })),
    audience: { ...audience, roles: draft.audience.roles, institutions: draft.audience.institutions },
  };
  if (draft.onlineUrl) file.onlineUrl = draft.onlineUrl;
  if (draft.deadline) file.registrationDeadline = draft.deadline;
  return file;
}

const refusal = (lang: Language, problems: string[]): EffectRefusal => ({
  reason: 'invalid_form',
  text: t(lang, 'meeting_authoring.refused', { problems: problems.join('\n') }),
});

export async function applyAuthoring(effects: AuthoringEffect[], { contact, now }: FlowEnv): Promise<EffectRefusal | null> {
  const lang = contact.language;
  const actor = String(contact._id);
  for (const effect of effects) {
    if (effect.type === 'cancel') {
      const result = await cancelMeeting({ key: effect.key, actor, now: now.toJSDate() });
      if (!result.ok) return { reason: 'stale', text: result.error.message[lang] };
      continue;
    }
    const stored = effect.created ? null : await storedFields(effect.key);
    // A new meeting whose key was taken meanwhile would otherwise edit that other meeting.
    if (effect.created && (await MeetingModel.exists({ key: effect.key }))) {
      return { reason: 'conflict', text: t(lang, 'error.conflict') };
    }
    if (!effect.created && !stored) return { reason: 'stale', text: t(lang, 'meeting_authoring.unknown', { key: effect.key }) };
    const result = await saveMeeting(fileObject(effect, contact.email, stored), { actor, now: now.toJSDate(), defaultTimeZone: FORUM_TIME_ZONE });
    if (!result.ok) return refusal(lang, result.problems.map((p) => `${p.field}: ${p.message}`));
  }
  return null;
}
