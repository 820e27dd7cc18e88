import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { lookup } from 'mime-types';
import { Types } from 'mongoose';
import { BroadcastModel, FORUM_TIME_ZONE } from '../../models/index.js';
import { storeFile } from '../../domain/chat/files.js';
import { describeBroadcastAudience, parseBroadcastAudience, type BroadcastAudience } from '../../domain/broadcasts/broadcast-audience.js';
import { currentPlanId } from '../../domain/plan/current-plan.js';
import {
  broadcastCounts,
  broadcastMessage,
  cancelBroadcast,
  checkBroadcastLink,
  checkBroadcastText,
  confirmBroadcast,
  createBroadcast,
  loadBroadcast,
  previewBroadcast,
  type BroadcastRecord,
} from '../../domain/broadcasts/broadcasts.js';
import { localTime } from '../../domain/meetings/meeting-file.js';
import { EXIT_BAD_INPUT, EXIT_OK, parseCommandArgs, usageError, type CliCommand } from '../command.js';
import { withDatabase } from '../database.js';
import { readTextFile } from '../files.js';

const CLI_AUTHOR = { actor: 'cli', name: 'CLI' };

const USAGE = [
  'npm run cli -- broadcast send --audience <who> --file <text.md> [--file-en <text.md>] [--link <url>] [--attach <file>] [--at "YYYY-MM-DD HH:MM"] [--dry-run]',
  '       npm run cli -- broadcast cancel --id <broadcast>',
  '       npm run cli -- broadcast status --id <broadcast>',
  '       npm run cli -- broadcast list',
  '  <who>: everyone | owners | roles:coordinator,forum_member | institutions:VK,VARAM | commitments:1,3 | meeting:<key>',
  '  send prints the preview (the exact message, copies per channel, who cannot be reached) and confirms it;',
  '  --dry-run only prints the preview. The scheduler (npm start) sends it within a minute of --at (or now).',
].join('\n');

const fail = (message: string) => {
  console.error(message);
  return EXIT_BAD_INPUT;
};

function printPreview(b: BroadcastRecord, preview: Awaited<ReturnType<typeof previewBroadcast>>): boolean {
  for (const lang of b.text.en ? (['lv', 'en'] as const) : (['lv'] as const)) {
    const m = broadcastMessage(b, lang);
    console.log(`--- ${lang} ---\n${m.text}`);
    for (const link of m.links ?? []) console.log(`[${link.label}] ${link.url}`);
    for (const file of m.attachments ?? []) console.log(`📎 ${file.name}`);
  }
  console.log('---');
  if (!preview.ok) {
    console.error(preview.message);
    return false;
  }
  const p = preview.value;
  console.log(`Audience: ${describeBroadcastAudience('en', b.audience as BroadcastAudience)}, ${p.people} people`);
  console.log(`Copies: ${Object.entries(p.perChannel).map(([channel, n]) => `${channel} ${n}`).join(', ') || 'none'}`);
  console.log(p.unreachable.length > 0 ? `Cannot be reached (no linked chat) ${p.unreachable.length}: ${p.unreachable.join(', ')}` : 'Everyone can be reached.');
  if (p.muted > 0) console.log(`Muted announcements (skipped): ${p.muted}`);
  if (p.quiet > 0) console.log(`In their quiet hours now (sent when those end): ${p.quiet}`);
  return true;
}

