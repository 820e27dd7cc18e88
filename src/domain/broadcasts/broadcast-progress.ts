import { BroadcastModel, DeliveryModel, ContactModel, type Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { broadcastPrefix, broadcastProgressKey, broadcastReportKey, keyPrefixPattern } from '../delivery-keys.js';
import { choice } from '../chat/message.js';
import type { OutboundMessage } from '../outbound-message.js';
import { broadcastCounts, cancelPending, loadBroadcast, type BroadcastRecord } from './broadcasts.js';
import { broadcastActionId } from './broadcast-actions.js';

/**
 * What the author sees while a broadcast goes out: one message ("Nosūtīts 1 234 no 10 000 ·
 * 3 nesasniedzami") edited at most once per PROGRESS_WINDOW_MS, then a report with the
 * unreachable and failed by name and a button to retry the failed ones. Run by the broadcast
 * worker every window until nothing is pending; every message goes through the outbox under its
 * own key, so two monitors at once edit once per window.
 */

export const PROGRESS_WINDOW_MS = 3_000;
const MAX_NAMES = 30;

type Produce = (messages: OutboundMessage[]) => Promise<unknown>;

const number = (lang: Language, n: number) => new Intl.NumberFormat(lang === 'lv' ? 'lv-LV' : 'en-GB').format(n);

function authorLanguage(b: BroadcastRecord): Promise<Language> {
  const contact = b.notify?.contact;
  return contact ? ContactModel.findById(contact, { language: 1 }).lean().then((c) => c?.language ?? 'lv') : Promise.resolve('lv');
}

export function progressText(lang: Language, counts: { sent: number; total: number; unreachable: number }): string {
  return t(lang, 'broadcast.progress', { sent: number(lang, counts.sent), total: number(lang, counts.total), unreachable: number(lang, counts.unreachable) });
}

function names(list: string[], total: number): string {
  const more = total - Math.min(list.length, MAX_NAMES);
  return list.slice(0, MAX_NAMES).join(', ') + (more > 0 ? ` +${more}` : '');
}

async function failedNames(b: BroadcastRecord): Promise<string[]> {
  const failed = await DeliveryModel.find({ key: { $regex: keyPrefixPattern(broadcastPrefix(String(b._id))) }, state: { $in: ['failed', 'undeliverable'] } }, { contact: 1 })
    .limit(MAX_NAMES)
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
      text: progressText(lang, { sent: 0, total: b.recipients ?? 0, unreachable: b.unreachableCount ?? 0 }),
      choices: [choice(broadcastActionId('cancel', String(b._id)), t(lang, 'broadcast.button.cancel'))],
    },
  ]);
}

export interface ProgressResult {
  /** Nothing is pending (or it was cancelled): the report is out and the monitor stops. */
  done: boolean;
  sent: number;
  total: number;
}

/** One look at a broadcast in progress: an edit of the progress message, or the report at the end. */
export async function followBroadcast(id: string, now: Date, produce: Produce): Promise<ProgressResult> {
  const b = await loadBroadcast(id);
  if (!b || b.state === 'draft' || b.state === 'scheduled') return { done: b?.state !== 'scheduled', sent: 0, total: 0 };
  const lang = await authorLanguage(b);
  // A slice written while the cancel went through may have left pending ones: stop those too.
  if (b.state === 'cancelled') await cancelPending(b._id);
  const counts = await broadcastCounts(b._id, now);
  const sent = counts.sent ?? 0;
  const failed = (counts.failed ?? 0) + (counts.undeliverable ?? 0);
  const total = Object.entries(counts).reduce((sum, [state, n]) => (state === 'deferred' ? sum : sum + n), 0);
  const waiting = (counts.pending ?? 0) - counts.deferred;
  const finished = b.state === 'cancelled' || (b.fannedOutAt !== undefined && b.fannedOutAt !== null && waiting <= 0);
  const progressKey = broadcastProgressKey({ broadcastId: id, window: 0 });
  const started = (b.startedAt ?? now).getTime();
  const window = Math.max(1, Math.floor((now.getTime() - started) / PROGRESS_WINDOW_MS) + 1);

  if (!finished) {
    if (!b.notify) return { done: false, sent, total };
    await produce([
      {
        key: broadcastProgressKey({ broadcastId: id, window }),
        purpose: 'broadcast.progress',
        priority: 'notice',
        contact: b.notify.contact,
        channel: b.notify.channel,
        address: b.notify.address,
        text: progressText(lang, { sent, total: Math.max(total, b.recipients ?? 0), unreachable: (b.unreachableCount ?? 0) + (counts.undeliverable ?? 0) }),
        choices: [choice(broadcastActionId('cancel', id), t(lang, 'broadcast.button.cancel'))],
        edit: { deliveryKey: progressKey },
      },
    ]);
    return { done: false, sent, total };
  }

  if (b.state === 'sending') await BroadcastModel.updateOne({ _id: b._id, state: 'sending' }, { $set: { state: 'sent', finishedAt: now } });
  if (b.notify) {
    const failedList = failed > 0 ? await failedNames(b) : [];
    const lines = [
      t(lang, b.state === 'cancelled' ? 'broadcast.report.cancelled' : 'broadcast.report.done', { sent: number(lang, sent), total: number(lang, total) }),
    ];
    if ((b.unreachableCount ?? 0) > 0) lines.push(t(lang, 'broadcast.report.unreachable', { count: b.unreachableCount ?? 0, names: names(b.unreachable ?? [], b.unreachableCount ?? 0) }));
    if (failed > 0) lines.push(t(lang, 'broadcast.report.failed', { count: failed, names: names(failedList, failed) }));
    if ((counts.skipped ?? 0) > 0) lines.push(t(lang, 'broadcast.report.muted', { count: counts.skipped ?? 0 }));
    if (counts.deferred > 0) lines.push(t(lang, 'broadcast.report.deferred', { count: counts.deferred }));
    if ((counts.cancelled ?? 0) > 0) lines.push(t(lang, 'broadcast.report.stopped', { count: counts.cancelled ?? 0 }));
    const retry = (counts.failed ?? 0) > 0 && b.state !== 'cancelled' ? [choice(broadcastActionId('retry', id), t(lang, 'broadcast.button.retry'))] : [];
    const message = { contact: b.notify.contact, channel: b.notify.channel, address: b.notify.address, priority: 'notice' as const, purpose: 'broadcast.progress' };
    await produce([
      // The live message shows the final count, and the report comes as a new message so that it is noticed.
      { ...message, key: broadcastProgressKey({ broadcastId: id, window }), text: progressText(lang, { sent, total, unreachable: (b.unreachableCount ?? 0) + (counts.undeliverable ?? 0) }), choices: [], edit: { deliveryKey: progressKey } },
      { ...message, purpose: 'broadcast.report', key: broadcastReportKey({ broadcastId: id, retry: b.retries ?? 0 }), text: lines.join('\n'), choices: retry },
    ]);
  }
  return { done: true, sent, total };
}
