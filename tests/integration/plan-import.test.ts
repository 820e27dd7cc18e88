import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { importPlan } from '../../src/domain/plan/plan-import.js';
import { projectRoot } from '../../src/infra/local-services.js';
import {
  AuditEntryModel,
  CommitmentModel,
  councilGroup,
  InstitutionModel,
  MeasureModel,
  PlanModel,
  type MeasureStatus,
} from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { loadShippedPlan, shippedPlanText } from '../support/plan.js';

useTestDatabase();

const EXPECTED_CODES = [
  '1.1', '1.2', '1.3', '1.4', '1.5',
  '2.1', '2.2', '2.3', '2.4', '2.5',
  '3.1', '3.2', '3.3', '3.4', '3.5', '3.6',
  '4.1', '4.2', '4.3', '4.4',
  '5.1', '5.2', '5.3',
  '6.1', '6.2', '6.3',
];

/** Everything an import writes, as plain JSON, to prove a rejected file changed nothing. */
async function snapshot() {
  const [plans, commitments, measures, institutions, audit] = await Promise.all([
    PlanModel.find().sort({ key: 1 }).lean(),
    CommitmentModel.find().sort({ plan: 1, number: 1 }).lean(),
    MeasureModel.find().sort({ plan: 1, order: 1 }).lean(),
    InstitutionModel.find().sort({ code: 1 }).lean(),
    AuditEntryModel.find().sort({ at: 1 }).lean(),
  ]);
  return JSON.stringify({ plans, commitments, measures, institutions, audit });
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('importing the shipped 5th plan', () => {
  it('stores the plan, 6 commitments and exactly the 26 measures with the council’s 3/12/11 statuses', async () => {
    const summary = await loadShippedPlan();
    expect(summary.planKey).toBe('lv-nap-5');
    expect(summary.commitments).toEqual({ total: 6, created: 6, updated: 0 });
    expect(summary.measures).toEqual({ total: 26, created: 26, updated: 0 });
    expect(summary.statuses.written).toHaveLength(26);

    const plan = await PlanModel.findOne({ key: 'lv-nap-5' }).orFail().lean();
    expect(plan).toMatchObject({ number: 5, startYear: 2022, endYear: 2025, timeZone: 'Europe/Riga' });
    // 27 March 2025, 00:00 in Riga (UTC+2 until the clocks change on 30 March).
    expect(plan.statusAsOf?.toISOString()).toBe('2025-03-26T22:00:00.000Z');

    expect(await CommitmentModel.countDocuments({ plan: plan._id })).toBe(6);
    const measures = await MeasureModel.find({ plan: plan._id }).sort({ order: 1 }).lean();
    expect(measures.map((m) => m.code)).toEqual(EXPECTED_CODES);

    const groups = { not_started: 0, in_progress: 0, completed_or_substantial: 0 };
    for (const m of measures) {
      const group = councilGroup(m.currentStatus?.status as MeasureStatus);
      if (group) groups[group] += 1;
    }
    expect(groups).toEqual({ not_started: 3, in_progress: 12, completed_or_substantial: 11 });
    expect(measures.filter((m) => m.currentStatus?.status === 'not_started').map((m) => m.code)).toEqual(['1.1', '4.3', '6.1']);
    for (const m of measures) {
      expect(m.currentStatus).toMatchObject({ source: 'import', asOf: plan.statusAsOf });
    }
  });

  it('keeps sub-items, institutions, partners and notes as the slides give them', async () => {
    const byCode = new Map((await MeasureModel.find().lean()).map((m) => [m.code, m]));
    expect(byCode.get('4.1')?.subItems.map((s) => s.code)).toEqual(['4.1.a', '4.1.b']);
    expect(byCode.get('3.2')?.subItems.map((s) => s.code)).toEqual(['3.2.a', '3.2.b', '3.2.c', '3.2.d', '3.2.e', '3.2.f']);
    expect(byCode.get('5.3')?.subItems.map((s) => s.code)).toEqual(['5.3.a', '5.3.b', '5.3.c', '5.3.d', '5.3.e']);
    expect(byCode.get('6.3')?.subItems).toHaveLength(7);
    expect(byCode.get('1.3')?.institutions).toEqual(['VK', 'VAS']);
    expect(byCode.get('5.3')?.institutions).toEqual(['VNĪ', 'VZD', 'FM', 'VK', 'NEPLP']);
    expect(byCode.get('6.2')?.institutions).toEqual(['VARAM']);
    expect(byCode.get('2.5')?.partners).toEqual(['Delna']);
    expect(byCode.get('3.5')?.partners).toContain('PROVIDUS');
    expect(byCode.get('1.1')?.institutions).toEqual([]);
    expect(byCode.get('1.3')?.title.lv).toBe('Mācību pasākumi "Efektīva un jēgpilna sabiedrības līdzdalība"');
    expect(byCode.get('1.2')?.currentStatus?.note).toBe(
      'MK 15.10.2024. sēdē pieņemta jaunā Sabiedrības līdzdalības kārtība attīstības plānošanas procesā',
    );
    expect(byCode.get('5.3')?.currentStatus).toMatchObject({ status: 'substantial' });
    expect(byCode.get('5.3')?.currentStatus?.note.split('\n')).toHaveLength(5);

    const vk = await InstitutionModel.findOne({ code: 'VK' }).orFail().lean();
    expect(vk).toMatchObject({ name: { lv: 'Valsts kanceleja', en: 'State Chancellery' }, kind: 'institution' });
    expect(await InstitutionModel.findOne({ code: 'Delna' }).lean()).toMatchObject({ kind: 'partner' });
    expect(await AuditEntryModel.countDocuments({ action: 'plan.import', subject: 'plan:lv-nap-5' })).toBe(1);
  });

  it('is idempotent: importing the same file again changes nothing and duplicates nothing', async () => {
    const before = await MeasureModel.find().sort({ order: 1 }).lean();
    const summary = await loadShippedPlan();
    expect(summary.measures).toEqual({ total: 26, created: 0, updated: 0 });
    expect(summary.commitments).toEqual({ total: 6, created: 0, updated: 0 });
    expect(summary.institutions.created + summary.institutions.updated).toBe(0);
    expect(summary.statuses).toMatchObject({ written: [], keptNewer: [] });
    expect(summary.statuses.unchanged).toHaveLength(26);
    expect(await PlanModel.countDocuments()).toBe(1);
    expect(await CommitmentModel.countDocuments()).toBe(6);
    expect(await MeasureModel.countDocuments()).toBe(26);
    expect(JSON.stringify(await MeasureModel.find().sort({ order: 1 }).lean())).toBe(JSON.stringify(before));
    expect(await AuditEntryModel.countDocuments({ action: 'plan.import' })).toBe(2);
  });

  it('updates a changed title in place on re-import', async () => {
    const changed = shippedPlanText().replace('lv: Līdzdalības labās prakses pēcpusdienas', 'lv: Līdzdalības labās prakses pēcpusdienas (precizēts)');
    const result = await importPlan(changed, { actor: 'test' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.summary.measures).toEqual({ total: 26, created: 0, updated: 1 });
    expect(await MeasureModel.countDocuments()).toBe(26);
    const measure = await MeasureModel.findOne({ code: '1.4' }).orFail().lean();
    expect(measure.title.lv).toBe('Līdzdalības labās prakses pēcpusdienas (precizēts)');
    await loadShippedPlan();
    expect((await MeasureModel.findOne({ code: '1.4' }).orFail().lean()).title.lv).toBe('Līdzdalības labās prakses pēcpusdienas');
  });

  it('never overwrites a status that a reporting round wrote after the plan file’s date', async () => {
    const later = new Date('2025-06-02T09:00:00Z');
    const earlier = new Date('2025-01-15T09:00:00Z');
    await MeasureModel.updateOne({ code: '1.1' }, { $set: { currentStatus: { status: 'in_progress', note: 'Darba grupa izveidota', asOf: later, source: 'round-2025' } } });
    await MeasureModel.updateOne({ code: '4.3' }, { $set: { currentStatus: { status: 'in_progress', note: 'vecs', asOf: earlier, source: 'round-2024' } } });

    const summary = await loadShippedPlan();
    expect(summary.statuses.keptNewer).toEqual(['1.1']);
    expect(summary.statuses.written).toEqual(['4.3']);
    expect((await MeasureModel.findOne({ code: '1.1' }).orFail().lean()).currentStatus).toMatchObject({
      status: 'in_progress',
      note: 'Darba grupa izveidota',
      asOf: later,
      source: 'round-2025',
    });
    expect((await MeasureModel.findOne({ code: '4.3' }).orFail().lean()).currentStatus).toMatchObject({ status: 'not_started', source: 'import' });
  });
});

const BAD_PLAN = `plan:
  key: lv-nap-9
  number: 9
  title: { lv: Plāns, en: Plan }
  startYear: 2026
  endYear: 2029
  timeZone: Europe/Rīga
  statusAsOf: 2026-13-01
institutions:
  - code: VK
    name: { lv: Valsts kanceleja, en: State Chancellery }
commitments:
  - number: 1
    title: { lv: Apņemšanās, en: Commitment }
measures:
  - code: '1.1'
    commitment: 1
    title: { lv: Pasākums, en: Measure }
    institutions: [VK, XYZ]
    status: { status: done }
  - code: '1.1'
    commitment: 2
    title: { lv: Otrs }
    colour: red
`;

describe('a plan file with mistakes', () => {
  it('is rejected with every problem, each with its line and field, and nothing is written', async () => {
    const before = await snapshot();
    const result = await importPlan(BAD_PLAN, { actor: 'test' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const found = result.problems.map(({ line, field }) => ({ line, field }));
    expect(found).toEqual(
      expect.arrayContaining([
        { line: 7, field: 'plan.timeZone' },
        { line: 8, field: 'plan.statusAsOf' },
        { line: 19, field: 'measures[0].institutions[1]' },
        { line: 20, field: 'measures[0].status.status' },
        { line: 21, field: 'measures[1].code' },
        { line: 22, field: 'measures[1].commitment' },
        { line: 23, field: 'measures[1].title.en' },
        { line: 24, field: 'measures[1].colour' },
      ]),
    );
    const message = (field: string) => result.problems.find((p) => p.field === field)?.message;
    expect(message('measures[0].institutions[1]')).toMatch(/'XYZ' is not in the institutions list/);
    expect(message('measures[0].status.status')).toMatch(/must be one of not_started, in_progress.*got 'done'/);
    expect(message('measures[1].title.en')).toBe('is required');
    expect(await snapshot()).toBe(before);
  });

  it('reports YAML syntax errors with their line', async () => {
    const result = await importPlan('plan:\n  key: lv-nap-9\n  title: [unclosed\nmeasures: []\n', { actor: 'test' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ field: '(YAML syntax)' });
    expect(result.problems[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('leaves a stored plan untouched when its own file turns bad', async () => {
    const before = await snapshot();
    const text = shippedPlanText()
      .replace("code: '4.2'", "code: '4.2x'")
      .replace('lv: Ietvara dokuments par sabiedrības līdzdalību un pilsonisko dialogu', 'lv: Mainīts nosaukums');
    const result = await importPlan(text, { actor: 'test' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({ line: lineOf(text, "code: '4.2x'"), field: 'measures[17].code' }),
    ]);
    expect(await snapshot()).toBe(before);
  });
});

describe('the CLI', () => {
  const run = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), 'ogp-cli-'));
  const database = `ogp_cli_${Math.random().toString(36).slice(2, 10)}`;
  const env = () => ({ ...process.env, MONGODB_URI: `${inject('mongoServerUri')}/${database}`, REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'silent' });
  const cli = (...args: string[]) => cliWith({}, ...args);
  const cliWith = (settings: Record<string, string>, ...args: string[]) =>
    run(join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli/main.ts', ...args], { cwd: projectRoot, env: { ...env(), ...settings } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await mongoose.connection.useDb(database).dropDatabase();
  });

  it('exits 1 and prints every problem of a bad plan file', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, BAD_PLAN);
    const { code, stderr } = await cli('import-plan', file);
    expect(code).toBe(1);
    expect(stderr).toContain('nothing was changed');
    expect(stderr).toContain('line 7, field plan.timeZone (laika josla):');
    expect(stderr).toContain("line 19, field measures[0].institutions[1] (atbildīgās institūcijas): 'XYZ'");
  });

  it('imports the shipped plan and the demo contacts, then exports the table', async () => {
    const plan = await cli('import-plan', 'config/plans/lv-nap-5.yaml');
    expect(plan.stderr).not.toContain('problem');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('measures:     26 (26 new, 0 changed)');
    const contacts = await cli('import-contacts', 'config/contacts/demo-contacts.csv', '--plan', 'lv-nap-5');
    expect(contacts.code).toBe(0);
    expect(contacts.stdout).toContain('Imported 6 contacts');
    const csv = await cli('export-plan', '--plan', 'lv-nap-5', '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('commitment,code,title_lv,title_en,institutions,status,status_label_lv,note,as_of');
    expect(csv.stdout).toContain('6,6.3,');
    const wrong = await cli('export-plan', '--plan', 'lv-nap-5', '--format', 'pdf');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--format must be csv or md');
  }, 60_000);

  it('gives a plan file and contact rows that name no zone the TZ_DEFAULT setting', async () => {
    const planFile = join(dir, 'no-zone.yaml');
    writeFileSync(
      planFile,
      'plan:\n  key: lv-nap-8\n  number: 8\n  title: { lv: Plāns, en: Plan }\n  startYear: 2030\n  endYear: 2033\n' +
        'institutions:\n  - code: VK\n    name: { lv: Valsts kanceleja, en: State Chancellery }\n' +
        "commitments:\n  - number: 1\n    title: { lv: Apņemšanās, en: Commitment }\nmeasures:\n  - code: '1.1'\n    commitment: 1\n    title: { lv: Pasākums, en: Measure }\n",
    );
    const contactsFile = join(dir, 'no-zone.csv');
    writeFileSync(
      contactsFile,
      'name,email,institution,roles,measures,language,time_zone\nAnna Zona,anna.zona@example.lv,VK,contact_person,1.1,lv,\nBen Zone,ben.zone@example.lv,VK,partner,,en,Europe/London\n',
    );
    const settings = { TZ_DEFAULT: 'Europe/Vilnius' };
    expect((await cliWith(settings, 'import-plan', planFile)).code).toBe(0);
    expect((await cliWith(settings, 'import-contacts', contactsFile, '--plan', 'lv-nap-8')).code).toBe(0);
    const db = mongoose.connection.useDb(database);
    expect(await db.collection('plans').findOne({ key: 'lv-nap-8' })).toMatchObject({ timeZone: 'Europe/Vilnius' });
    expect(await db.collection('contacts').findOne({ email: 'anna.zona@example.lv' })).toMatchObject({ timeZone: 'Europe/Vilnius' });
    expect(await db.collection('contacts').findOne({ email: 'ben.zone@example.lv' })).toMatchObject({ timeZone: 'Europe/London' });
  }, 60_000);
});
