import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { t } from '../../src/i18n/index.js';
import { MeetingModel } from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { sectionText } from '../support/slack-requests.js';

/** `/ogp meeting new` on Slack: the slash command opens the authoring form; its refusals show under the fields. */

useTestDatabase();

const clock = DateTime.fromISO('2026-01-30T09:05', { zone: 'Europe/Riga' }).toJSDate();
const ILZE = { id: 'UILZE0001', email: 'ilze.berzina@example.lv', name: 'Ilze Bērziņa' };
let h: SlackHarness;

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  h = await startSlackHarness({ users: [ILZE], now: () => clock });
});

afterAll(async () => {
  await h?.close();
});

describe('meeting authoring on Slack', () => {
  it('opens the form from the slash command, names every problem under its field, then saves', async () => {
    const dm = h.fake.dmOf(ILZE.id);
    const views = h.fake.views.length;
    const res = await h.requests.command(ILZE.id, 'meeting new');
    expect(res.status).toBe(200);
    const question = await h.fake.nextMessage(dm, 0);
    expect(sectionText(question)).toContain(t('lv', 'meeting_authoring.ask_kind'));
    const form = await h.fake.waitFor(() => h.fake.views[views]);
    expect(form.view.callback_id).toBe('ogp_form');
    expect(form.view.private_metadata).toBe(JSON.stringify({ f: 'meeting-authoring', c: '' }));

    const refused = await h.requests.submitView(ILZE.id, form, { kind: 'council', title: 'Padome', start: '2026-03-27 10:00', end: '09:00', audience: 'everyone' });
    expect(refused.json()).toEqual({
      response_action: 'errors',
      errors: {
        end: t('lv', 'meeting_authoring.error.end_before_start', { start: '2026-03-27 10:00', end: '2026-03-27 09:00' }),
        place: t('lv', 'meeting_authoring.error.place'),
      },
    });
    expect(await MeetingModel.countDocuments()).toBe(0);

    const posted = h.fake.messagesIn(dm).length;
    const accepted = await h.requests.submitView(ILZE.id, form, { kind: 'council', title: 'Padome', start: '2026-03-27 10:00', end: '12:00', place: 'Rīga', audience: 'everyone' });
    expect(accepted.text).toBe('');
    const confirmation = await h.fake.nextMessage(dm, posted);
    expect(sectionText(confirmation)).toBe(t('lv', 'meeting_authoring.saved_new', { title: 'Padome', key: 'council-2026-03-27' }));
    expect(await MeetingModel.findOne({ key: 'council-2026-03-27' }).lean()).toMatchObject({ place: 'Rīga', kind: 'council' });
  });
});
