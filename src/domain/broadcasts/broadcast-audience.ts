import { Types } from 'mongoose';
import { CONTACT_ROLES, MeasureModel, MeetingModel, type ContactRole, type Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import type { Audience } from '../audiences.js';
import { meetingAudience } from '../meetings/meeting-audience.js';

/**
 * Who a broadcast is for, as a coordinator names it (chat buttons, the Slack form, the CLI's
 * `--audience`), and how that becomes an Audience for audiences.ts. Stored on the Broadcast as
 * it was named, and resolved at fan-out: someone who links a chat after the preview still gets it.
 */

export type BroadcastAudience =
  | { kind: 'everyone' }
  | { kind: 'roles'; roles: ContactRole[] }
  | { kind: 'institutions'; institutions: string[] }
  | { kind: 'commitments'; commitments: number[] }
  | { kind: 'owners' }
  | { kind: 'meeting'; meeting: string };

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const list = (text: string) => text.split(/[\s,;]+/).map((item) => item.trim()).filter((item) => item.length > 0);

/**
 * The CLI's words: `everyone`, `owners`, `roles:coordinator,forum_member`, `institutions:VK,VARAM`,
 * `commitments:1,3`, `meeting:<key>`. Checked for form only; names are checked against the data by
 * {@link resolveBroadcastAudience}.
 */
export function parseBroadcastAudience(lang: Language, text: string): Checked<BroadcastAudience> {
  const [kind = '', rest = ''] = text.trim().split(/:(.*)/s);
  const fail = (): Checked<BroadcastAudience> => ({ ok: false, message: t(lang, 'broadcast.error.audience', { value: text }) });
  switch (kind) {
    case 'everyone':
    case 'owners':
      return rest ? fail() : { ok: true, value: { kind } };
    case 'roles': {
      const roles = list(rest);
      if (roles.length === 0 || !roles.every((r) => (CONTACT_ROLES as readonly string[]).includes(r))) return fail();
      return { ok: true, value: { kind, roles: [...new Set(roles)] as ContactRole[] } };
    }
    case 'institutions': {
      const institutions = list(rest);
      return institutions.length > 0 ? { ok: true, value: { kind, institutions } } : fail();
    }
    case 'commitments':
      return checkCommitments(lang, rest);
    case 'meeting':
      return rest.trim() ? { ok: true, value: { kind, meeting: rest.trim() } } : fail();
    default:
      return fail();
  }
}

export function checkCommitments(lang: Language, text: string): Checked<BroadcastAudience> {
  const numbers = list(text).map(Number);
  if (numbers.length === 0 || !numbers.every((n) => Number.isInteger(n) && n > 0)) {
    return { ok: false, message: t(lang, 'broadcast.error.commitments', { value: text }) };
  }
  return { ok: true, value: { kind: 'commitments', commitments: [...new Set(numbers)].sort((a, b) => a - b) } };
}

/** The stored audience (models/broadcast.ts) as the union type. */
export function storedAudience(stored: {
  kind: BroadcastAudience['kind'];
  roles?: ContactRole[] | null;
  institutions?: string[] | null;
  commitments?: number[] | null;
  meeting?: string | null;
}): BroadcastAudience {
  switch (stored.kind) {
    case 'roles':
      return { kind: 'roles', roles: stored.roles ?? [] };
    case 'institutions':
      return { kind: 'institutions', institutions: stored.institutions ?? [] };
    case 'commitments':
      return { kind: 'commitments', commitments: stored.commitments ?? [] };
    case 'meeting':
      return { kind: 'meeting', meeting: stored.meeting ?? '' };
    default:
      return { kind: stored.kind };
  }
}

/** The Audience to resolve; a meeting key or plan that does not exist is a message, not an empty audience. */
export async function resolveBroadcastAudience(lang: Language, audience: BroadcastAudience, planId: Types.ObjectId | undefined): Promise<Checked<Audience>> {
  switch (audience.kind) {
    case 'everyone':
      return { ok: true, value: {} };
    case 'roles':
      return { ok: true, value: { roles: audience.roles } };
    case 'institutions':
      return { ok: true, value: { institutions: audience.institutions } };
    case 'commitments':
      if (!planId) return { ok: false, message: t(lang, 'broadcast.error.no_plan') };
      return { ok: true, value: { commitments: { plan: planId, numbers: audience.commitments } } };
    case 'owners': {
      if (!planId) return { ok: false, message: t(lang, 'broadcast.error.no_plan') };
      const measures = await MeasureModel.find({ plan: planId, 'currentStatus.status': { $ne: 'cancelled' } }, { _id: 1 }).lean();
      return { ok: true, value: { measures: measures.map((m) => m._id) } };
    }
    case 'meeting': {
      const meeting = await MeetingModel.findOne({ key: audience.meeting }, { audience: 1, plan: 1 }).lean();
      if (!meeting) return { ok: false, message: t(lang, 'broadcast.error.meeting', { key: audience.meeting }) };
      return { ok: true, value: await meetingAudience(meeting) };
    }
  }
}

/** "forum members", "VK, VARAM", "commitments 1, 3", … for the preview and the report. */
export function describeBroadcastAudience(lang: Language, audience: BroadcastAudience): string {
  switch (audience.kind) {
    case 'everyone':
    case 'owners':
      return t(lang, `broadcast.audience.${audience.kind}`);
    case 'roles':
      return audience.roles.map((role) => t(lang, `broadcast.role.${role}`)).join(', ');
    case 'institutions':
      return audience.institutions.join(', ');
    case 'commitments':
      return t(lang, 'broadcast.audience.commitments', { numbers: audience.commitments.join(', ') });
    case 'meeting':
      return t(lang, 'broadcast.audience.meeting', { key: audience.meeting });
  }
}

export const isObjectId = (id: string) => Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id);
