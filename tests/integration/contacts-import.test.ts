import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { importContacts } from '../../src/domain/plan/contacts-import.js';
import { exportPlanCsv, exportPlanMarkdown, PLAN_CSV_COLUMNS } from '../../src/domain/plan/plan-export.js';
import { importPlan } from '../../src/domain/plan/plan-import.js';
import { AuditEntryModel, ContactModel, MeasureModel } from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { demoContactsText, importDemoContacts, loadShippedPlan, SHIPPED_PLAN_KEY } from '../support/plan.js';

useTestDatabase();

beforeAll(async () => {
  await loadShippedPlan();
});

const options = { planKey: SHIPPED_PLAN_KEY, actor: 'test' };

async function codesOf(email: string): Promise<string[]> {
  const contact = await ContactModel.findOne({ email }).orFail().lean();
  const measures = await MeasureModel.find({ _id: { $in: contact.measures } }).sort({ order: 1 }).lean();
  return measures.map((m) => m.code);
}

/** Contacts as stored, to prove a rejected file changed nothing at all. */
const contactsSnapshot = async () => JSON.stringify(await ContactModel.find().sort({ email: 1 }).lean());

describe('importing contacts', () => {
  it('imports the demo contacts with their roles, languages and measures', async () => {
    const summary = await importDemoContacts();
    expect(summary.contacts).toEqual({ total: 6, created: 6, updated: 0 });
    expect(await ContactModel.countDocuments()).toBe(6);

    const coordinator = await ContactModel.findOne({ email: 'ilze.berzina@example.lv' }).orFail().lean();
    expect(coordinator).toMatchObject({ name: 'Ilze Bērziņa', institution: 'VK', roles: ['coordinator', 'forum_member'], language: 'lv' });
    expect(coordinator.timeZone).toBe('Europe/Riga');
    expect(await codesOf('janis.kalnins@example.lv')).toEqual(['6.1', '6.2', '6.3']);
    expect(await codesOf('liga.ozola@example.lv')).toEqual(['3.3']);
    const partner = await ContactModel.findOne({ email: 'kristaps.ozolins@example.lv' }).orFail().lean();
    expect(partner).toMatchObject({ institution: 'PROVIDUS', language: 'en', timeZone: 'Europe/London', roles: ['partner', 'forum_member'] });
    expect(await AuditEntryModel.countDocuments({ action: 'contacts.import' })).toBe(1);
  });

  it('updates on re-import and never duplicates', async () => {
    // Saved from a spreadsheet: byte order mark, Windows line ends, a trailing row of bare commas.
    const changed = `\ufeff${demoContactsText()},,,,,,\n`
      .replace(/\n/g, '\r\n')
      .replace('Līga Ozola,liga.ozola@example.lv,FM,contact_person,3.3,', 'Līga Ozola-Kalna,LIGA.OZOLA@example.lv,FM,contact_person,3.3;3.4,');
    const result = await importContacts(changed, options);
    expect(result).toMatchObject({ ok: true, summary: { contacts: { total: 6, created: 0, updated: 1 } } });
    expect(await ContactModel.countDocuments()).toBe(6);
    expect(await ContactModel.countDocuments({ email: 'liga.ozola@example.lv' })).toBe(1);
    expect((await ContactModel.findOne({ email: 'liga.ozola@example.lv' }).orFail().lean()).name).toBe('Līga Ozola-Kalna');
    expect(await codesOf('liga.ozola@example.lv')).toEqual(['3.3', '3.4']);

    const again = await importContacts(changed, options);
    expect(again).toMatchObject({ ok: true, summary: { contacts: { total: 6, created: 0, updated: 0 } } });
    await importDemoContacts();
    expect(await codesOf('liga.ozola@example.lv')).toEqual(['3.3']);
  });

  it("replaces only this plan's measures of a person who also works on another plan", async () => {
    const otherPlan = `plan:
  key: lv-nap-6
  number: 6
  title: { lv: Sestais plāns, en: Sixth plan }
  startYear: 2026
  endYear: 2029
institutions: []
commitments:
  - number: 1
    title: { lv: Uzticēšanās, en: Trust }
measures:
  - code: '1.1'
    commitment: 1
    title: { lv: Pasākums, en: Measure }
`;
    expect((await importPlan(otherPlan, { actor: 'test' })).ok).toBe(true);
    const sixth = 'name,email,institution,roles,measures,language\nJānis Kalniņš,janis.kalnins@example.lv,VARAM,contact_person,1.1,lv\n';
    expect((await importContacts(sixth, { planKey: 'lv-nap-6', actor: 'test' })).ok).toBe(true);
    expect(await codesOf('janis.kalnins@example.lv')).toEqual(['1.1', '6.1', '6.2', '6.3']);

    await importDemoContacts();
    const contact = await ContactModel.findOne({ email: 'janis.kalnins@example.lv' }).orFail().lean();
    expect(contact.measures).toHaveLength(4);
  });

  it('rejects a file with bad rows as a whole, naming each line and field, and changes nothing', async () => {
    const bad = [
      'name,email,institution,roles,measures,language,time_zone',
      'Anna Liepa,anna.liepa@example.lv,VK,contact_person,1.1,lv,', // fine on its own, still not written
      'Anna Kalna,anna@,VK,contact_person,1.2,lv,',
      'Pēteris Sils,peteris.sils@example.lv,VARAM,contact_person,6.1;7.9,lv,',
      'Rūta Ābele,ruta.abele@example.lv,FM,contact_person;boss,3.3,lv,',
      'Anna Liepa,Anna.Liepa@example.lv,VK,forum_member,,lv,',
      'Oskars Egle,oskars.egle@example.lv,XYZ,contact_person,4.1.a,de,Europe/Rīga',
      '"Zane',
      'Bērza",zane.berza@example.lv,VK,forum_member,,lv,',
      'Inga Vītola,inga.vitola@example.lv,VK,contact_person,2.1,lv,,extra',
    ].join('\n');
    const before = await contactsSnapshot();
    const audits = await AuditEntryModel.countDocuments();

    const result = await importContacts(bad, options);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(({ line, field }) => ({ line, field }))).toEqual([
      { line: 3, field: 'email' },
      { line: 4, field: 'measures' },
      { line: 5, field: 'roles' },
      { line: 6, field: 'email' },
      { line: 7, field: 'institution' },
      { line: 7, field: 'measures' },
      { line: 7, field: 'language' },
      { line: 7, field: 'time_zone' },
      { line: 10, field: '(row)' },
    ]);
    const [email, measure, role, duplicate, institution, subItem, language, zone] = result.problems.map((p) => p.message);
    expect(email).toBe("'anna@' is not an e-mail address");
    expect(measure).toMatch(/unknown measure '7\.9'/);
    expect(role).toMatch(/unknown role 'boss'; roles are coordinator, contact_person, forum_member, partner/);
    expect(duplicate).toBe("'anna.liepa@example.lv' is already on line 2; one row per person");
    expect(institution).toMatch(/unknown institution 'XYZ'/);
    expect(subItem).toMatch(/'4\.1\.a' is a sub-item of measure 4\.1/);
    expect(language).toMatch(/must be lv or en; got 'de'/);
    expect(zone).toMatch(/'Europe\/Rīga' is not an IANA time zone/);

    expect(await contactsSnapshot()).toBe(before);
    expect(await AuditEntryModel.countDocuments()).toBe(audits);
  });

  it('imports a list of 180 people in one go', async () => {
    const header = 'name,email,institution,roles,measures,language';
    const rows = Array.from({ length: 180 }, (_, i) => `Persona ${i},persona.${i}@example.lv,VARAM,forum_member,,lv`);
    const before = await ContactModel.countDocuments();
    const result = await importContacts([header, ...rows].join('\n'), options);
    expect(result).toMatchObject({ ok: true, summary: { contacts: { total: 180, created: 180, updated: 0 } } });
    expect(await ContactModel.countDocuments()).toBe(before + 180);
  });

  it('rejects a file for a plan that does not exist, and a header with missing columns', async () => {
    const noPlan = await importContacts(demoContactsText(), { planKey: 'lv-nap-99', actor: 'test' });
    expect(noPlan).toMatchObject({ ok: false, problems: [{ field: 'plan' }] });
    const header = await importContacts('name,e-mail,roles\nAnna,anna@example.lv,coordinator\n', options);
    expect(header.ok).toBe(false);
    if (header.ok) return;
    expect(header.problems).toEqual([
      { line: 1, field: 'header', message: expect.stringContaining("unknown column 'e-mail'") },
      { line: 1, field: 'header', message: 'missing column(s): email, institution, measures, language' },
    ]);
  });
});

