import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cancelMeeting, saveMeeting } from '../../src/domain/meetings/meetings.js';
import { formatProblem } from '../../src/domain/plan/plan-import-problem.js';
import { projectRoot } from '../../src/infra/local-services.js';
import { AuditEntryModel, ContactModel, MeetingModel, PlanModel } from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';

const database = useTestDatabase();

const examplePath = join(projectRoot, 'config/meetings/padome-2026-03.yaml');
const example = readFileSync(examplePath, 'utf8');
/** 1 March 2026, weeks before the example meeting on 26 March. */
const NOW = new Date('2026-03-01T09:00:00Z');

/** The example file under another key, with some lines replaced (`field: value` → new text). */
function variant(key: string, replace: Record<string, string> = {}): string {
  let text = example.replace(/^key: .*$/m, `key: ${key}`);
  for (const [from, to] of Object.entries(replace)) {
    if (!text.includes(from)) throw new Error(`the example has no '${from}'`);
    text = text.replace(from, to);
  }
  return text;
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

async function snapshot() {
  const [meetings, audit] = await Promise.all([MeetingModel.find().sort({ key: 1 }).lean(), AuditEntryModel.find({ subject: /^meeting:/ }).lean()]);
  return JSON.stringify({ meetings, audit });
}

async function save(text: string, now = NOW) {
  return saveMeeting(text, { actor: 'test', now });
}

async function saved(text: string, now = NOW) {
  const result = await save(text, now);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result;
}

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
});

describe('a meeting file with mistakes', () => {
  it('names every problem — end before start, unknown audience, a non-http link, a 5,000-character item — and saves nothing', async () => {
    const longItem = 'ļ'.repeat(5000);
    const text = variant('padome-bad', {
      'end: 2026-03-26 14:30': 'end: 2026-03-26 12:00\nonlineUrl: ftp://files.example.lv/sede',
      'lv: Starptautiskais konteksts': `lv: ${longItem}`,
      'roles: [forum_member, coordinator]': 'roles: [forum_member]\n  institutions: [VK, XYZ]\n  people: [nobody@example.lv]',
    });
    const before = await snapshot();
    const result = await save(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { line: lineOf(text, 'end: '), field: 'end', message: 'must be after the start (2026-03-26 13:00); got 2026-03-26 12:00' },
      { line: lineOf(text, 'onlineUrl:'), field: 'onlineUrl', message: expect.stringContaining("must be a web address starting with https:// or http://; got 'ftp://") },
      { line: lineOf(text, longItem), field: 'agenda[0].title.lv', message: expect.stringContaining('must be at most 500 characters') },
      { line: lineOf(text, 'XYZ'), field: 'audience.institutions[1]', message: "'XYZ' is not a known institution code (such as VK or VARAM)" },
      { line: lineOf(text, 'nobody@'), field: 'audience.people[0]', message: "nobody has the e-mail 'nobody@example.lv' (import the contact list first)" },
    ]);
    // The printed form names the field in Latvian too.
    expect(formatProblem(result.problems[0]!)).toBe(`line ${lineOf(text, 'end: ')}, field end (beigas): must be after the start (2026-03-26 13:00); got 2026-03-26 12:00`);
    expect(await snapshot()).toBe(before);
  });

  it('refuses a time in the spring-forward gap and one the autumn clock change repeats, naming why', async () => {
    const text = variant('padome-dst', {
      'start: 2026-03-26 13:00': 'start: 2026-03-29 03:30',
      'end: 2026-03-26 14:30': 'end: 2026-10-25 03:30',
      'registrationDeadline: 2026-03-23 17:00': 'registrationDeadline: 2026-03-20 17:00',
    });
    const result = await save(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        line: lineOf(text, 'start:'),
        field: 'start',
        message: "'2026-03-29 03:30' does not exist in Europe/Riga: the clocks go forward that night; choose a time outside the skipped hour",
      },
      {
        line: lineOf(text, 'end:'),
        field: 'end',
        message: "'2026-10-25 03:30' happens twice in Europe/Riga (at +03:00 and +02:00): the clocks go back that night; choose a time outside the repeated hour",
      },
    ]);
    expect(await MeetingModel.countDocuments({ key: 'padome-dst' })).toBe(0);
  });

  it('checks the names against the database (commitments of the plan, the organizer a coordinator) and that the start is ahead', async () => {
    const text = variant('padome-names', {
      'organizer: ilze.berzina@example.lv': 'organizer: arturs.liepins@example.lv',
      'roles: [forum_member, coordinator]': 'commitments: [3, 9]',
      'start: 2026-03-26 13:00': 'start: 2026-02-26 13:00',
      'end: 2026-03-26 14:30': 'end: 2026-02-26 14:30',
      'registrationDeadline: 2026-03-23 17:00': 'registrationDeadline: 2026-02-23 17:00',
    });
    const result = await save(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'start: is already past (it is 2026-03-01 11:00 in Europe/Riga now)',
      'registrationDeadline: is already past (it is 2026-03-01 11:00 in Europe/Riga now)',
      "organizer: 'arturs.liepins@example.lv' (Artūrs Liepiņš) is not an active coordinator; the organizer must be one",
      'audience.commitments[1]: plan lv-nap-5 has no commitment 9 (it has 1, 2, 3, 4, 5, 6)',
    ]);
    expect(await MeetingModel.countDocuments({ key: 'padome-names' })).toBe(0);
  });

  it('wants a place or a link, commitments with their plan, and no unknown fields', async () => {
    const text = variant('padome-fields', {
      'place: Valsts kancelejas Bibliotēka, Brīvības bulvāris 36, Rīga\n': '',
      'plan: lv-nap-5\n': '',
      'roles: [forum_member, coordinator]': 'commitments: [3]',
      'capacity: 40': 'capacity: 40\npersonalCode: required',
    });
    const result = await save(text);
    expect(result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'place: give a place, an online link (onlineUrl), or both',
      'personalCode: is not a field of the meeting file (check the spelling)',
      'audience.commitments: commitments are numbers of a plan: name it with plan (such as plan: lv-nap-5)',
    ]);
  });
  it('takes the same fields as an object (a chat flow\'s answers), its problems without lines', async () => {
    const result = await saveMeeting(
      {
        key: 'forums-chat',
        kind: 'forum',
        title: { lv: 'Forums' },
        start: '2026-04-02 10:00',
        end: '2026-04-02 09:00',
        onlineUrl: 'javascript:alert(1)',
        organizer: 'ilze.berzina@example.lv',
        audience: { roles: ['forum_member'] },
      },
      { actor: 'test', now: NOW },
    );
    expect(result.ok ? [] : result.problems).toEqual([
      { line: undefined, field: 'onlineUrl', message: "must be a web address starting with https:// or http://; got 'javascript:alert(1)'" },
      { line: undefined, field: 'end', message: 'must be after the start (2026-04-02 10:00); got 2026-04-02 09:00' },
    ]);
  });
});

