import type { App, ViewResponseAction } from '@slack/bolt';
import { DateTime } from 'luxon';
import { handleStatusEvent } from '../../domain/status/status-conversation.js';
import { STATUS_FLOW } from '../../domain/status/status-flow.js';
import { saveStatusReport } from '../../domain/status/status-report-writer.js';
import { statusLabel, t, tBoth } from '../../i18n/index.js';
import { ConversationStateModel, MeasureModel, type Language } from '../../models/index.js';
import { guarded, postReplies, type SlackDeps } from './context.js';
import { dmChannel, findPerson, type SlackPerson } from './identity.js';
import { BLOCK, STATUS_MODAL_ID, readModalTarget, readStatusAnswer, saveEffect, type ViewValues } from './status-modal.js';
import { TEMPORARY_ERROR } from './texts.js';

/**
 * The status form's submission. Slack shows `response_action: 'errors'` under the fields and keeps
 * the form open, so every refusal (bad input, a closed round, not their measure) is answered that
 * way and nothing is stored; an accepted answer is stored by the conversation's own save path
 * before the form closes, and confirmed in the DM.
 */

const fieldError = (block: string, text: string): ViewResponseAction => ({ response_action: 'errors', errors: { [block]: text } });

/**
 * A DM conversation about the same measure (started by the same button) is now answered: end it,
 * so the next thing the person types is not taken for that conversation's note.
 */
async function endConversationAbout(person: SlackPerson, measureId: string, now: Date): Promise<void> {
  const state = await ConversationStateModel.findOne({ contact: person.contact._id, channel: 'slack', flow: STATUS_FLOW }, { data: 1 }).lean();
  const draft = (state?.data as { draft?: { measureId?: unknown } } | undefined)?.draft;
  if (draft?.measureId !== measureId) return;
  await handleStatusEvent({ contactId: person.contact._id, channel: 'slack', event: { type: 'cancel' }, now: DateTime.fromJSDate(now) });
}

export function registerModalListeners(app: App, deps: SlackDeps): void {
  app.view(STATUS_MODAL_ID, async ({ ack, body, view, client }) => {
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
      if (!person) return ackOnce(fieldError(BLOCK.status, tBoth('access.unknown_person')));
      const lang = person.contact.language as Language;
      const target = readModalTarget(view.private_metadata);
      if (!target) return ackOnce(fieldError(BLOCK.status, t(lang, 'error.stale_button')));
      const answer = readStatusAnswer(view.state.values as ViewValues, lang, deps.limits);
      if (!answer.ok) return ackOnce({ response_action: 'errors', errors: answer.errors });

      const now = deps.now();
      const saved = await saveStatusReport(saveEffect(target, answer), person.contact, 'slack', DateTime.fromJSDate(now));
      if (!saved.ok) {
        return ackOnce(fieldError(BLOCK.status, t(lang, saved.reason === 'round_closed' ? 'round.closed' : 'error.not_your_measure')));
      }
      await ackOnce();

      await endConversationAbout(person, target.measureId, now);
      address = await dmChannel(client, user, person.address);
      const measure = await MeasureModel.findById(target.measureId, { code: 1 }).lean();
      const text = t(lang, 'flow.saved', { code: measure?.code ?? '', status: statusLabel(lang, answer.status) });
      await postReplies(client, address, [{ text, choices: [] }]);
    });
    // Failed before answering Slack: keep the form open with the reason, rather than a spinner.
    await ackOnce(fieldError(BLOCK.status, TEMPORARY_ERROR));
  });
}
