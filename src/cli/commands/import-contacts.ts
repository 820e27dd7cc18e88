import { importContacts } from '../../domain/plan/contacts-import.js';
import { EXIT_BAD_INPUT, EXIT_OK, parseCommandArgs, usageError, type CliCommand } from '../command.js';
import { withDatabase } from '../database.js';
import { readTextFile } from '../files.js';
import { printProblems } from '../problems.js';

export const importContactsCommand: CliCommand = {
  name: 'import-contacts',
  summary: 'load contact persons (CSV: name,email,institution,roles,measures,language[,time_zone]) for a plan',
  usage: 'npm run cli -- import-contacts <file.csv> --plan <plan key>',
  async run(args) {
    const parsed = parseCommandArgs(this, args, { plan: { type: 'string' } }, true);
    if ('exit' in parsed) return parsed.exit;
    const [path, ...extra] = parsed.positionals;
    if (!path || extra.length > 0) return usageError(this, 'Give exactly one CSV file.');
    const planKey = parsed.values.plan;
    if (!planKey) return usageError(this, 'Say which plan the measures belong to: --plan <key>, e.g. --plan lv-nap-5.');

    const file = await readTextFile(path);
    if (!file.ok) {
      console.error(file.message);
      return EXIT_BAD_INPUT;
    }
    const result = await withDatabase((config) => importContacts(file.text, { planKey, actor: 'cli', defaultTimeZone: config.timeZone }));
    if (!result.ok) {
      printProblems(path, result.problems);
      return EXIT_BAD_INPUT;
    }
    const { total, created, updated } = result.summary.contacts;
    console.log(`Imported ${total} contacts for plan ${planKey} from ${path}: ${created} new, ${updated} changed, ${total - created - updated} unchanged.`);
    return EXIT_OK;
  },
};
