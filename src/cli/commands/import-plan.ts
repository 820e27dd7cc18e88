import { parsePlanFile } from '../../domain/plan/plan-file.js';
import { importPlan, type PlanImportSummary, type UpsertCounts } from '../../domain/plan/plan-import.js';
import { EXIT_BAD_INPUT, EXIT_OK, parseCommandArgs, usageError, type CliCommand } from '../command.js';
import { withDatabase } from '../database.js';
import { readTextFile } from '../files.js';
import { printProblems } from '../problems.js';

const counted = (c: UpsertCounts) => `${c.total} (${c.created} new, ${c.updated} changed)`;

function printSummary(path: string, s: PlanImportSummary): void {
  console.log(`Imported plan ${s.planKey} from ${path}${s.plan.created ? ' (new plan)' : s.plan.updated ? ' (plan details changed)' : ''}:`);
  console.log(`  institutions: ${counted(s.institutions)}`);
  console.log(`  commitments:  ${counted(s.commitments)}`);
  console.log(`  measures:     ${counted(s.measures)}`);
  console.log(`  statuses:     ${s.statuses.written.length} set from the file, ${s.statuses.unchanged.length} already so`);
  if (s.statuses.keptNewer.length > 0) {
    console.log(`  kept the newer status reported in a reporting round for: ${s.statuses.keptNewer.join(', ')}`);
  }
  if (s.measuresNotInFile.length > 0) {
    console.log(`  stored but not in the file (kept, not deleted): ${s.measuresNotInFile.join(', ')}`);
  }
}

export const importPlanCommand: CliCommand = {
  name: 'import-plan',
  summary: 'load a plan file (YAML): the plan, institutions, commitments, measures and statuses',
  usage: 'npm run cli -- import-plan <file.yaml>',
  async run(args) {
    const parsed = parseCommandArgs(this, args, {}, true);
    if ('exit' in parsed) return parsed.exit;
    const [path, ...extra] = parsed.positionals;
    if (!path || extra.length > 0) return usageError(this, 'Give exactly one plan file.');

    const file = await readTextFile(path);
    if (!file.ok) {
      console.error(file.message);
      return EXIT_BAD_INPUT;
    }
    // A file with mistakes is reported without starting a database at all.
    const checked = parsePlanFile(file.text);
    if (!checked.ok) {
      printProblems(path, checked.problems);
      return EXIT_BAD_INPUT;
    }
    const result = await withDatabase((config) => importPlan(file.text, { actor: 'cli', defaultTimeZone: config.timeZone }));
    if (!result.ok) {
      printProblems(path, result.problems);
      return EXIT_BAD_INPUT;
    }
    printSummary(path, result.summary);
    return EXIT_OK;
  },
};
