import { writeFile } from 'node:fs/promises';
import { exportPlanCsv, exportPlanMarkdown } from '../../domain/plan/plan-export.js';
import { EXIT_BAD_INPUT, EXIT_OK, parseCommandArgs, usageError, type CliCommand } from '../command.js';
import { withDatabase } from '../database.js';
import { printProblems } from '../problems.js';

const FORMATS = ['csv', 'md'] as const;

export const exportPlanCommand: CliCommand = {
  name: 'export-plan',
  summary: "export the plan's measures with their current status (the council's table) as CSV or Markdown",
  usage: 'npm run cli -- export-plan --plan <plan key> --format csv|md [--out <file>]',
  async run(args) {
    const parsed = parseCommandArgs(
      this,
      args,
      {
        plan: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
      },
    );
    if ('exit' in parsed) return parsed.exit;
    const { plan, format, out } = parsed.values;
    if (!plan) return usageError(this, 'Say which plan: --plan <key>, e.g. --plan lv-nap-5.');
    if (!format || !(FORMATS as readonly string[]).includes(format)) {
      return usageError(this, `--format must be ${FORMATS.join(' or ')}${format ? `, not '${format}'` : ''}.`);
    }

    const result = await withDatabase(() =>
      // A file is usually opened in a spreadsheet, which needs the byte order mark to read UTF-8.
      format === 'csv' ? exportPlanCsv(plan, { bom: Boolean(out) }) : exportPlanMarkdown(plan),
    );
    if (!result.ok) {
      printProblems(`export-plan --plan ${plan}`, result.problems);
      return EXIT_BAD_INPUT;
    }
    if (out) {
      await writeFile(out, result.text, 'utf8');
      console.error(`Wrote ${result.rows} measures of plan ${plan} to ${out}.`);
    } else {
      process.stdout.write(result.text);
    }
    return EXIT_OK;
  },
};
