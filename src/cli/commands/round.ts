import { writeFile } from 'node:fs/promises';
import { PlanModel, ReportingRoundModel, type Language } from '../../models/index.js';
import { closeRound, extendRound, openRound, type RoundError, type RoundRef } from '../../domain/rounds/rounds.js';
import { roundOverview } from '../../domain/rounds/round-overview.js';
import { overviewText } from '../../domain/rounds/coordinator-overview.js';
import { overviewToCsv, overviewToHtml, overviewToMarkdown } from '../../domain/rounds/round-export.js';
import { EXIT_BAD_INPUT, EXIT_OK, parseCommandArgs, usageError, type CliCommand } from '../command.js';
import { withDatabase } from '../database.js';

const EXPORT_FORMATS = ['csv', 'md', 'html'] as const;
const ACTIONS = ['open', 'extend', 'close', 'overview', 'export'] as const;
type Action = (typeof ACTIONS)[number];

const USAGE = [
  'npm run cli -- round open --plan <plan> --key <round> --deadline YYYY-MM-DD --title-lv "…" [--title-en "…"] [--days-before 14,7,2]',
  '       npm run cli -- round extend --plan <plan> --key <round> --deadline YYYY-MM-DD',
  '       npm run cli -- round close --plan <plan> --key <round>',
  '       npm run cli -- round overview --plan <plan> [--key <round>] [--lang lv|en]',
  '       npm run cli -- round export --plan <plan> [--key <round>] --format csv|md|html [--lang lv|en] [--out <file>]',
  '  Without --key, overview and export use the plan\'s open round.',
].join('\n');

function printError(error: RoundError): number {
  console.error(`${error.message.lv}\n${error.message.en}`);
  return EXIT_BAD_INPUT;
}

const noOpenRound = (planKey: string): RoundError => ({
  code: 'unknown_round',
  message: {
    lv: `Plānam „${planKey}” nav atvērtas kārtas (vai tāda plāna nav); norādiet --key.`,
    en: `Plan "${planKey}" has no open round (or no such plan); give --key.`,
  },
});

/** The named round, or the plan's open one. */
async function pickRound(planKey: string, key: string | undefined): Promise<RoundRef | RoundError> {
  if (key) return { planKey, key };
  const plan = await PlanModel.findOne({ key: planKey }, { _id: 1 }).lean();
  const open = plan ? await ReportingRoundModel.findOne({ plan: plan._id, state: 'open' }, { _id: 1 }).lean() : null;
  return open ? { roundId: open._id } : noOpenRound(planKey);
}

function parseDaysBefore(text: string | undefined): number[] | undefined | null {
  if (text === undefined) return undefined;
  const days = text.split(',').map((d) => Number(d.trim()));
  return days.length > 0 && days.every((d) => Number.isInteger(d) && d > 0) ? days : null;
}

export const roundCommand: CliCommand = {
  name: 'round',
  summary: 'open, extend or close a reporting round; see who has not reported; export the replies',
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs(
      this,
      args,
      {
        plan: { type: 'string' },
        key: { type: 'string' },
        deadline: { type: 'string' },
        'title-lv': { type: 'string' },
        'title-en': { type: 'string' },
        'days-before': { type: 'string' },
        format: { type: 'string' },
        lang: { type: 'string' },
        out: { type: 'string' },
      },
      true,
    );
    if ('exit' in parsed) return parsed.exit;
    const v = parsed.values;
    const [action, ...extra] = parsed.positionals;
    if (!action || !(ACTIONS as readonly string[]).includes(action) || extra.length > 0) {
      return usageError(this, `Say what to do: ${ACTIONS.join(', ')}.`);
    }
    if (!v.plan) return usageError(this, 'Say which plan: --plan <key>, e.g. --plan lv-nap-5.');
    const lang = (v.lang ?? 'lv') as Language;
    if (lang !== 'lv' && lang !== 'en') return usageError(this, `--lang must be lv or en, not '${v.lang}'.`);
    const planKey = v.plan;

    switch (action as Action) {
      case 'open': {
        if (!v.key || !v.deadline || !v['title-lv']) return usageError(this, 'round open needs --key, --deadline and --title-lv.');
        const daysBefore = parseDaysBefore(v['days-before']);
        if (daysBefore === null) return usageError(this, '--days-before must be positive whole numbers separated by commas, e.g. 14,7,2.');
        const { key, deadline } = v;
        const title = { lv: v['title-lv'], en: v['title-en'] ?? '' };
        const result = await withDatabase(() =>
          openRound({ planKey, key, title, deadlineDate: deadline, policy: daysBefore ? { daysBefore } : undefined, actor: 'cli' }),
        );
        if (!result.ok) return printError(result.error);
        console.log(`Opened round ${key} of plan ${planKey}; deadline ${deadline} (end of day, ${result.round.timeZone}).`);
        return EXIT_OK;
      }
      case 'extend': {
        if (!v.key || !v.deadline) return usageError(this, 'round extend needs --key and --deadline.');
        const { key, deadline } = v;
        const result = await withDatabase(() => extendRound({ planKey, key }, deadline, 'cli'));
        if (!result.ok) return printError(result.error);
        console.log(`Round ${key} of plan ${planKey}: deadline is now ${deadline}.`);
        return EXIT_OK;
      }
      case 'close': {
        if (!v.key) return usageError(this, 'round close needs --key (closing is not undone).');
        const { key } = v;
        const result = await withDatabase(() => closeRound({ planKey, key }, 'cli'));
        if (!result.ok) return printError(result.error);
        console.log(`Closed round ${key} of plan ${planKey}: no more reports or reminders.`);
        return EXIT_OK;
      }
      case 'overview':
      case 'export': {
        const format = EXPORT_FORMATS.find((f) => f === v.format);
        if (action === 'export' && !format) {
          return usageError(this, `--format must be ${EXPORT_FORMATS.join(', ')}${v.format ? `, not '${v.format}'` : ''}.`);
        }
        const result = await withDatabase(async () => {
          const ref = await pickRound(planKey, v.key);
          return 'code' in ref ? ({ ok: false, error: ref } as const) : roundOverview(ref);
        });
        if (!result.ok) return printError(result.error);
        const { overview } = result;
        const exports = {
          csv: () => overviewToCsv(overview, lang, { bom: Boolean(v.out) }),
          md: () => overviewToMarkdown(overview, lang),
          html: () => overviewToHtml(overview, lang),
        };
        const text = action === 'overview' || !format ? overviewText(overview, lang) : exports[format]();
        if (v.out) {
          await writeFile(v.out, text, 'utf8');
          console.error(`Wrote ${result.overview.measures.length} measures of round ${result.overview.round.key} to ${v.out}.`);
        } else {
          process.stdout.write(text);
        }
        return EXIT_OK;
      }
    }
  },
};
