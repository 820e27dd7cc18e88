import { Types } from 'mongoose';
import { AuditEntryModel, BroadcastModel, DeliveryModel, type Broadcast, type Channel, type Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { audienceMembers, type AudienceMember } from '../audiences.js';
import { broadcastKey, broadcastPrefix, keyPrefixPattern } from '../delivery-keys.js';
import type { Attachment, LinkButton, Message } from '../chat/message.js';
import type { OutboundMessage } from '../outbound-message.js';
import { holdFor } from '../preferences/preference-gate.js';
import { resolveBroadcastAudience, storedAudience, type BroadcastAudience, type Checked } from './broadcast-audience.js';

/**
 * A coordinator's announcement to many: composed (chat flow, Slack form, CLI) as a draft, shown
 * as a preview, confirmed for now or later, fanned out into one delivery per person and channel
 * under `broadcast:<id>:<person>:<channel>`, and followed by a progress message and a report
 * (broadcast-progress.ts). Every confirm, cancel and retry is in the audit log with its author.
 */

export type BroadcastRecord = Broadcast & { _id: Types.ObjectId };

/** Longer than a screenful is not an announcement; the renderers split long texts anyway. */
export const MAX_BROADCAST_TEXT = 3_500;
/** Slack's limit on a button's URL, the smaller of the platforms'. */
export const MAX_LINK_URL = 3_000;
/** Names shown in a preview or a report line; the rest are counted. */
const NAMES_SHOWN = 30;

/** "Anna, Juris +12": the first names of a list of `total`. */
export function namesText(list: readonly string[], total = list.length): string {
  const more = total - Math.min(list.length, NAMES_SHOWN);
  return list.slice(0, NAMES_SHOWN).join(', ') + (more > 0 ? ` +${more}` : '');
}

/** Names kept for the report; the count is kept whatever the size. */
const MAX_UNREACHABLE_NAMES = 200;
/** Deliveries written per step of the fan-out, the broadcast's state read again between them. */
const FAN_OUT_SLICE = 1_000;

export interface BroadcastDraft {
  text: { lv: string; en?: string };
  link?: { url: string };
  attachment?: Attachment;
  audience: BroadcastAudience;
}

export interface BroadcastAuthor {
  /** Audit actor: a contact id, or `cli`. */
  actor: string;
  name: string;
}

/** Every problem of a draft, in the author's language; empty when it may be saved. */
export function checkBroadcastText(lang: Language, text: string, optional: boolean): string | null {
  const trimmed = text.trim();
  if (!trimmed) return optional ? null : t(lang, 'broadcast.error.text_empty');
  if (trimmed.length > MAX_BROADCAST_TEXT) return t(lang, 'broadcast.error.text_long', { max: MAX_BROADCAST_TEXT, length: trimmed.length });
  return null;
}

export function checkBroadcastLink(lang: Language, url: string): string | null {
  const trimmed = url.trim();
  let parsed: URL | null = null;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = null;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || trimmed.length > MAX_LINK_URL) return t(lang, 'broadcast.error.link', { value: trimmed });
  return null;
}

/** The message one person gets, in their language (Latvian when there is no English). */
export function broadcastMessage(b: Pick<BroadcastRecord, 'text' | 'link' | 'attachment'>, lang: Language): Message {
  const text = (lang === 'en' && b.text.en) || b.text.lv;
  const links: LinkButton[] = b.link ? [{ label: (lang === 'en' && b.link.label?.en) || b.link.label?.lv || t(lang, 'broadcast.link_default'), url: b.link.url }] : [];
  const attachments: Attachment[] = b.attachment ? [{ name: b.attachment.name, mediaType: b.attachment.mediaType, source: { kind: 'stored', fileId: b.attachment.fileId } }] : [];
  return { text, choices: [], ...(links.length > 0 ? { links } : {}), ...(attachments.length > 0 ? { attachments } : {}) };
}

