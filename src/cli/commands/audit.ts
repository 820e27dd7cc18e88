import { Types } from 'mongoose';
import { AuditEntryModel, ContactModel } from '../../models/index.js';
import { keyPrefixPattern } from '../../domain/delivery-keys.js';
import { EXIT_OK, parseCommandArgs, usageError, type CliCommand } from '../command.js';
import { withDatabase } from '../database.js';

const USAGE = [
  'npm run cli -- audit [--since YYYY-MM-DD] [--action <prefix>] [--subject <prefix>] [--limit N]',
  '  Who changed what, newest first: imports, rounds opened, extended and closed, exports, broadcasts and',
  '  their cancels, reports saved, chats linked. --action round. lists every round action; --subject',
  '  broadcast:<id> one broadcast.',
].join('\n');

const DEFAULT_LIMIT = 50;

export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'read the audit log: who changed what, and when',
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs(this, args, { since: { type: 'string' }, action: { type: 'string' }, subject: { type: 'string' }, limit: { type: 'string' } });
    if ('exit' in parsed) return parsed.exit;
    const v = parsed.values;
    const since = v.since ? new Date(`${v.since}T00:00:00Z`) : undefined;
    if (since && Number.isNaN(since.getTime())) return usageError(this, `--since must be a date YYYY-MM-DD, not '${v.since}'.`);
    const limit = v.limit ? Number(v.limit) : DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) return usageError(this, `--limit must be a whole number above 0, not '${v.limit}'.`);
    const filter = {
      ...(since ? { at: { $gte: since } } : {}),
      ...(v.action ? { action: { $regex: keyPrefixPattern(v.action) } } : {}),
      ...(v.subject ? { subject: { $regex: keyPrefixPattern(v.subject) } } : {}),
    };
    return withDatabase(async () => {
      const entries = await AuditEntryModel.find(filter).sort({ at: -1 }).limit(limit).lean();
      // Actors are contact ids, `cli` or `system`: show people by name.
      const ids = [...new Set(entries.map((e) => e.actor).filter((actor) => Types.ObjectId.isValid(actor) && /^[0-9a-f]{24}$/.test(actor)))];
      const names = new Map((await ContactModel.find({ _id: { $in: ids } }, { name: 1 }).lean()).map((c) => [String(c._id), c.name]));
      if (entries.length === 0) console.log('No audit entries match.');
      for (const e of entries) {
        const who = names.get(e.actor) ?? e.actor;
        console.log(`${e.at.toISOString()}  ${who}  ${e.action}  ${e.subject}  ${JSON.stringify(e.details ?? {})}`);
      }
      return EXIT_OK;
    });
  },
};
