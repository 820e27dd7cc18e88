import { FORUM_TIME_ZONE } from '../../models/index.js';
import { formatDate, formatTime, t } from '../../i18n/index.js';
import { answered, refused, type ChatRegistry, type PersonContext } from '../chat/registry.js';
import type { InboundResult } from '../chat/router.js';
import { BROADCAST_ACTION_PREFIX, parseBroadcastAction } from './broadcast-actions.js';
import { BROADCAST_FLOW, BROADCAST_FLOW_PREFIX, createBroadcastFlow, START_BROADCAST } from './broadcast-flow.js';
import { cancelBroadcast, confirmBroadcast, reopenForRetry } from './broadcasts.js';

/**
 * `/broadcast` (coordinators): the compose flow (broadcast-flow.ts, buttons `bf:`), and the buttons
 * under its preview, progress message and report (`bc:`): confirm, cancel, retry the failed ones.
 * Any coordinator may press them; the audit log names who did.
 */

async function onBroadcastButton(ctx: PersonContext, id: string): Promise<InboundResult> {
  const lang = ctx.person.language;
  type Plain = 'access.not_coordinator' | 'error.stale_button' | 'broadcast.unknown' | 'broadcast.already_confirmed' | 'broadcast.already_finished' | 'broadcast.not_retryable' | 'broadcast.sending';
  const say = (key: Plain) => ({ text: t(lang, key), choices: [] });
  if (!ctx.person.roles.includes('coordinator')) return refused(say('access.not_coordinator'));
  const parsed = parseBroadcastAction(id);
  if (!parsed) return refused(say('error.stale_button'));
  const author = { actor: String(ctx.person.contactId), name: ctx.person.name };
  const jobs = ctx.deps.broadcasts;
  switch (parsed.action) {
    case 'confirm': {
      const notify = { contact: String(ctx.person.contactId), channel: ctx.inbound.channel, address: ctx.inbound.address };
      const result = await confirmBroadcast({ id: parsed.broadcastId, author, now: ctx.now, notify });
      if (!result.ok) return refused(say(result.reason === 'unknown' ? 'broadcast.unknown' : 'broadcast.already_confirmed'));
      const at = result.broadcast.scheduledAt ?? ctx.now;
      await jobs?.kick(parsed.broadcastId, at);
      if (at > ctx.now) {
        return answered({ text: t(lang, 'broadcast.scheduled', { date: formatDate(lang, at, FORUM_TIME_ZONE, 'numeric'), time: formatTime(lang, at, FORUM_TIME_ZONE) }), choices: [] });
      }
      return answered(say('broadcast.sending'));
    }
    case 'cancel': {
      const result = await cancelBroadcast({ id: parsed.broadcastId, author, now: ctx.now });
      if (!result.ok) return refused(say(result.reason === 'unknown' ? 'broadcast.unknown' : 'broadcast.already_finished'));
      return answered({ text: t(lang, 'broadcast.cancelled', { count: result.stopped ?? 0 }), choices: [] });
    }
    case 'retry': {
      const result = await reopenForRetry({ id: parsed.broadcastId, author, now: ctx.now });
      if (!result.ok) return refused(say(result.reason === 'unknown' ? 'broadcast.unknown' : 'broadcast.not_retryable'));
      const count = (await jobs?.retryFailed(parsed.broadcastId, result.broadcast.retries ?? 1)) ?? 0;
      return answered({ text: t(lang, 'broadcast.retrying', { count }), choices: [] });
    }
  }
}

export function registerBroadcastFeature(registry: ChatRegistry): void {
  registry
    .flow(createBroadcastFlow())
    .command({
      name: 'broadcast',
      aliases: ['apkartraksts'],
      roles: ['coordinator'],
      help: 'command.broadcast',
      menu: true,
      handle: (ctx) => ctx.runFlow(BROADCAST_FLOW, { type: 'choice', id: START_BROADCAST }),
    })
    .buttons({ prefix: BROADCAST_FLOW_PREFIX, handle: (ctx, id) => ctx.runFlow(BROADCAST_FLOW, { type: 'choice', id }) })
    .buttons({ prefix: BROADCAST_ACTION_PREFIX, handle: onBroadcastButton });
}