/** A draft, to be previewed; `at` is the time asked for (none: as soon as it is confirmed). */
export async function createBroadcast(draft: BroadcastDraft, author: BroadcastAuthor, planId?: Types.ObjectId, at?: Date): Promise<BroadcastRecord> {
  const doc = await BroadcastModel.create({
    text: { lv: draft.text.lv.trim(), en: draft.text.en?.trim() ?? '' },
    ...(draft.link ? { link: { url: draft.link.url.trim() } } : {}),
    ...(draft.attachment ? { attachment: { name: draft.attachment.name, mediaType: draft.attachment.mediaType, fileId: draft.attachment.source.fileId } } : {}),
    audience: draft.audience,
    ...(planId ? { plan: planId } : {}),
    state: 'draft',
    ...(at ? { scheduledAt: at } : {}),
    author: author.actor,
    authorName: author.name,
  });
  return doc.toObject() as BroadcastRecord;
}

export async function loadBroadcast(id: string): Promise<BroadcastRecord | null> {
  if (!Types.ObjectId.isValid(id)) return null;
  return BroadcastModel.findById(id).lean<BroadcastRecord>();
}

async function members(b: BroadcastRecord): Promise<Checked<AudienceMember[]>> {
  const audience = await resolveBroadcastAudience('lv', storedAudience(b.audience), b.plan ?? undefined);
  if (!audience.ok) return audience;
  return { ok: true, value: await audienceMembers(audience.value) };
}

export interface BroadcastPreview {
  /** Copies that will go out per channel (one per person, or one per chat for someone who chose none); the muted are not counted. */
  perChannel: Partial<Record<Channel, number>>;
  people: number;
  unreachable: string[];
  muted: number;
  /** In their quiet hours now: it reaches them when those end. */
  quiet: number;
}

export async function previewBroadcast(b: BroadcastRecord, now: Date): Promise<Checked<BroadcastPreview>> {
  const found = await members(b);
  if (!found.ok) return found;
  const preview: BroadcastPreview = { perChannel: {}, people: found.value.length, unreachable: [], muted: 0, quiet: 0 };
  for (const m of found.value) {
    if (m.identities.length === 0) {
      preview.unreachable.push(m.name);
      continue;
    }
    const held = holdFor('broadcast', m.preferences, m.timeZone, now);
    if (held?.reason === 'muted_broadcasts') {
      preview.muted++;
      continue;
    }
    if (held) preview.quiet++;
    for (const identity of m.identities) preview.perChannel[identity.channel] = (preview.perChannel[identity.channel] ?? 0) + 1;
  }
  return { ok: true, value: preview };
}

async function audit(action: string, actor: string, b: Pick<BroadcastRecord, '_id'>, details: Record<string, unknown>, at: Date) {
  await AuditEntryModel.create({ at, actor, action, subject: `broadcast:${String(b._id)}`, details });
}

export type BroadcastChange = { ok: true; broadcast: BroadcastRecord } | { ok: false; reason: 'unknown' | 'not_draft' | 'finished' };

/**
 * Confirmed by a coordinator: due at the time the draft asked for, or now. The chat it was
 * confirmed in gets the progress message.
 */
export async function confirmBroadcast(input: {
  id: string;
  author: BroadcastAuthor;
  now: Date;
  notify?: { contact: string; channel: Channel; address: string };
}): Promise<BroadcastChange> {
  const b = await loadBroadcast(input.id);
  if (!b) return { ok: false, reason: 'unknown' };
  // A time asked for that has passed while the preview was read means now.
  const at = b.scheduledAt && b.scheduledAt > input.now ? b.scheduledAt : input.now;
  const res = await BroadcastModel.updateOne(
    { _id: b._id, state: 'draft' },
    { $set: { state: 'scheduled', scheduledAt: at, ...(input.notify ? { notify: input.notify } : {}) } },
  );
  if (res.matchedCount !== 1) return { ok: false, reason: 'not_draft' };
  await audit('broadcast.confirm', input.author.actor, b, { by: input.author.name, scheduledAt: at, audience: b.audience }, input.now);
  return { ok: true, broadcast: { ...b, state: 'scheduled', scheduledAt: at } };
}