describe('creating, editing and cancelling', () => {
  it('creates the example council meeting with instants in Riga time and an audit entry', async () => {
    const result = await saved(example);
    expect(result.created).toBe(true);
    const meeting = await MeetingModel.findOne({ key: 'padome-2026-03' }).orFail().lean();
    const plan = await PlanModel.findOne({ key: 'lv-nap-5' }).orFail().lean();
    const ilze = await ContactModel.findOne({ email: 'ilze.berzina@example.lv' }).orFail().lean();
    expect(meeting).toMatchObject({
      kind: 'council',
      plan: plan._id,
      organizer: ilze._id,
      timeZone: 'Europe/Riga',
      place: 'Valsts kancelejas Bibliotēka, Brīvības bulvāris 36, Rīga',
      onlineUrl: '',
      capacity: 40,
      state: 'announced',
      sequence: 0,
      audience: { roles: ['forum_member', 'coordinator'], institutions: [], commitments: [], contacts: [] },
    });
    // Riga is UTC+2 until 29 March 2026.
    expect(meeting.startsAt.toISOString()).toBe('2026-03-26T11:00:00.000Z');
    expect(meeting.endsAt.toISOString()).toBe('2026-03-26T12:30:00.000Z');
    expect(meeting.registrationDeadline?.toISOString()).toBe('2026-03-23T15:00:00.000Z');
    expect(meeting.agenda.map((a) => a.number)).toEqual([1, 2, 3]);
    expect(meeting.materials.map((m) => m.url)).toEqual(['https://www.mk.gov.lv/lv/atverta-parvaldiba', 'https://www.opengovpartnership.org/members/latvia/']);
    expect(await AuditEntryModel.find({ subject: 'meeting:padome-2026-03' }).lean()).toEqual([
      expect.objectContaining({ action: 'meeting.create', actor: 'test', at: NOW }),
    ]);
  });

  it('leaves the meeting alone when the same file is imported again', async () => {
    const before = await snapshot();
    const result = await saved(example);
    expect(result).toMatchObject({ created: false, changes: [], changedFields: [] });
    expect(await snapshot()).toBe(before);
  });

  it('an agenda or title edit keeps the sequence (and the decisions); time, place and link raise it', async () => {
    // By index: FerretDB has no positional $ operator.
    await MeetingModel.updateOne({ key: 'padome-2026-03' }, { $set: { 'agenda.1.decision': 'Pieņemt zināšanai.' } });
    const reworded = example
      .replace('5. plāna 2022.–2025. gadam izpilde un gala ziņojums', '5. plāna 2022.–2025. gadam gala ziņojums')
      .replace('en: Meeting of the supervisory council', 'en: Session of the supervisory council');
    const edit = await saved(reworded);
    expect(edit).toMatchObject({ created: false, changes: [], changedFields: ['title', 'agenda'] });
    let meeting = await MeetingModel.findOne({ key: 'padome-2026-03' }).orFail().lean();
    expect(meeting).toMatchObject({ sequence: 0, lastChange: [] });
    expect(meeting.agenda[1]).toMatchObject({ title: { lv: '5. plāna 2022.–2025. gadam gala ziņojums' }, decision: 'Pieņemt zināšanai.' });

    const later = reworded.replace('start: 2026-03-26 13:00', 'start: 2026-03-26 13:30').replace('end: 2026-03-26 14:30', 'end: 2026-03-26 15:00');
    expect(await saved(later)).toMatchObject({ changes: ['time'] });
    meeting = await MeetingModel.findOne({ key: 'padome-2026-03' }).orFail().lean();
    expect(meeting).toMatchObject({ sequence: 1, lastChange: ['time'] });
    expect(meeting.startsAt.toISOString()).toBe('2026-03-26T11:30:00.000Z');

    const moved = later
      .replace('place: Valsts kancelejas Bibliotēka', 'place: Valsts kancelejas Sēžu zāle')
      .replace('capacity: 40', 'capacity: 40\nonlineUrl: https://meet.example.lv/padome');
    expect(await saved(moved)).toMatchObject({ changes: ['place', 'link'] });
    meeting = await MeetingModel.findOne({ key: 'padome-2026-03' }).orFail().lean();
    expect(meeting).toMatchObject({ sequence: 2, lastChange: ['place', 'link'], onlineUrl: 'https://meet.example.lv/padome' });

    const actions = (await AuditEntryModel.find({ subject: 'meeting:padome-2026-03' }).sort({ _id: 1 }).lean()).map((a) => a.action);
    expect(actions).toEqual(['meeting.create', 'meeting.edit', 'meeting.edit', 'meeting.edit']);
  });

  it('cancels: state cancelled, sequence +1; then neither a second cancel nor an edit is accepted', async () => {
    const at = new Date('2026-03-10T08:00:00Z');
    const result = await cancelMeeting({ key: 'padome-2026-03', actor: 'test', now: at });
    expect(result.ok).toBe(true);
    const meeting = await MeetingModel.findOne({ key: 'padome-2026-03' }).orFail().lean();
    expect(meeting).toMatchObject({ state: 'cancelled', sequence: 3, cancelledAt: at });
    expect(await AuditEntryModel.findOne({ subject: 'meeting:padome-2026-03', action: 'meeting.cancel' }).lean()).toMatchObject({ at, details: { sequence: 3 } });

    expect(await cancelMeeting({ key: 'padome-2026-03', actor: 'test', now: at })).toMatchObject({ ok: false, error: { code: 'already_cancelled' } });
    expect(await cancelMeeting({ key: 'no-such-meeting', actor: 'test', now: at })).toMatchObject({ ok: false, error: { code: 'unknown_meeting' } });
    const before = await snapshot();
    const edit = await save(example, at);
    expect(edit.ok ? [] : edit.problems).toEqual([
      { line: lineOf(example, 'key:'), field: 'key', message: 'meeting padome-2026-03 was cancelled on 2026-03-10 10:00 and cannot be edited; give a new meeting a new key' },
    ]);
    expect(await snapshot()).toBe(before);
  });

  it('does not cancel a meeting that has already taken place', async () => {
    await saved(variant('forums-2026-03'));
    const after = new Date('2026-03-27T08:00:00Z');
    expect(await cancelMeeting({ key: 'forums-2026-03', actor: 'test', now: after })).toMatchObject({ ok: false, error: { code: 'already_over' } });
  });
});

