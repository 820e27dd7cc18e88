import { DateTime } from 'luxon';
import { localText } from '../../domain/meetings/meeting-file.js';
import { cancelMeeting, saveMeeting, upcomingMeetings, type SaveMeetingResult } from '../../domain/meetings/meetings.js';
import type { MeetingDoc } from '../../models/meeting.js';
import { EXIT_BAD_INPUT, EXIT_OK, parseCommandArgs, usageError, type CliCommand } from '../command.js';
import { withDatabase } from '../database.js';
import { readTextFile } from '../files.js';
import { printProblems } from '../problems.js';
import { MEETING_MINUTES_USAGE, runMeetingMinutes } from './meeting-minutes.js';

const ACTIONS = ['import', 'cancel', 'list'] as const;
type Action = (typeof ACTIONS)[number];

const USAGE = [
  'npm run cli -- meeting import <file.yaml>',
  '       npm run cli -- meeting cancel --key <meeting>',
  '       npm run cli -- meeting list',
  `       ${MEETING_MINUTES_USAGE}`,
  '  import creates the meeting of the file, or edits the meeting with the same key; a changed time,',
  '  place or link counts as a change people are told about. See config/meetings/ for an example.',
].join('\n');

const when = (m: MeetingDoc) => {
  return `${localText(m.startsAt, m.timeZone)}–${DateTime.fromJSDate(m.endsAt, { zone: m.timeZone }).toFormat('HH:mm')} ${m.timeZone}`;
};

function printSaved(path: string, result: Extract<SaveMeetingResult, { ok: true }>): void {
  const { meeting } = result;
  if (result.created) console.log(`Created meeting ${meeting.key} from ${path}: ${when(meeting)}, ${meeting.title.lv}`);
  else if (result.changedFields.length === 0) console.log(`Meeting ${meeting.key} is already as ${path} describes it; nothing changed.`);
  else {
    console.log(`Edited meeting ${meeting.key} from ${path}: ${result.changedFields.join(', ')} changed.`);
    console.log(
      result.changes.length > 0
        ? `  A change of ${result.changes.join(', ')}: sequence is now ${meeting.sequence}, people will be told.`
        : `  No change of time, place or link: sequence stays ${meeting.sequence}.`,
    );
  }
}

async function importMeeting(command: CliCommand, positionals: string[]): Promise<number> {
  const [path, ...extra] = positionals;
  if (!path || extra.length > 0) return usageError(command, 'Give exactly one meeting file: meeting import <file.yaml>.');
  const file = await readTextFile(path);
  if (!file.ok) {
    console.error(file.message);
    return EXIT_BAD_INPUT;
  }
  const result = await withDatabase((config) => saveMeeting(file.text, { actor: 'cli', defaultTimeZone: config.timeZone }));
  if (!result.ok) {
    printProblems(path, result.problems);
    return EXIT_BAD_INPUT;
  }
  printSaved(path, result);
  return EXIT_OK;
}

function printList(meetings: MeetingDoc[]): void {
  if (meetings.length === 0) {
    console.log('No upcoming meetings.');
    return;
  }
  console.log('key\tstart–end\tkind\tstate\tsequence\ttitle');
  for (const m of meetings) console.log([m.key, when(m), m.kind, m.state, m.sequence, m.title.lv].join('\t'));
}

export const meetingCommand: CliCommand = {
  name: 'meeting',
  summary: 'import a meeting file (create or edit a meeting), cancel a meeting, list upcoming meetings',
  usage: USAGE,
  async run(args) {
    // `minutes` takes options of its own (meeting-minutes.ts), so it is dispatched before parsing.
    if (args[0] === 'minutes') return runMeetingMinutes(this, args.slice(1));
    const parsed = parseCommandArgs(this, args, { key: { type: 'string' } }, true);
    if ('exit' in parsed) return parsed.exit;
    const [action, ...rest] = parsed.positionals;
    if (!action || !(ACTIONS as readonly string[]).includes(action)) return usageError(this, `Say what to do: ${ACTIONS.join(', ')}.`);

    switch (action as Action) {
      case 'import':
        return importMeeting(this, rest);
      case 'cancel': {
        const key = parsed.values.key;
        if (!key || rest.length > 0) return usageError(this, 'meeting cancel needs --key (cancelling is not undone).');
        const result = await withDatabase(() => cancelMeeting({ key, actor: 'cli' }));
        if (!result.ok) {
          console.error(`${result.error.message.lv}\n${result.error.message.en}`);
          return EXIT_BAD_INPUT;
        }
        console.log(`Cancelled meeting ${key} (${when(result.meeting)}); sequence is now ${result.meeting.sequence}, people will be told.`);
        return EXIT_OK;
      }
      case 'list': {
        if (rest.length > 0) return usageError(this, 'meeting list takes no arguments.');
        printList(await withDatabase(() => upcomingMeetings()));
        return EXIT_OK;
      }
    }
  },
};
