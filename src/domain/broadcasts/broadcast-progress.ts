import { BroadcastModel, DeliveryModel, ContactModel, type Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { broadcastPrefix, broadcastProgressKey, broadcastReportKey, keyPrefixPattern } from '../delivery-keys.js';
import { choice } from '../chat/message.js';
import type { OutboundMessage } from '../outbound-message.js';
import { broadcastCounts, loadBroadcast, namesText, type BroadcastRecord } from './broadcasts.js';
import { broadcastActionId } from './broadcast-actions.js';

/**
 * What the author sees while a broadcast goes out: one message ("Nosūtīts 1 234 no 10 000 ·
 * 3 nesasniedzami") edited at most once per PROGRESS_WINDOW_MS, then a report with the
 * unreachable and failed by name and a button to retry the failed ones. Run by the broadcast
 * worker every window until nothing is pending; every message goes through the outbox under its
 * own key, so two monitors at once edit once per window.
 */

export const PROGRESS_WINDOW_MS = 4_000;

type Produce = (messages: OutboundMessage[]) => Promise<unknown>;

const number = (lang: Language, n: number) => new Intl.NumberFormat(lang === 'lv' ? 'lv-LV' : 'en-GB').format(n);

function authorLanguage(b: BroadcastRecord): Promise<Language> {
  const contact = b.notify?.contact;
  return contact ? ContactModel.findById(contact, { language: 1 }).lean().then((c) => c?.language ?? 'lv') : Promise.resolve('lv');
}

export function progressText(lang: Language, counts: { sent: number; total: number; unreachable: number }): string {
  return t(lang, 'broadcast.progress', { sent: number(lang, counts.sent), total: number(lang, counts.total), unreachable: number(lang, counts.unreachable) });
}

async function failedNames(b: BroadcastRecord): Promise<string[]> {
  const failed = await DeliveryModel.find({ key: { $regex: keyPrefixPattern(broadcastPrefix(String(b._id))) }, state: { $in: ['failed', 'undeliverable'] } }, { contact: 1 })
    .limit(100)
    .lean();
  const contacts = await ContactModel.find({ _id: { $in: failed.map((d) => d.contact) } }, { name: 1 }).lean();
  return contacts.map((c) => c.name).sort();
}

/** The first progress message, sent when the fan-out starts (ahead of the broadcast: a notice). */
export async function startProgress(b: BroadcastRecord, produce: Produce): Promise<void> {
  if (!b.notify) return;
  const lang = await authorLanguage(b);
  await produce([
    {
      key: broadcastProgressKey({ broadcastId: String(b._id), window: 0 }),
      purpose: 'broadcast.progress',
      priority: 'notice',
      contact: b.notify.contact,
      channel: b.notify.channel,
      address: b.notify.address,
      text: progressText(lang, { sent: 0, total: b.copies ?? 0, unreachable: b.unreachableCount ?? 0 }),
      choices: [choice(broadcastActionId('cancel', String(b._id)), t(lang, 'broadcast.button.cancel'))],
    },
  ]);
}

export interface ProgressResult {
  /** Nothing is pending (or it was cancelled): the report is out and the monitor stops. */
  done: boolean;
  sent: number;
  total: number;
  /** When to look again: the next window, or later while only quiet-hours copies wait. */
  nextInMs: number;
}

/** While only copies held for quiet hours wait, looking every few seconds would tell nothing new. */
const DEFERRED_CHECK_MS = 60_000;

/** The window of `at` since sending started: window 0 is the first message, its edits are 1, 2, … */
export function progressWindow(startedAt: Date | null | undefined, at: Date): number {
  return Math.max(1, Math.floor((at.getTime() - (startedAt ?? at).getTime()) / PROGRESS_WINDOW_MS) + 1);
}

/** One look at a broadcast in progress: an edit of the progress message when the counts moved, or the report at the end. */
export async function followBroadcast(
  id: string,
  now: Date,
  produce: Produce,
  /** Takes a cancelled broadcast's queued deliveries out of the queue and marks them (jobs/outbox.ts). */
  stopQueued?: (broadcastId: string) => Promise<unknown>,
): Promise<ProgressResult> {
  const b = await loadBroadcast(id);
  if (!b || b.state === 'draft' || b.state === 'scheduled') return { done: b?.state !== 'scheduled', sent: 0, total: 0, nextInMs: PROGRESS_WINDOW_MS };
  const lang = await authorLanguage(b);
  if (b.state === 'cancelled') await stopQueued?.(id);
  const counts = await broadcastCounts(b._id, now);
  const sent = counts.sent ?? 0;
  const failed = (counts.failed ?? 0) + (counts.undeliverable ?? 0);
  // Copies to go out: the muted are recorded as skipped, not counted (as in the preview).
  const written = Object.entries(counts).reduce((sum, [state, n]) => (state === 'deferred' || state === 'skipped' ? sum : sum + n), 0);
  const total = Math.max(written, b.copies ?? 0);
  const pending = counts.pending ?? 0;
  // Copies held for quiet hours keep it `sending` (and so cancellable) until they have gone out.
  // Cancelled, it ends once nothing is pending: the sends in flight have been marked sent, the rest cancelled.
  const finished = (b.state === 'cancelled' || Boolean(b.fannedOutAt)) && pending === 0;
  const progressKey = broadcastProgressKey({ broadcastId: id, window: 0 });
  const window = progressWindow(b.startedAt, now);
  const unreachable = (b.unreachableCount ?? 0) + (counts.undeliverable ?? 0);
  const text = progressText(lang, { sent, total, unreachable }) + (counts.deferred > 0 ? `\n${t(lang, 'broadcast.report.deferred', { count: counts.deferred })}` : '');
  const target = b.notify ? { contact: b.notify.contact, channel: b.notify.channel, address: b.notify.address, priority: 'notice' as const, purpose: 'broadcast.progress' } : null;
  // An edit that changes nothing is refused by Telegram ("message is not modified") and tells nobody anything.
  const edit = (choices: ReturnType<typeof choice>[]): OutboundMessage[] =>
    target && text !== b.progressShown ? [{ ...target, key: broadcastProgressKey({ broadcastId: id, window }), text, choices, edit: { deliveryKey: progressKey } }] : [];

  if (!finished) {
    const edits = edit([choice(broadcastActionId('cancel', id), t(lang, 'broadcast.button.cancel'))]);
    if (edits.length > 0) {
      await produce(edits);
      await BroadcastModel.updateOne({ _id: b._id }, { $set: { progressShown: text } });
    }
    const onlyDeferred = Boolean(b.fannedOutAt) && pending === counts.deferred;
    return { done: false, sent, total, nextInMs: onlyDeferred ? DEFERRED_CHECK_MS : PROGRESS_WINDOW_MS };
  }

  if (b.state === 'sending') await BroadcastModel.updateOne({ _id: b._id, state: 'sending' }, { $set: { state: 'sent', finishedAt: now } });
  if (target) {
    const failedList = failed > 0 ? await failedNames(b) : [];
    const lines = [
      t(lang, b.state === 'cancelled' ? 'broadcast.report.cancelled' : 'broadcast.report.done', { sent: number(lang, sent), total: number(lang, total) }),
    ];
    if (b.problem?.lv) lines.push(t(lang, 'broadcast.report.problem', { problem: (lang === 'en' && b.problem.en) || b.problem.lv }));
    if ((b.unreachableCount ?? 0) > 0) lines.push(t(lang, 'broadcast.report.unreachable', { count: b.unreachableCount ?? 0, names: namesText(b.unreachable ?? [], b.unreachableCount ?? 0) }));
    if (failed > 0) lines.push(t(lang, 'broadcast.report.failed', { count: failed, names: namesText(failedList, failed) }));
    if ((counts.skipped ?? 0) > 0) lines.push(t(lang, 'broadcast.report.muted', { count: counts.skipped ?? 0 }));
    if ((counts.cancelled ?? 0) > 0) lines.push(t(lang, 'broadcast.report.stopped', { count: counts.cancelled ?? 0 }));
    const retry = (counts.failed ?? 0) > 0 && b.state !== 'cancelled' ? [choice(broadcastActionId('retry', id), t(lang, 'broadcast.button.retry'))] : [];
    await produce([
      // The live message shows the final count without its Stop button; the report comes as a new message so that it is noticed.
      ...edit([]),
      { ...target, purpose: 'broadcast.report', key: broadcastReportKey({ broadcastId: id, retry: b.retries ?? 0 }), text: lines.join('\n'), choices: retry },
    ]);
  }
  return { done: true, sent, total, nextInMs: 0 };
}
