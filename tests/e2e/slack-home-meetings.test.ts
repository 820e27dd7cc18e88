import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactModel, MeetingModel, RsvpModel, rsvpId } from '../../src/models/index.js';
import { encodeMeetingAction } from '../../src/domain/meetings/rsvp-actions.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { buttonsOf } from '../support/slack-requests.js';
import { SLACK_PEOPLE } from '../support/slack-people.js';

/**
 * The App Home's meetings through the real Bolt app and the fake Slack API: a forum member who
 * opens the Home tab sees the upcoming council meeting with their answer and a button to change
 * it, and the past one with its decision and a link to the minutes, in their language and zone.
 */

useTestDatabase();

const clock = new Date('2026-04-01T07:00:00Z');
const { KRISTAPS, LIGA } = SLACK_PEOPLE;
let h: SlackHarness;
let upcomingId = '';

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  const common = {
    kind: 'council' as const,
    place: 'Valsts kancelejas Bibliotēka',
    agenda: [{ number: 1, title: { lv: 'Progresa ziņojums', en: 'Progress report' }, presenter: 'VK' }],
    audience: { roles: ['forum_member'] },
  };
  const upcoming = await MeetingModel.create({
    ...common,
    key: 'padome-2026-06',
    title: { lv: 'Uzraudzības padomes sēde', en: 'Supervisory council meeting' },
    startsAt: new Date('2026-06-11T10:00:00Z'),
    endsAt: new Date('2026-06-11T11:30:00Z'),
  });
  upcomingId = String(upcoming._id);
  await MeetingModel.create({
    ...common,
    key: 'padome-2026-03',
    title: { lv: 'Padomes sēde martā', en: 'Council meeting in March' },
    startsAt: new Date('2026-03-27T11:00:00Z'),
    endsAt: new Date('2026-03-27T12:30:00Z'),
    agenda: [{ ...common.agenda[0], decision: 'Pieņemt zināšanai.' }],
    minutes: { label: 'Protokols Nr. 1', url: 'https://www.mk.gov.lv/protokols-1.pdf' },
    minutesSentAt: new Date('2026-03-28T08:00:00Z'),
  });
  const kristaps = await ContactModel.findOne({ email: KRISTAPS.email }).orFail().lean();
  await RsvpModel.create({ _id: rsvpId(upcomingId, String(kristaps._id)), meeting: upcoming._id, contact: kristaps._id, answer: 'online', answeredAt: clock });
  h = await startSlackHarness({ users: [KRISTAPS, LIGA], now: () => clock });
});

afterAll(async () => {
  await h?.close();
});

describe('Slack App Home: meetings', () => {
  it('shows a member the upcoming meeting with their answer and a change button, and the past one with decisions and minutes', async () => {
    await h.requests.homeOpened(KRISTAPS.id);
    const home = await h.fake.waitFor(() => h.fake.homeViews.get(KRISTAPS.id));
    const text = JSON.stringify(home.view.blocks);
    // Kristaps reads English in London: 13.00 in Riga is 11:00 for him.
    expect(text).toContain('Upcoming meetings');
    expect(text).toContain('Supervisory council meeting\\n11 June 2026, 11:00–12:30\\nValsts kancelejas Bibliotēka\\nYour answer: attending online');
    expect(text).toContain('Past meetings');
    expect(text).toContain('1. Progress report\\nCouncil decision: Pieņemt zināšanai.');
    const buttons = buttonsOf(home.view.blocks).map((b) => b.element);
    const change = buttons.find((b) => b.text.text === 'Change answer');
    expect(change?.value).toBe(encodeMeetingAction({ kind: 'change', meetingId: upcomingId }));
    expect(buttons.find((b) => b.text.text === 'Minutes')).toMatchObject({ url: 'https://www.mk.gov.lv/protokols-1.pdf' });
    expect(home.view.blocks.length).toBeLessThanOrEqual(100);

    // The change button asks the question again in the DM, with the answer buttons.
    const dm = h.fake.dmOf(KRISTAPS.id);
    const before = h.fake.messagesIn(dm).length;
    expect((await h.requests.pressInHome(KRISTAPS.id, home, 'Change answer')).status).toBe(200);
    const question = await h.fake.nextMessage(dm, before);
    expect(question.text).toContain('Supervisory council meeting');
    expect(question.text).toContain('attending online');
    const answers = buttonsOf(question.blocks).map((b) => b.element.value);
    expect(answers).toContain(encodeMeetingAction({ kind: 'answer', answer: 'on_site', meetingId: upcomingId }));
  });

  it('shows no meetings to someone outside their audience', async () => {
    await h.requests.homeOpened(LIGA.id);
    const home = await h.fake.waitFor(() => h.fake.homeViews.get(LIGA.id));
    const text = JSON.stringify(home.view.blocks);
    expect(text).toContain('Gaidāmu sēžu nav.');
    expect(text).not.toContain('Uzraudzības padomes sēde');
    expect(text).not.toContain('Pagājušās sēdes');
  });
});
