import type { webApi } from '@slack/bolt';
import { ChannelIdentityModel, ContactModel, type Contact } from '../../models/index.js';
import { linkSlackByEmail } from '../../domain/chat/invitations.js';
import type { Types } from 'mongoose';
import type { Logger } from '../../log.js';

/**
 * Who a Slack user is to us. A user we do not know yet is linked by the e-mail address Slack
 * knows (users.info), once in a while, so that contacts the coordinator imported can simply
 * start talking; everyone else gets the polite explanation from the router.
 */

type WebClient = webApi.WebClient;
export type SlackContact = Contact & { _id: Types.ObjectId };

export interface SlackPerson {
  contact: SlackContact;
  /** Where their messages go (a DM channel id once they have written to us). */
  address: string;
}

export async function findPerson(userId: string): Promise<SlackPerson | null> {
  const identity = await ChannelIdentityModel.findOne({ channel: 'slack', externalId: userId, active: true }).lean();
  if (!identity) return null;
  const contact = await ContactModel.findOne({ _id: identity.contact, active: true }).lean();
  return contact ? { contact, address: identity.address } : null;
}

/** A DM channel id ("D…"): where the conversation lives, whatever surface the person used. */
export async function dmChannel(client: WebClient, userId: string, known?: string): Promise<string> {
  if (known?.startsWith('D')) return known;
  const opened = await client.conversations.open({ users: userId });
  const id = opened.channel?.id;
  if (!id) throw new Error('conversations.open returned no channel');
  return id;
}

/** How long to wait before asking Slack about the same stranger again. */
const RETRY_AFTER_MS = 60 * 60 * 1000;

export class EmailLinker {
  private readonly tried = new Map<string, number>();

  constructor(
    private readonly log?: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Links `userId` to the active contact with the e-mail address Slack has for them. True when
   * the user is linked afterwards. Asks Slack at most once an hour per user, so a stranger who
   * writes ten messages causes one lookup.
   */
  async tryLink(client: WebClient, userId: string, address: string, now = new Date()): Promise<boolean> {
    const last = this.tried.get(userId);
    if (last !== undefined && this.clock() - last < RETRY_AFTER_MS) return false;
    this.tried.set(userId, this.clock());

    let email: string | undefined;
    try {
      const info = await client.users.info({ user: userId });
      if (info.user?.is_bot || info.user?.deleted) return false;
      email = info.user?.profile?.email?.trim().toLowerCase();
    } catch (error) {
      // Without the users:read.email scope Slack hides addresses; that is a setup problem, not theirs.
      this.log?.warn({ code: (error as { data?: { error?: string } }).data?.error ?? (error as Error).message }, 'slack users.info failed');
      return false;
    }
    if (!email) return false;
    const contact = await ContactModel.findOne({ email, active: true });
    if (!contact) return false;

    // Slack has just told us this user owns the address, so the lookup answers from that.
    const lookup = async (wanted: string) => (wanted === email ? { userId, address } : null);
    const [outcome] = await linkSlackByEmail({ lookup, contacts: [contact], actor: `slack:${userId}`, now });
    const linked = outcome?.result === 'linked' || outcome?.result === 'already_linked';
    if (linked) this.tried.delete(userId);
    else this.log?.info({ result: outcome?.result }, 'slack e-mail link refused');
    return linked;
  }
}

/** A stranger gets one chance to be recognised by e-mail before the router explains access. */
export async function knownOrLinked(
  linker: EmailLinker,
  client: WebClient,
  userId: string,
  address: string,
  now: Date,
): Promise<SlackPerson | null> {
  const person = await findPerson(userId);
  if (person) return person;
  return (await linker.tryLink(client, userId, address, now)) ? findPerson(userId) : null;
}