/**
 * Stops it: nothing more is written, and no delivery not yet sent goes out. The outbox worker
 * checks a broadcast's state before each send and the broadcast worker takes the queued ones out
 * (jobs/outbox.ts cancelQueued): each delivery is written by one party only, as FerretDB's updates
 * are not atomic and a cancel written over a send just marked would lose it.
 */
export async function cancelBroadcast(input: { id: string; author: BroadcastAuthor; now: Date }): Promise<BroadcastChange & { stopped?: number }> {
  const b = await loadBroadcast(input.id);
  if (!b) return { ok: false, reason: 'unknown' };
  const res = await BroadcastModel.updateOne(
    { _id: b._id, state: { $in: ['draft', 'scheduled', 'sending'] } },
    { $set: { state: 'cancelled', cancelledAt: input.now, cancelledBy: input.author.actor } },
  );
  if (res.matchedCount !== 1) return { ok: false, reason: 'finished' };
  const stopped = await DeliveryModel.countDocuments({ key: { $regex: keyPrefixPattern(broadcastPrefix(String(b._id))) }, state: 'pending' });
  await audit('broadcast.cancel', input.author.actor, b, { by: input.author.name, stopped, stateBefore: b.state }, input.now);
  return { ok: true, broadcast: { ...b, state: 'cancelled' }, stopped };
}

/** What a delivery stopped with its broadcast records as `lastError`. */
export const BROADCAST_CANCELLED = { code: 'broadcast_cancelled', message: 'the broadcast was cancelled' } as const;

/** Deliveries of a broadcast by state; `deferred`: pending until a quiet hour ends. */
export async function broadcastCounts(id: Types.ObjectId, now: Date): Promise<Record<string, number> & { deferred: number }> {
  const match = { key: { $regex: keyPrefixPattern(broadcastPrefix(String(id))) } };
  const [byState, deferred] = await Promise.all([
    DeliveryModel.aggregate<{ _id: string; n: number }>([{ $match: match }, { $group: { _id: '$state', n: { $sum: 1 } } }]),
    DeliveryModel.countDocuments({ ...match, state: 'pending', notBefore: { $gt: now } }),
  ]);
  return { ...Object.fromEntries(byState.map((s) => [s._id, s.n])), deferred };
}

/**
 * Writes the deliveries of a confirmed broadcast whose time has come, in slices, reading its state
 * between them so that a cancel stops the rest. Safe to run twice (two workers, a retried job):
 * the keys are the same and the outbox records each once.
 */
