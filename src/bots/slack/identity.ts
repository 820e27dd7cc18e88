import type { webApi } from '@slack/bolt';
import { findLinkedPerson, linkSlackUserByVerifiedEmail } from '../../domain/chat/invitations.js';
import type { Language } from '../../models/shared.js';
import type { Logger } from '../../log.js';

/**
 * Who a Slack user is to us. A user we do not know yet is linked by the e-mail address Slack
 * knows (users.info), once in a while, so that contacts the coordinator imported can simply
 * start talking; everyone else gets the polite explanation from the router.
 */

type WebClient = webApi.WebClient;

export interface SlackPerson {
  contactId: string;
  language: Language;
  /** Where their messages go (a DM channel id once they have written to us). */
  address: string;
}

export function findPerson(userId: string): Promise<SlackPerson | null> {
  return findLinkedPerson('slack', userId);
}

/** A DM channel id ("D…"): where the conversation lives, whatever surface the person used. */
export async function dmChannel(client: WebClient, userId: string, known?: string): Promise<string> {
  if (known?.startsWith('D')) return known;
  const opened = await client.conversations.open({ users: userId });
  const id = opened.channel?.id;
  if (!id) throw new Error('conversations.open returned no channel');
  return id;
}

/** @slack/web-api's codes for a Slack that did not answer, as opposed to one that said no. */
const SLACK_OUTAGE_CODES = new Set(['slack_webapi_rate_limited_error', 'slack_webapi_http_error', 'slack_webapi_request_error']);

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
      email = info.user?.profile?.email;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      this.log?.warn({ code: (error as { data?: { error?: string } }).data?.error ?? code }, 'slack users.info failed');
      if (SLACK_OUTAGE_CODES.has(code)) {
        // Slack did not answer (rate limited, down, unreachable): that says nothing about the person.
        // Ask again at their next message, and let them hear "try again shortly", not "we do not know you".
        this.tried.delete(userId);
        throw error;
      }
      // Without the users:read.email scope Slack hides addresses; that is a setup problem, not theirs.
      return false;
    }
    if (!email) return false;
    const result = await linkSlackUserByVerifiedEmail({ userId, address, email, now });
    const linked = result === 'linked' || result === 'already_linked';
    if (linked) this.tried.delete(userId);
    else if (result) this.log?.info({ result }, 'slack e-mail link refused');
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
