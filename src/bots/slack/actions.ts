import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { handleInbound } from '../../domain/chat/router.js';
import { parseReminderAction } from '../../domain/reminders/reminder-actions.js';
import { loadOwnedMeasures, toFlowMeasures } from '../../domain/status/reportable-measures.js';
import { REPORTABLE_STATUSES } from '../../domain/status/status-flow.js';
import { StatusReportModel, type Language } from '../../models/index.js';
import { answeredMessage } from './blocks.js';
import { guarded, inboundContext, postReplies, type SlackDeps, type WebClient } from './context.js';
import { dmChannel, knownOrLinked, type SlackPerson } from './identity.js';
import { statusModal, type ModalInitial } from './status-modal.js';

/**
 * Button presses. Slack wants an answer within 3 seconds, so the press is acknowledged first;
 * then, side by side: the pressed message loses its buttons (chat.update), the router answers
 * in the DM, and a reminder's "report" button also opens the status form as a modal (its
 * trigger id is only good for 3 seconds, which is why this does not wait for the router).
 */

/** The answer already stored for this round, so a correction starts from it. */
async function currentAnswer(roundId: string, measureId: string): Promise<ModalInitial> {
  const report = await StatusReportModel.findOne({ round: roundId, measure: measureId }, { status: 1, note: 1, links: 1 }).lean();
  if (!report) return {};
  const status = REPORTABLE_STATUSES.find((s) => s === report.status);
  return { status, note: report.note, links: [...report.links] };
}

/**
 * Opens the form only for a measure the person may report on now, in the round the button was
 * made for; anything else is left to the router, which explains the refusal in the DM.
 */
async function offerStatusForm(client: WebClient, deps: SlackDeps, person: SlackPerson, id: string, triggerId: string): Promise<void> {
  const action = parseReminderAction(id);
  if (action?.kind !== 'report') return;
  const lang = person.contact.language as Language;
  const open = toFlowMeasures(await loadOwnedMeasures(person.contact), lang);
  const measure = open.find((m) => m.id === action.measureId && m.roundId === action.roundId);
  if (!measure) return;
  const initial = measure.reported ? await currentAnswer(action.roundId, action.measureId) : {};
  await client.views.open({ trigger_id: triggerId, view: statusModal(lang, { ...measure, roundId: action.roundId }, deps.limits, initial) });
}

/** All three jobs run to the end even if one fails; the first failure is then reported. */
async function allOf(jobs: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(jobs)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export function registerActionListeners(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions' }, async ({ ack, body, action, client }) => {
    await ack();
    if (action.type !== 'button') return;
    const id = action.value ?? action.action_id;
    const user = body.user.id;
    const message = body.container?.type === 'message' && body.channel && body.message ? { channel: body.channel.id, ts: body.message.ts } : null;
    let address = message?.channel;

    await guarded(deps, 'block_actions', client, () => address, async () => {
      const person = await knownOrLinked(deps.linker, client, user, message?.channel ?? user, deps.now());
      // A press in the App Home has no message; the answer goes to the DM all the same.
      const to = message?.channel ?? (await dmChannel(client, user, person?.address));
      address = to;
      const lang = (person?.contact.language ?? 'lv') as Language;
      const ctx = inboundContext(deps, user, to, `slack:action:${user}:${action.action_ts}`);
      await allOf([
        person ? offerStatusForm(client, deps, person, id, body.trigger_id) : Promise.resolve(),
        message ? client.chat.update({ channel: message.channel, ts: message.ts, ...answeredMessage(body.message, action.text.text, lang) }) : Promise.resolve(),
        handleInbound(ctx, { type: 'choice', id }, { produce: deps.produce }).then((result) => postReplies(client, to, result.replies)),
      ]);
    });
  });
}
