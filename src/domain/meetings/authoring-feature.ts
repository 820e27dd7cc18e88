import { t } from '../../i18n/index.js';
import { refused, type ChatRegistry, type PersonContext } from '../chat/registry.js';
import type { InboundResult } from '../chat/router.js';
import { createAuthoringFlow, startEventId } from './authoring-flow.js';
import { AUTHORING_ACTION_PREFIX, AUTHORING_FLOW } from './authoring-replies.js';

/**
 * `/meeting new`, `/meeting edit <key>`, `/meeting cancel <key>` for coordinators: each starts the
 * authoring flow (authoring-flow.ts), whose buttons are `mn:…`.
 */

async function meetingCommand(ctx: PersonContext, args: string): Promise<InboundResult> {
  const [sub = '', key = '', ...rest] = args.trim().split(/\s+/);
  const mode = sub.toLowerCase();
  if (mode === 'new' && key === '') return ctx.runFlow(AUTHORING_FLOW, { type: 'choice', id: startEventId('new') });
  if ((mode === 'edit' || mode === 'cancel') && key !== '' && rest.length === 0) {
    return ctx.runFlow(AUTHORING_FLOW, { type: 'choice', id: startEventId(mode, key) });
  }
  return refused({ text: t(ctx.person.language, 'meeting_authoring.usage', { prefix: ctx.inbound.commandPrefix }), choices: [] });
}

export function registerAuthoringFeature(registry: ChatRegistry): void {
  registry
    .flow(createAuthoringFlow())
    .command({ name: 'meeting', roles: ['coordinator'], help: 'command.meeting', menu: true, handle: meetingCommand })
    .buttons({ prefix: AUTHORING_ACTION_PREFIX, handle: (ctx, id) => ctx.runFlow(AUTHORING_FLOW, { type: 'choice', id }) });
}
