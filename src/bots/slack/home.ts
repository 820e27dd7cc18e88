import type { types } from '@slack/bolt';
import { t, tBoth, truncate } from '../../i18n/index.js';
import { myMeasureText, type MyMeasures } from '../../domain/status/my-measures.js';
import { encodeReminderAction } from '../../domain/reminders/reminder-actions.js';
import { pastMeetingText, upcomingMeetingText, type MyMeetings } from '../../domain/meetings/my-meetings.js';
import { encodeMeetingAction } from '../../domain/meetings/rsvp-actions.js';
import type { Reply } from '../../domain/chat/message.js';
import { LINK_ACTION_PREFIX } from './render.js';

/**
 * The App Home tab: the person's measures with the open round's deadline, the last answer and a
 * "report" button per open measure (the same id as a reminder's, so it opens the same form and
 * conversation). Below them the person's meetings: upcoming ones with their answer and a button to
 * change it (the RSVP id, so the press asks the question again in the DM), past ones with a link to
 * the minutes and the decisions. Last the person's settings (preferences/settings.ts) with their
 * buttons, which answer in the DM like /ogp settings. Strangers see how to get access, as in a DM.
 */

const MAX_BLOCKS = 100;
const NOTE_PREVIEW = 300;
/** Slack's limit for a section's text. */
const SECTION_MAX = 3000;
const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

export function homeView(mine: MyMeasures | null, meetings: MyMeetings | null = null, settings: Reply | null = null): types.HomeView {
  if (!mine) return { type: 'home', blocks: [{ type: 'section', text: plain(tBoth('access.unknown_person')) }] };
  const { language: lang, timeZone } = mine;
  const blocks: types.KnownBlock[] = [{ type: 'header', text: plain(t(lang, 'slack.home.title')) }];
  if (mine.measures.length === 0) {
    blocks.push({ type: 'section', text: plain(t(lang, 'measures.none')) });
  } else {
    blocks.push({
      type: 'section',
      text: plain(t(lang, 'mine.header', { measures: t(lang, 'count.measures', { count: mine.measures.length }) })),
    });
  }
  const footer: types.KnownBlock = { type: 'context', elements: [plain(t(lang, 'slack.home.commands'))] };
  // The meetings are few and bounded (my-meetings.ts), so they keep their room; the measures get the rest.
  const meetingBlocks = [...(meetings ? meetingsBlocks(meetings) : []), ...(settings ? settingsBlocks(settings) : [])];

  for (const m of mine.measures) {
    const item: types.SectionBlock = {
      type: 'section',
      text: plain(myMeasureText(m, lang, timeZone)),
    };
    if (m.round) {
      const id = encodeReminderAction({ kind: 'report', roundId: m.round.id, measureId: m.id });
      item.accessory = { type: 'button', action_id: id, value: id, text: plain(t(lang, 'mine.report_button', { code: m.code })) };
    }
    const group: types.KnownBlock[] = [{ type: 'divider' }, item];
    if (m.lastAnswer?.note) {
      group.push({ type: 'context', elements: [plain(t(lang, 'slack.home.last_note', { note: truncate(m.lastAnswer.note, NOTE_PREVIEW) }))] });
    }
    // Slack refuses a view of more than 100 blocks; the rest is one /ogp mine away.
    if (blocks.length + group.length + meetingBlocks.length + 1 > MAX_BLOCKS) break;
    blocks.push(...group);
  }
  blocks.push(...meetingBlocks.slice(0, MAX_BLOCKS - blocks.length - 1), footer);
  return { type: 'home', blocks };
}

/** Slack's limit on the elements of one actions block. */
const ACTIONS_MAX = 25;

function settingsBlocks(settings: Reply): types.KnownBlock[] {
  const [title = '', ...rest] = settings.text.split('\n');
  const blocks: types.KnownBlock[] = [{ type: 'header', text: plain(title) }, { type: 'section', text: plain(truncate(rest.join('\n').trim(), SECTION_MAX)) }];
  const buttons = settings.choices.slice(0, ACTIONS_MAX).map((c): types.Button => ({ type: 'button', action_id: c.id, value: c.id, text: plain(c.label) }));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return blocks;
}

function meetingsBlocks(meetings: MyMeetings): types.KnownBlock[] {
  const { language: lang, timeZone } = meetings;
  const section = (text: string): types.SectionBlock => ({ type: 'section', text: plain(truncate(text, SECTION_MAX)) });
  const blocks: types.KnownBlock[] = [{ type: 'header', text: plain(t(lang, 'my_meetings.upcoming')) }];
  if (meetings.upcoming.length === 0) blocks.push(section(t(lang, 'my_meetings.none')));
  for (const m of meetings.upcoming) {
    const item = section(upcomingMeetingText(m, lang, timeZone));
    const id = encodeMeetingAction({ kind: 'change', meetingId: m.id });
    const label = t(lang, m.answer ? 'my_meetings.change' : 'my_meetings.answer_now');
    item.accessory = { type: 'button', action_id: id, value: id, text: plain(label) };
    blocks.push({ type: 'divider' }, item);
  }
  if (meetings.past.length === 0) return blocks;
  blocks.push({ type: 'header', text: plain(t(lang, 'my_meetings.past')) });
  for (const m of meetings.past) {
    const item = section(pastMeetingText(m, lang, timeZone));
    if (m.minutes?.url) {
      // A URL button: Slack opens the page and tells us, and the action listener lets it be.
      item.accessory = { type: 'button', action_id: `${LINK_ACTION_PREFIX}minutes-${m.id}`, url: m.minutes.url, text: plain(t(lang, 'my_meetings.minutes')) };
    }
    blocks.push({ type: 'divider' }, item);
    const note = !m.minutes
      ? t(lang, 'my_meetings.no_minutes')
      : m.minutes.url
        ? null
        : t(lang, 'my_meetings.minutes_file', { label: m.minutes.label });
    if (note) blocks.push({ type: 'context', elements: [plain(note)] });
  }
  return blocks;
}
