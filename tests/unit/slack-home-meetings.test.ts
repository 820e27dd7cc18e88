import { describe, expect, it } from 'vitest';
import type { types } from '@slack/bolt';
import { homeView } from '../../src/bots/slack/home.js';
import { isLinkAction } from '../../src/bots/slack/render.js';
import { parseMeetingAction } from '../../src/domain/meetings/rsvp-actions.js';
import type { MyMeetings, MyPastMeeting, MyUpcomingMeeting } from '../../src/domain/meetings/my-meetings.js';
import { manyMeasures } from '../support/my-measures-fixture.js';

/** The App Home's meetings below "my measures": answers, the change button, minutes, Slack's limits. */

const MEETING = '65b0000000000000000000aa';
const PAST = '65b0000000000000000000bb';



const upcoming = (answer: MyUpcomingMeeting['answer']): MyUpcomingMeeting => ({
  id: MEETING,
  title: { lv: 'Uzraudzības padomes sēde', en: 'Supervisory council meeting' },
  // 13.00–14.30 in Riga in summer time.
  startsAt: new Date('2026-06-11T10:00:00Z'),
  endsAt: new Date('2026-06-11T11:30:00Z'),
  place: 'Valsts kancelejas Bibliotēka',
  onlineUrl: '',
  answer,
});

const past = (minutes: MyPastMeeting['minutes']): MyPastMeeting => ({
  id: PAST,
  kind: 'council',
  title: { lv: 'Padomes sēde martā', en: 'Council meeting in March' },
  startsAt: new Date('2026-03-27T11:00:00Z'),
  endsAt: new Date('2026-03-27T12:30:00Z'),
  minutes,
  decisions: [{ number: 1, title: { lv: 'Progresa ziņojums', en: 'Progress report' }, decision: 'Pieņemt zināšanai.' }],
});

// A home view's blocks are typed as any block; ours are all known ones.
const known = (blocks: types.AnyBlock[]) => blocks as types.KnownBlock[];
const texts = (blocks: types.AnyBlock[]) =>
  known(blocks).flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : b.type === 'context' ? b.elements.map((e) => ('text' in e ? e.text : '')) : []));
const buttons = (blocks: types.AnyBlock[]) =>
  known(blocks).flatMap((b) => (b.type === 'section' && b.accessory?.type === 'button' ? [b.accessory] : []));

describe('homeView with meetings', () => {
  it('shows the answer with a change button, and a past meeting with its decisions and minutes link', () => {
    const meetings: MyMeetings = {
      language: 'lv',
      timeZone: 'Europe/Riga',
      upcoming: [upcoming({ answer: 'deputy', deputyName: 'Jānis Ozols', waitlisted: false })],
      past: [past({ label: 'Protokols Nr. 1', url: 'https://www.mk.gov.lv/protokols-1.pdf', fileName: null })],
    };
    const view = homeView(manyMeasures(1), meetings);
    const all = texts(view.blocks);
    expect(all).toContain(
      'Uzraudzības padomes sēde\n2026. gada 11. jūnijs, 13.00–14.30\nValsts kancelejas Bibliotēka\nJūsu atbilde: sūtu aizvietotāju: Jānis Ozols',
    );
    expect(all).toContain('Padomes sēde martā\n2026. gada 27. marts, 13.00–14.30\n\n1. Progresa ziņojums\nPadomes lēmums: Pieņemt zināšanai.');
    const [report, change, minutes] = buttons(view.blocks);
    expect(report?.text.text).toBe('Ziņot: 1.0');
    expect(change?.text.text).toBe('Mainīt atbildi');
    expect(parseMeetingAction(change?.value ?? '')).toEqual({ kind: 'change', meetingId: MEETING });
    expect(minutes).toMatchObject({ url: 'https://www.mk.gov.lv/protokols-1.pdf', text: { text: 'Protokols' } });
    expect(isLinkAction(minutes?.action_id ?? '')).toBe(true);
    // Below "my measures", footer last.
    const headers = known(view.blocks).flatMap((b) => (b.type === 'header' ? [b.text.text] : []));
    expect(headers).toEqual(['Mani pasākumi', 'Gaidāmās sēdes', 'Pagājušās sēdes']);
    expect(view.blocks.at(-1)?.type).toBe('context');
  });

  it('asks for an answer not yet given, in English, and says where file minutes went', () => {
    const meetings: MyMeetings = {
      language: 'en',
      timeZone: 'Europe/London',
      upcoming: [upcoming(null)],
      past: [past({ label: 'Minutes 1', url: null, fileName: 'minutes-1.pdf' }), { ...past(null), id: MEETING }],
    };
    const view = homeView({ ...manyMeasures(0), language: 'en', timeZone: 'Europe/London' }, meetings);
    const all = texts(view.blocks);
    expect(all).toContain('Supervisory council meeting\n11 June 2026, 11:00–12:30\nValsts kancelejas Bibliotēka\nYour answer: not yet');
    expect(buttons(view.blocks).map((b) => b.text.text)).toEqual(['Answer']);
    expect(all).toContain('The minutes "Minutes 1" were sent as a file in our conversation.');
    expect(all).toContain('The minutes are not available yet.');
  });

  it('keeps the meetings within Slack’s 100 blocks when the measures would fill them', () => {
    const meetings: MyMeetings = {
      language: 'lv',
      timeZone: 'Europe/Riga',
      upcoming: Array.from({ length: 10 }, () => upcoming({ answer: 'on_site', deputyName: '', waitlisted: true })),
      past: Array.from({ length: 5 }, () => past(null)),
    };
    const view = homeView(manyMeasures(60), meetings);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(texts(view.blocks).filter((t) => t.endsWith('Jūsu atbilde: piedalīšos klātienē (gaidīšanas sarakstā)'))).toHaveLength(10);
    expect(texts(view.blocks).filter((t) => t === 'Protokols vēl nav pieejams.')).toHaveLength(5);
    expect(view.blocks.at(-1)?.type).toBe('context');
  });
});
