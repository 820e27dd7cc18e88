import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { recordMinutes, type MinutesSource } from '../../domain/meetings/minutes.js';
import { EXIT_BAD_INPUT, EXIT_OK, parseCommandArgs, usageError, type CliCommand } from '../command.js';
import { withDatabase } from '../database.js';
import { readTextFile } from '../files.js';

/**
 * `meeting minutes`: records a meeting's minutes (a link or a file) and its decisions per agenda
 * item. The CLI has no outbox, so it only records; the scheduler's next tick sends them
 * (minutes.ts sendPendingMinutes). Every problem is printed, and on any of them nothing is saved.
 */

export const MEETING_MINUTES_USAGE = [
  'npm run cli -- meeting minutes --key <meeting> (--url <https://…> | --file <minutes.pdf>) [--label "…"] [--decisions decisions.yaml]',
  '  decisions.yaml: "decisions:" and a list of "- number: 1" / "  text: Pieņemt zināšanai." items.',
  '  The minutes and decisions go to the attendees and the audience at the scheduler\'s next tick.',
].join('\n');

/**
 * The few document types minutes come in. Anything else still goes out, as a plain download: the
 * type only decides how a chat app previews the file.
 */
const MEDIA_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.doc': 'application/msword',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.html': 'text/html',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
};

const decisionsFile = z.object({
  decisions: z.array(z.object({ number: z.number().int().positive(), text: z.string() }).strict()),
}).strict();

/** The decisions of a decisions file, or every problem with it (where, and what is wrong). */
function parseDecisions(text: string): { ok: true; decisions: { number: number; text: string }[] } | { ok: false; problems: string[] } {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    return { ok: false, problems: [(error as Error).message] };
  }
  const parsed = decisionsFile.safeParse(data);
  if (parsed.success) return { ok: true, decisions: parsed.data.decisions };
  return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`) };
}

async function readMinutesFile(path: string): Promise<{ ok: true; file: { name: string; mediaType: string; bytes: Buffer } } | { ok: false; message: string }> {
  try {
    const bytes = await readFile(path);
    const name = basename(path);
    return { ok: true, file: { name, mediaType: MEDIA_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream', bytes } };
  } catch (error) {
    return { ok: false, message: `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}

export async function runMeetingMinutes(command: CliCommand, args: string[]): Promise<number> {
  const parsed = parseCommandArgs(command, args, {
    key: { type: 'string' },
    url: { type: 'string' },
    file: { type: 'string' },
    label: { type: 'string' },
    decisions: { type: 'string' },
  });
  if ('exit' in parsed) return parsed.exit;
  const v = parsed.values;
  if (!v.key) return usageError(command, 'Say which meeting: --key <meeting>.');
  if ((v.url === undefined) === (v.file === undefined)) return usageError(command, 'Give the minutes as one of --url <link> or --file <path>.');

  let decisions: { number: number; text: string }[] = [];
  if (v.decisions !== undefined) {
    const text = await readTextFile(v.decisions);
    if (!text.ok) {
      console.error(text.message);
      return EXIT_BAD_INPUT;
    }
    const read = parseDecisions(text.text);
    if (!read.ok) {
      console.error(`${v.decisions}: ${read.problems.length} problem${read.problems.length === 1 ? '' : 's'}, nothing was changed.`);
      for (const p of read.problems) console.error(`  ${p}`);
      return EXIT_BAD_INPUT;
    }
    decisions = read.decisions;
  }
  let minutes: MinutesSource;
  if (v.file !== undefined) {
    const file = await readMinutesFile(v.file);
    if (!file.ok) {
      console.error(file.message);
      return EXIT_BAD_INPUT;
    }
    minutes = { label: v.label ?? file.file.name, file: file.file };
  } else {
    minutes = { label: v.label ?? 'Protokols', url: v.url ?? '' };
  }

  const key = v.key;
  const result = await withDatabase(() => recordMinutes({ meetingKey: key, minutes, decisions, actor: 'cli', now: new Date() }));
  if (!result.ok) {
    console.error(`Meeting ${key}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}, nothing was changed.`);
    for (const p of result.problems) console.error(`  ${p.message.lv} / ${p.message.en}`);
    return EXIT_BAD_INPUT;
  }
  const decided = result.meeting.agenda.filter((item) => item.decision).length;
  console.log(`Recorded the minutes of ${key} (${minutes.label}) and ${decided} decision${decided === 1 ? '' : 's'}; the scheduler sends them at its next tick.`);
  return EXIT_OK;
}
