import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t, tBoth } from '../../src/i18n/index.js';
import { TEMPORARY_ERROR } from '../../src/bots/slack/texts.js';
import { ChannelIdentityModel, ContactModel } from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { sectionText } from '../support/slack-requests.js';
import type { FakeMessage } from '../support/fake-slack.js';
import { SLACK_PEOPLE } from '../support/slack-people.js';

useTestDatabase();

/**
 * Linking by e-mail when Slack itself has trouble: a lookup that failed because Slack did not
 * answer is not remembered as "we do not know this person"; and a linked person's bad link is a
 * bad link, not a stranger.
 */

const { LIGA } = SLACK_PEOPLE;
let h: SlackHarness;

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  h = await startSlackHarness({ users: [LIGA] });
});
afterAll(async () => {
  await h.close();
});

async function replyTo(send: () => Promise<{ status: number }>): Promise<FakeMessage> {
  const dm = h.fake.dmOf(LIGA.id);
  const before = h.fake.messagesIn(dm).length;
  expect((await send()).status).toBe(200);
  return h.fake.nextMessage(dm, before);
}

describe('Slack linking during a Slack outage', () => {
  it('says "try again shortly" while users.info is rate limited, and links at the next message', async () => {
    h.fake.rateLimitNext('users.info', 30);
    const first = await replyTo(() => h.requests.dm(LIGA.id, 'Labdien!'));
    // Posted as plain text by the listener's guard (context.ts), as for any failure on our side.
    expect(first.text).toBe(TEMPORARY_ERROR);
    expect(first.text).not.toBe(tBoth('access.unknown_person'));
    const liga = await ContactModel.findOne({ email: LIGA.email }).orFail();
    expect(await ChannelIdentityModel.countDocuments({ contact: liga._id, channel: 'slack' })).toBe(0);

    // Slack answers again: the next message asks once more (not an hour later) and links her.
    await replyTo(() => h.requests.dm(LIGA.id, 'Vai tagad?'));
    expect(h.fake.callsTo('users.info').filter((c) => c.args.user === LIGA.id)).toHaveLength(2);
    expect(await ChannelIdentityModel.countDocuments({ contact: liga._id, channel: 'slack', active: true })).toBe(1);
  });

  it('tells a linked person that a bad link is not valid, not that we do not know them', async () => {
    const reply = await replyTo(() => h.requests.command(LIGA.id, 'link not-a-real-token'));
    expect(sectionText(reply)).toBe(t('lv', 'invite.invalid'));
  });
});
