import type { App, ViewResponseAction } from '@slack/bolt';
import { handleInbound } from '../../domain/chat/router.js';
import { inboundKeys } from '../../domain/chat/inbound-keys.js';
import { t, tBoth } from '../../i18n/index.js';
import { guarded, inboundContext, inboundDeps, postReplies, type SlackDeps } from './context.js';
import { FORM_CALLBACK_ID, formErrors, readFormTarget, readFormValues } from './form-view.js';
import { dmChannel, findPerson } from './identity.js';
import { TEMPORARY_ERROR } from './texts.js';

/**
 * A submitted form (modal) goes through the router like every other inbound kind, as a `form`
 * event for the flow named on it. Slack shows `response_action: 'errors'` under the fields and
 * keeps the form open, so every refusal is answered that way and nothing is stored; an accepted
 * answer is stored by the flow before the form closes, and confirmed in the DM.
 * A replay of the same submission (or Slack's retry of it) has the same dedupe key
 * (inbound-keys.ts) and is acknowledged without acting again.
 */

const errors = (view: { blocks?: unknown }, fieldErrors: Record<string, string> | undefined, text: string): ViewResponseAction => ({
  response_action: 'errors',
  errors: formErrors(view, fieldErrors, text),
});

export function registerFormListeners(app: App, deps: SlackDeps): void {
  app.view(FORM_CALLBACK_ID, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    let address: string | undefined;
    let acked = false;
    const ackOnce = async (response?: ViewResponseAction) => {
      if (acked) return;
      acked = true;
      await ack(response);
    };

    await guarded(deps, 'view_submission', client, () => address, async () => {
      const person = await findPerson(user);
      if (!person) return ackOnce(errors(view, undefined, tBoth('access.unknown_person')));
      const target = readFormTarget(view.private_metadata);
      if (!target) return ackOnce(errors(view, undefined, t(person.language, 'error.stale_button')));

      address = await dmChannel(client, user, person.address);
      const values = view.state.values;
      const ctx = inboundContext(deps, user, address, inboundKeys.slackView(view.id, values));
      const event = { type: 'form' as const, flow: target.flow, context: target.context, values: readFormValues(values) };
      const result = await handleInbound(ctx, event, inboundDeps(deps));
      if (result.outcome === 'rejected' || result.outcome === 'unknown_person') {
        return ackOnce(errors(view, result.fieldErrors, result.replies[0]?.text ?? t(person.language, 'error.stale_button')));
      }
      await ackOnce();
      if (result.outcome === 'duplicate') return;
      await postReplies(deps, client, ctx, result.replies);
    });
    // Failed before answering Slack: keep the form open with the reason, rather than a spinner.
    await ackOnce(errors(view, undefined, TEMPORARY_ERROR));
  });
}