describe('exporting the plan', () => {
  it('gives a CSV with the 26 measures and their statuses', async () => {
    const result = await exportPlanCsv(SHIPPED_PLAN_KEY);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rows).toBe(26);
    const rows = parse(result.text, { columns: true }) as Record<(typeof PLAN_CSV_COLUMNS)[number], string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...PLAN_CSV_COLUMNS]);
    expect(rows).toHaveLength(26);
    expect(rows.map((r) => r.code)).toContain('4.1');
    const counts = rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ not_started: 3, in_progress: 12, substantial: 8, completed: 3 });
    expect(rows.find((r) => r.code === '5.3')).toMatchObject({
      commitment: '5',
      institutions: 'VNĪ; VZD; FM; VK; NEPLP',
      status: 'substantial',
      status_label_lv: 'būtisks progress',
      as_of: '2025-03-27',
    });
    expect(rows.find((r) => r.code === '5.3')?.note.split('\n')).toHaveLength(5);
    expect(rows.find((r) => r.code === '1.1')?.status_label_lv).toBe('nav uzsākts');

    const withBom = await exportPlanCsv(SHIPPED_PLAN_KEY, { bom: true });
    expect(withBom.ok && withBom.text.startsWith('\ufeffcommitment,')).toBe(true);
  });

  it('gives a Markdown table with the 26 measures and the council’s summary', async () => {
    const result = await exportPlanMarkdown(SHIPPED_PLAN_KEY);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const tableRows = result.text.split('\n').filter((line) => /^\| \d \| \d\.\d \|/.test(line));
    expect(tableRows).toHaveLength(26);
    expect(result.text).toContain('- 26 pasākumi:');
    expect(result.text).toContain('  - 3 pasākumi nav uzsākti');
    expect(result.text).toContain('  - 11 pasākumi pabeigti vai ir būtisks progress');
    expect(result.text).toContain('  - 12 pasākumi uzsākti un izpilde ir procesā');
    expect(result.text).toContain('uz 27.03.2025.');
    const row53 = tableRows.find((line) => line.startsWith('| 5 | 5.3 |')) ?? '';
    expect(row53).toContain('| substantial | būtisks progress |');
    expect(row53).toContain('<br>b) Pabeigts darbs');
  });

  it('says so when the plan does not exist', async () => {
    expect(await exportPlanCsv('lv-nap-99')).toMatchObject({ ok: false, problems: [{ field: 'plan' }] });
  });
});
