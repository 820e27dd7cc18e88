import type { App } from '@slack/bolt';
import { handleInbound } from '../../domain/chat/router.js';
import { inboundKeys } from '../../domain/chat/inbound-keys.js';
import { myMeasures } from '../../domain/status/my-measures.js';
import { myMeetings } from '../../domain/meetings/my-meetings.js';
import { guarded, inboundContext, inboundDeps, postReplies, type SlackDeps } from './context.js';
import { SLASH_COMMAND, parseSlashCommand } from './commands.js';
import { formView } from './form-view.js';
import { homeView } from './home.js';
import { mySettings } from '../../domain/preferences/settings.js';
import { dmChannel, findPerson, knownOrLinked } from './identity.js';
import { ANSWER_IN_DM } from './texts.js';

/**
 * Direct messages, the slash command and the App Home. Each turns what the person did into one
 * router call and posts the replies in the person's DM with the app, where the conversation and
 * its buttons live.
 */

export function registerConversationListeners(app: App, deps: SlackDeps): void {
  app.event('message', async ({ event, body, client }) => {
    // Only what a person typed in their DM with us: no edits, joins, bots (we are one) or channels.
    if (event.channel_type !== 'im' || event.subtype !== undefined || 'bot_id' in event) return;
    const { user, channel } = event;
    const text = event.text ?? '';
    await guarded(deps, 'message', client, () => channel, async () => {
      await knownOrLinked(deps.linker, client, user, channel, deps.now());
      const ctx = inboundContext(deps, user, channel, inboundKeys.slackEvent(body.event_id));
      const result = await handleInbound(ctx, { type: 'text', text }, inboundDeps(deps));
      await postReplies(deps, client, ctx, result.replies);
    });
  });

  app.command(SLASH_COMMAND, async ({ command, ack, client }) => {
    const user = command.user_id;
    let address: string | undefined;
    let acked = false;
    const ackOnce = async (response?: { response_type: 'ephemeral'; text: string }) => {
      if (acked) return;
      acked = true;
      await ack(response);
    };
    await guarded(deps, 'command', client, () => address, async () => {
      const known = await findPerson(user);
      // The command may be typed in any channel; the answer always goes to the DM with the app.
      address = await dmChannel(client, user, known?.address);
      await ackOnce(address === command.channel_id ? undefined : { response_type: 'ephemeral', text: ANSWER_IN_DM });
      if (!known) await deps.linker.tryLink(client, user, address, deps.now());
      // The trigger id is unique per invocation: a replayed or retried command is handled once.
      const ctx = inboundContext(deps, user, address, inboundKeys.slackCommand(command.trigger_id));
      const result = await handleInbound(ctx, parseSlashCommand(command.text), inboundDeps(deps));
      // A reply that offers a form opens it as a modal, as a button press does (actions.ts).
      const form = result.replies.find((reply) => reply.form)?.form;
      await Promise.all([form ? client.views.open({ trigger_id: command.trigger_id, view: formView(form) }) : undefined, postReplies(deps, client, ctx, result.replies)]);
    });
    await ackOnce();
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await guarded(deps, 'app_home_opened', client, () => undefined, async () => {
      const person = await knownOrLinked(deps.linker, client, event.user, event.channel, deps.now());
      const [mine, meetings, settings] = person
        ? await Promise.all([myMeasures(person.contactId), myMeetings(person.contactId, deps.now()), mySettings(person.contactId)])
        : [null, null, null];
      await client.views.publish({ user_id: event.user, view: homeView(mine, meetings, settings) });
    });
  });
}
