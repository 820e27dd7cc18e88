import type { types } from '@slack/bolt';
import { t, tBoth, truncate } from '../../i18n/index.js';
import { myMeasureText, type MyMeasures } from '../../domain/status/my-measures.js';
import { encodeReminderAction } from '../../domain/reminders/reminder-actions.js';

/**
 * The App Home tab: the person's measures with the open round's deadline, the last answer and a
 * "report" button per open measure (the same id as a reminder's, so it opens the same form and
 * conversation). Strangers see how to get access, as in a DM.
 */

const MAX_BLOCKS = 100;
const NOTE_PREVIEW = 300;
const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

export function homeView(mine: MyMeasures | null): types.HomeView {
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
    if (blocks.length + group.length + 1 > MAX_BLOCKS) break;
    blocks.push(...group);
  }
  blocks.push(footer);
  return { type: 'home', blocks };
}
