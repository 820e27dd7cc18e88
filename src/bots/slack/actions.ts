import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { handleInbound } from '../../domain/chat/router.js';
import { inboundKeys } from '../../domain/chat/inbound-keys.js';
import type { Language } from '../../models/shared.js';
import { answeredMessage, isLinkAction } from './render.js';
import { guarded, inboundContext, inboundDeps, postReplies, type SlackDeps } from './context.js';
import { formView } from './form-view.js';
import { dmChannel, knownOrLinked } from './identity.js';

/**
 * Button presses. Slack wants an answer within 3 seconds, so the press is acknowledged first; then
 * the router handles it once (a replayed or retried press is a duplicate and changes nothing on
 * screen). After that, side by side: the pressed message loses its buttons (chat.update), the
 * replies go to the DM, and a reply that offers a form opens it as a modal (a reminder's "report"
 * button: the status form). The trigger id is good for 3 seconds, well above a router step.
 * Only the replies are handed to the outbox when Slack will not take them now (context.ts
 * postReplies): a form cannot wait for its trigger id, and the edit only shows what the router
 * enforces anyway (a used button is refused as stale).
 */

/** All jobs run to the end even if one fails; the first failure is then reported. */
async function allOf(jobs: (Promise<unknown> | undefined)[]): Promise<void> {
  const failed = (await Promise.allSettled(jobs)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export function registerActionListeners(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions' }, async ({ ack, body, action, client }) => {
    await ack();
    // A URL button opens its page in the person's browser; Slack tells us, and there is nothing to do.
    if (action.type !== 'button' || isLinkAction(action.action_id)) return;
    const id = action.value ?? action.action_id;
    const user = body.user.id;
    const message = body.container?.type === 'message' && body.channel && body.message ? { channel: body.channel.id, ts: body.message.ts } : null;
    let address = message?.channel;

    await guarded(deps, 'block_actions', client, () => address, async () => {
      const person = await knownOrLinked(deps.linker, client, user, message?.channel ?? user, deps.now());
      // A press in the App Home has no message; the answer goes to the DM all the same.
      const to = message?.channel ?? (await dmChannel(client, user, person?.address));
      address = to;
      const ctx = inboundContext(deps, user, to, inboundKeys.slackAction(user, action.action_ts));
      const result = await handleInbound(ctx, { type: 'choice', id }, inboundDeps(deps));
      if (result.outcome === 'duplicate') return;
      const lang: Language = person?.language ?? 'lv';
      const form = result.replies.find((reply) => reply.form)?.form;
      await allOf([
        form ? client.views.open({ trigger_id: body.trigger_id, view: formView(form) }) : undefined,
        message ? client.chat.update({ channel: message.channel, ts: message.ts, ...answeredMessage(body.message, action.text.text, lang) }) : undefined,
        postReplies(deps, client, ctx, result.replies),
      ]);
    });
  });
}