export async function fanOutBroadcast(
  id: string,
  now: Date,
  produce: (messages: OutboundMessage[]) => Promise<unknown>,
  /** Called once the recipients are known, before the first delivery is written (the progress message). */
  started?: (b: BroadcastRecord) => Promise<unknown>,
): Promise<{ written: number; state: string }> {
  const b = await loadBroadcast(id);
  if (!b || (b.state !== 'scheduled' && b.state !== 'sending')) return { written: 0, state: b?.state ?? 'unknown' };
  if (b.state === 'scheduled' && (!b.scheduledAt || b.scheduledAt > now)) return { written: 0, state: b.state };
  if (b.state === 'scheduled') {
    const res = await BroadcastModel.updateOne({ _id: b._id, state: 'scheduled' }, { $set: { state: 'sending', startedAt: now } });
    // Not matched: cancelled meanwhile, or another worker took it first (then it is `sending`, and the keys make this harmless).
    const state = res.matchedCount === 1 ? 'sending' : await stateOf(b._id);
    if (state !== 'sending') return { written: 0, state };
  }

  const found = await members(b);
  if (!found.ok) {
    // Said in the report: the audience named a meeting or plan that is gone.
    const en = await resolveBroadcastAudience('en', storedAudience(b.audience), b.plan ?? undefined);
    const problem = { lv: found.message, en: en.ok ? found.message : en.message };
    await BroadcastModel.updateOne({ _id: b._id, state: 'sending' }, { $set: { state: 'cancelled', cancelledAt: now, cancelledBy: 'system', problem } });
    return { written: 0, state: 'cancelled' };
  }
  const people = found.value;
  const messages = { lv: broadcastMessage(b, 'lv'), en: broadcastMessage(b, 'en') };
  const deliveries: OutboundMessage[] = people.flatMap((m) => {
    const message = messages[m.language];
    const held = holdFor('broadcast', m.preferences, m.timeZone, now);
    return m.identities.map((identity) => ({
      key: broadcastKey({ broadcastId: id, contactId: m.contactId, channel: identity.channel }),
      purpose: 'broadcast',
      priority: 'bulk' as const,
      contact: m.contactId,
      channel: identity.channel,
      address: identity.address,
      text: message.text,
      choices: [],
      ...(message.links ? { links: message.links } : {}),
      ...(message.attachments ? { attachments: message.attachments } : {}),
      ...(held ? { held } : {}),
    }));
  });
  const unreachable = people.filter((m) => m.identities.length === 0).map((m) => m.name);
  const reach = {
    recipients: people.length - unreachable.length,
    // What "sent N of M" counts: every copy that is to go out (the muted are recorded, not sent).
    copies: deliveries.filter((d) => !d.held || d.held.until).length,
    unreachable: unreachable.slice(0, MAX_UNREACHABLE_NAMES),
    unreachableCount: unreachable.length,
  };
  await BroadcastModel.updateOne({ _id: b._id }, { $set: reach });
  await started?.({ ...b, ...reach, state: 'sending', startedAt: b.startedAt ?? now });

  let written = 0;
  for (let at = 0; at < deliveries.length; at += FAN_OUT_SLICE) {
    await produce(deliveries.slice(at, at + FAN_OUT_SLICE));
    written += Math.min(FAN_OUT_SLICE, deliveries.length - at);
    // Cancelled meanwhile: write no more; the slices written are stopped by the workers.
    const state = await stateOf(b._id);
    if (state !== 'sending') return { written, state };
  }
  await BroadcastModel.updateOne({ _id: b._id, state: 'sending' }, { $set: { fannedOutAt: new Date() } });
  return { written, state: 'sending' };
}

async function stateOf(id: Types.ObjectId): Promise<string> {
  return (await BroadcastModel.findById(id, { state: 1 }).lean())?.state ?? 'unknown';
}

/**
 * What the chat and the CLI ask of the queues (jobs/broadcast-queue.ts implements it); absent in
 * a process without Redis, where the scheduler's sweep picks confirmed broadcasts up instead.
 */
export interface BroadcastJobs {
  /** Fans the broadcast out at `at` (now if past); safe to call again. */
  kick(broadcastId: string, at: Date): Promise<void>;
  /** Sends the failed deliveries again and follows the broadcast to a new report. */
  retryFailed(broadcastId: string, retry: number): Promise<number>;
}

/** "Retry the failed ones" under a report: the broadcast is sending again until they are done. */
export async function reopenForRetry(input: { id: string; author: BroadcastAuthor; now: Date }): Promise<BroadcastChange> {
  const b = await loadBroadcast(input.id);
  if (!b) return { ok: false, reason: 'unknown' };
  const res = await BroadcastModel.updateOne({ _id: b._id, state: 'sent' }, { $set: { state: 'sending' }, $inc: { retries: 1 }, $unset: { finishedAt: 1 } });
  if (res.matchedCount !== 1) return { ok: false, reason: 'finished' };
  await audit('broadcast.retry', input.author.actor, b, { by: input.author.name, retry: (b.retries ?? 0) + 1 }, input.now);
  return { ok: true, broadcast: { ...b, state: 'sending', retries: (b.retries ?? 0) + 1 } };
}