async function send(command: CliCommand, args: string[]): Promise<number> {
  const parsed = parseCommandArgs(command, args, {
    audience: { type: 'string' },
    file: { type: 'string' },
    'file-en': { type: 'string' },
    link: { type: 'string' },
    attach: { type: 'string' },
    at: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  if ('exit' in parsed) return parsed.exit;
  const v = parsed.values;
  if (!v.audience || !v.file) return usageError(command, 'broadcast send needs --audience and --file.');
  const audience = parseBroadcastAudience('en', v.audience);
  if (!audience.ok) return fail(audience.message);
  const lv = await readTextFile(v.file);
  if (!lv.ok) return fail(lv.message);
  const en = v['file-en'] ? await readTextFile(v['file-en']) : { ok: true as const, text: '' };
  if (!en.ok) return fail(en.message);
  const problems = [checkBroadcastText('en', lv.text, false), checkBroadcastText('en', en.text, true), v.link ? checkBroadcastLink('en', v.link) : null].filter((p) => p !== null);
  if (problems.length > 0) return fail(problems.join('\n'));
  let at: Date | undefined;
  if (v.at) {
    const local = localTime(v.at, FORUM_TIME_ZONE);
    if (!local.ok) return fail(`--at "${v.at}" is not YYYY-MM-DD HH:MM (${FORUM_TIME_ZONE}).`);
    at = local.at.toJSDate();
    if (at <= new Date()) return fail(`--at ${v.at} is in the past.`);
  }
  let bytes: Buffer | undefined;
  if (v.attach) {
    try {
      bytes = await readFile(v.attach);
    } catch (error) {
      return fail(`Cannot read ${v.attach}: ${(error as Error).message}`);
    }
  }

  return withDatabase(async () => {
    const draft = {
      text: { lv: lv.text, en: en.text },
      ...(v.link ? { link: { url: v.link } } : {}),
      audience: audience.value,
    };
    const now = new Date();
    const planId = await currentPlanId();
    if (v['dry-run']) {
      const unsaved = { ...draft, _id: new Types.ObjectId(), plan: planId, state: 'draft', author: 'cli', authorName: 'CLI', retries: 0 } as unknown as BroadcastRecord;
      return printPreview(unsaved, await previewBroadcast(unsaved, now)) ? EXIT_OK : EXIT_BAD_INPUT;
    }
    const attachment = bytes && v.attach ? await storeFile({ name: basename(v.attach), mediaType: lookup(v.attach) || 'application/octet-stream', bytes, origin: 'broadcast' }) : undefined;
    const b = await createBroadcast({ ...draft, ...(attachment ? { attachment } : {}) }, CLI_AUTHOR, planId, at);
    const preview = await previewBroadcast(b, now);
    if (!printPreview(b, preview)) {
      await BroadcastModel.deleteOne({ _id: b._id, state: 'draft' });
      return EXIT_BAD_INPUT;
    }
    const confirmed = await confirmBroadcast({ id: String(b._id), author: CLI_AUTHOR, now });
    if (!confirmed.ok) return fail(`Broadcast ${String(b._id)} could not be confirmed (${confirmed.reason}).`);
    console.log(`Broadcast ${String(b._id)} confirmed for ${(confirmed.broadcast.scheduledAt ?? now).toISOString()}; the scheduler sends it.`);
    return EXIT_OK;
  });
}

/** `cancel` and `status` take one broadcast by `--id`. */
async function withBroadcastId(command: CliCommand, args: string[], action: string, work: (id: string) => Promise<number>): Promise<number> {
  const parsed = parseCommandArgs(command, args, { id: { type: 'string' } });
  if ('exit' in parsed) return parsed.exit;
  const id = parsed.values.id;
  if (!id) return usageError(command, `broadcast ${action} needs --id.`);
  return withDatabase(() => work(id));
}

const cancel = (command: CliCommand, args: string[]) =>
  withBroadcastId(command, args, 'cancel', async (id) => {
    const result = await cancelBroadcast({ id, author: CLI_AUTHOR, now: new Date() });
    if (!result.ok) return fail(result.reason === 'unknown' ? `No broadcast ${id}.` : `Broadcast ${id} has already finished or was cancelled.`);
    console.log(`Broadcast ${id} cancelled; ${result.stopped ?? 0} messages not yet sent will not go out.`);
    return EXIT_OK;
  });

const status = (command: CliCommand, args: string[]) =>
  withBroadcastId(command, args, 'status', async (id) => {
    const b = await loadBroadcast(id);
    if (!b) return fail(`No broadcast ${id}.`);
    const counts = await broadcastCounts(b._id, new Date());
    console.log(`${id} ${b.state}: ${Object.entries(counts).map(([state, n]) => `${state} ${n}`).join(', ')}; unreachable ${b.unreachableCount ?? 0}`);
    return EXIT_OK;
  });

async function list(): Promise<number> {
  return withDatabase(async () => {
    const all = await BroadcastModel.find({}, { state: 1, scheduledAt: 1, audience: 1, authorName: 1, text: 1 }).sort({ createdAt: -1 }).limit(20).lean();
    if (all.length === 0) console.log('No broadcasts.');
    for (const b of all) {
      const first = b.text.lv.split('\n')[0]?.slice(0, 50) ?? '';
      console.log(`${String(b._id)}  ${b.state.padEnd(9)}  ${b.scheduledAt?.toISOString() ?? '-'}  ${describeBroadcastAudience('en', b.audience as BroadcastAudience)}  ${b.authorName}  ${first}`);
    }
    return EXIT_OK;
  });
}

export const broadcastCommand: CliCommand = {
  name: 'broadcast',
  summary: 'send, cancel and follow announcements to the forum',
  usage: USAGE,
  async run(args) {
    const [action, ...rest] = args;
    switch (action) {
      case 'send':
        return send(this, rest);
      case 'cancel':
        return cancel(this, rest);
      case 'status':
        return status(this, rest);
      case 'list':
        return list();
      default:
        return usageError(this, action ? `Unknown action ${action}.` : 'Give an action: send, cancel, status or list.');
    }
  },
};
