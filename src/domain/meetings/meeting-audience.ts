import type { Types } from 'mongoose';
import { audienceMembers, type Audience } from '../audiences.js';
import type { Meeting } from '../../models/meeting.js';

/**
 * Who a meeting is for, as an Audience for audiences.ts. The meeting's lists mean something
 * different from an Audience's: on a meeting, `contacts` names people *on top of* the groups
 * (models/meeting.ts), while an Audience narrows by every list it is given. So when a meeting has
 * both groups and named people, the groups are resolved first and the result is one Audience of
 * contact ids: the union. Lists left empty on a meeting do not narrow, so a meeting with no lists
 * at all is for every active contact (the authoring side refuses that unless it was meant).
 */

type MeetingAudienceFields = Pick<Meeting, 'audience' | 'plan'>;

/** The groups (roles, institutions, commitments) as an Audience, or null when the meeting names none. */
function groups(meeting: MeetingAudienceFields): Audience | null {
  const { roles = [], institutions = [], commitments = [] } = meeting.audience ?? {};
  const audience: { -readonly [K in keyof Audience]: Audience[K] } = {};
  if (roles.length > 0) audience.roles = roles;
  if (institutions.length > 0) audience.institutions = institutions;
  // Commitment numbers mean nothing without the plan; a meeting without one cannot narrow by them.
  if (commitments.length > 0) audience.commitments = { plan: (meeting.plan ?? '') as Types.ObjectId | string, numbers: commitments };
  return Object.keys(audience).length > 0 ? audience : null;
}

/**
 * The meeting's audience: give it to resolveAudience (recipients per chat identity) or
 * audienceMembers (people). Groups and named people together cost one extra read of the groups.
 */
export async function meetingAudience(meeting: MeetingAudienceFields): Promise<Audience> {
  const named = (meeting.audience?.contacts ?? []).map(String);
  const group = groups(meeting);
  if (!group) return named.length > 0 ? { contacts: named } : {};
  if (named.length === 0) return group;
  const members = await audienceMembers(group);
  return { contacts: [...new Set([...members.map((m) => m.contactId), ...named])] };
}