describe('the meeting command', () => {
  const run = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), 'ogp-meeting-'));
  // This file's database, where the plan and the demo contacts are loaded already.
  const env = () => ({ ...process.env, MONGODB_URI: database.uri(), REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'silent' });
  const cli = (...args: string[]) =>
    run(join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli/main.ts', ...args], { cwd: projectRoot, env: env() }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 with every problem printed, imports a good file, lists it, and cancels it once', async () => {
    // Far ahead, so the test does not depend on today's date.
    const ahead = (text: string) => text.replaceAll('2026-03-', '2036-03-');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, ahead(variant('padome-cli', { 'end: 2026-03-26 14:30': 'end: 2026-03-26 12:00', 'roles: [forum_member, coordinator]': 'institutions: [XYZ]' })));
    const refused = await cli('meeting', 'import', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('2 problems, nothing was changed');
    expect(refused.stderr).toContain('field end (beigas): must be after the start');
    expect(refused.stderr).toContain("field audience.institutions[0] (atbildīgās institūcijas): 'XYZ' is not a known institution code");

    const good = join(dir, 'good.yaml');
    writeFileSync(good, ahead(variant('padome-cli')));
    const created = await cli('meeting', 'import', good);
    expect(created.stderr).not.toContain('problem');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created meeting padome-cli');

    const list = await cli('meeting', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('padome-cli\t2036-03-26 13:00–14:30 Europe/Riga\tcouncil\tannounced\t0\t');

    expect((await cli('meeting', 'cancel', '--key', 'padome-cli')).code).toBe(0);
    const again = await cli('meeting', 'cancel', '--key', 'padome-cli');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Meeting "padome-cli" is already cancelled.');
    expect(await MeetingModel.findOne({ key: 'padome-cli' }).lean()).toMatchObject({ state: 'cancelled', sequence: 1 });
    expect((await cli('meeting', 'cancel')).code).toBe(2);
  }, 90_000);
});
