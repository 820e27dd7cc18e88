import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import { IANAZone } from 'luxon';
import type { Types } from 'mongoose';
import { z } from 'zod';
import { AuditEntryModel } from '../../models/audit-entry.js';
import { CONTACT_ROLES, ContactModel, type ContactRole } from '../../models/contact.js';
import { InstitutionModel } from '../../models/institution.js';
import { MeasureModel } from '../../models/measure.js';
import { PlanModel } from '../../models/plan.js';
import { FORUM_TIME_ZONE, LANGUAGES, type Language } from '../../models/shared.js';
import { showValue, sortProblems, type ImportProblem, type ImportResult } from './plan-import-problem.js';
import type { ImportOptions } from './plan-import.js';

/**
 * Contact list import (CSV): who answers for which measures of one plan. Same contract as the plan
 * import: every problem in the file is reported, and nothing is written unless the file is clean.
 */

const CONTACT_COLUMNS = ['name', 'email', 'institution', 'roles', 'measures', 'language'] as const;
const OPTIONAL_CONTACT_COLUMNS = ['time_zone'] as const;

export interface ContactsImportOptions extends ImportOptions {
  planKey: string;
}

export interface ContactsImportSummary {
  planKey: string;
  contacts: { total: number; created: number; updated: number };
}

interface ContactRow {
  line: number;
  name: string;
  email: string;
  institution?: string;
  roles: ContactRole[];
  measureCodes: string[];
  language: Language;
  timeZone: string;
}

interface Known {
  institutions: Set<string>;
  /** Measure code → id; empty when the plan does not exist. */
  measures: Map<string, Types.ObjectId>;
  planFound: boolean;
  /** For people whose row names no zone. */
  timeZone: string;
}

const emailSchema = z.email();
const list = (value: string) =>
  value
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '');

interface RawRecord {
  line: number;
  values: string[];
}

function readCsv(text: string, problems: ImportProblem[]): RawRecord[] {
  try {
    // csv-parse counts a lone \r as a line of its own; normalise so line numbers match editors.
    const rows = parseCsv(text.replace(/\r\n?/g, '\n'), {
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      // Spreadsheets save trailing rows of bare commas; they are not contacts.
      skip_records_with_empty_values: true,
      relax_column_count: true,
    }) as { record: string[]; info: { lines: number } }[];
    // info.lines is where a record ends; a quoted value may span lines, so count back to its start.
    return rows.map(({ record, info }) => ({
      line: info.lines - record.reduce((n, value) => n + (value.split('\n').length - 1), 0),
      values: record,
    }));
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    problems.push({ line: typeof error.lines === 'number' ? error.lines : undefined, field: '(CSV syntax)', message: error.message });
    return [];
  }
}

function readHeader(record: RawRecord | undefined, problems: ImportProblem[]): Map<string, number> | undefined {
  if (!record) {
    problems.push({ line: 1, field: 'header', message: `the file is empty; the first line must be: ${CONTACT_COLUMNS.join(',')}` });
    return undefined;
  }
  const columns = new Map<string, number>();
  record.values.forEach((raw, index) => {
    const name = raw.toLowerCase();
    const allowed: readonly string[] = [...CONTACT_COLUMNS, ...OPTIONAL_CONTACT_COLUMNS];
    if (!allowed.includes(name)) problems.push({ line: record.line, field: 'header', message: `unknown column ${showValue(raw)}; the columns are ${allowed.join(', ')}` });
    else if (columns.has(name)) problems.push({ line: record.line, field: 'header', message: `column '${name}' appears twice` });
    else columns.set(name, index);
  });
  const missing = CONTACT_COLUMNS.filter((name) => !columns.has(name));
  if (missing.length > 0) problems.push({ line: record.line, field: 'header', message: `missing column(s): ${missing.join(', ')}` });
  return missing.length > 0 ? undefined : columns;
}

function readRow(record: RawRecord, columns: Map<string, number>, width: number, known: Known, problems: ImportProblem[]): ContactRow {
  const line = record.line;
  const report = (field: string, message: string) => problems.push({ line, field, message });
  const get = (name: string) => {
    const index = columns.get(name);
    return index === undefined ? '' : (record.values[index] ?? '');
  };
  if (record.values.length !== width) {
    report('(row)', `has ${record.values.length} values but the header has ${width} columns (a comma inside a value needs "quotes")`);
  }

  const name = get('name');
  if (name === '') report('name', 'is required');

  const email = get('email').toLowerCase();
  if (email === '') report('email', 'is required');
  else if (!emailSchema.safeParse(email).success) report('email', `${showValue(get('email'))} is not an e-mail address`);

  const institution = get('institution');
  if (institution !== '' && !known.institutions.has(institution)) {
    const suggestion = [...known.institutions].find((code) => code.toLowerCase() === institution.toLowerCase());
    report('institution', `unknown institution ${showValue(institution)}${suggestion ? ` (did you mean '${suggestion}'?)` : '; import the plan file that lists it first'}`);
  }

  const roles: ContactRole[] = [];
  const roleList = list(get('roles'));
  if (roleList.length === 0) report('roles', `needs at least one of ${CONTACT_ROLES.join(', ')}`);
  for (const role of roleList) {
    if (!(CONTACT_ROLES as readonly string[]).includes(role)) report('roles', `unknown role ${showValue(role)}; roles are ${CONTACT_ROLES.join(', ')}`);
    else if (roles.includes(role as ContactRole)) report('roles', `role '${role}' is listed twice`);
    else roles.push(role as ContactRole);
  }

  const measureCodes: string[] = [];
  for (const code of list(get('measures'))) {
    if (measureCodes.includes(code)) {
      report('measures', `measure ${code} is listed twice`);
      continue;
    }
    measureCodes.push(code);
    if (!known.planFound || known.measures.has(code)) continue;
    const parent = code.replace(/\.[a-z]$/, '');
    report(
      'measures',
      parent !== code && known.measures.has(parent)
        ? `'${code}' is a sub-item of measure ${parent}; list the measure ${parent}`
        : `unknown measure ${showValue(code)}: the plan has no measure with that code`,
    );
  }

  const languageText = get('language').toLowerCase();
  if (!(LANGUAGES as readonly string[]).includes(languageText)) {
    report('language', languageText === '' ? `is required: ${LANGUAGES.join(' or ')}` : `must be ${LANGUAGES.join(' or ')}; got ${showValue(get('language'))}`);
  }

  const timeZone = get('time_zone') || known.timeZone;
  if (!IANAZone.isValidZone(timeZone)) report('time_zone', `${showValue(timeZone)} is not an IANA time zone such as Europe/Riga`);

  return { line, name, email, institution: institution || undefined, roles, measureCodes, language: languageText as Language, timeZone };
}

function checkDuplicates(rows: ContactRow[], problems: ImportProblem[]): void {
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    if (row.email === '') continue;
    const first = firstLine.get(row.email);
    if (first === undefined) firstLine.set(row.email, row.line);
    else problems.push({ line: row.line, field: 'email', message: `'${row.email}' is already on line ${first}; one row per person` });
  }
}

async function loadKnown(planKey: string, defaultTimeZone: string): Promise<Known> {
  const plan = await PlanModel.findOne({ key: planKey }).lean();
  const [institutions, measures] = await Promise.all([
    InstitutionModel.find({}, { code: 1 }).lean(),
    plan ? MeasureModel.find({ plan: plan._id }, { code: 1 }).lean() : Promise.resolve([]),
  ]);
  return {
    planFound: Boolean(plan),
    institutions: new Set(institutions.map((i) => i.code)),
    measures: new Map(measures.map((m) => [m.code, m._id])),
    // TZ_DEFAULT rather than the plan's zone: a person may work on several plans, and importing
    // another plan's list must not move them.
    timeZone: defaultTimeZone,
  };
}

const contactShape = (c: { name: string; institution?: string | null; roles: string[]; language: string; timeZone: string; measures: unknown[] }) =>
  JSON.stringify([c.name, c.institution ?? '', c.roles, c.language, c.timeZone, c.measures.map(String)]);

/**
 * Upserts by e-mail. A person may answer for measures of several plans: only this plan's measures
 * in their list are replaced, the others are kept. Unchanged contacts are not written, so their
 * `updatedAt` keeps saying when they last really changed.
 */
async function writeContacts(rows: ContactRow[], known: Known): Promise<{ created: number; updated: number }> {
  const planMeasureIds = new Set([...known.measures.values()].map(String));
  const existing = new Map((await ContactModel.find({ email: { $in: rows.map((r) => r.email) } }).lean()).map((c) => [c.email, c]));
  const writes = [];
  let updated = 0;
  for (const row of rows) {
    const stored = existing.get(row.email);
    const otherPlans = stored ? stored.measures.filter((id) => !planMeasureIds.has(String(id))) : [];
    // Every code was checked against the plan before anything is written.
    const measures = [...otherPlans, ...row.measureCodes.map((code) => known.measures.get(code) as Types.ObjectId)];
    const fields = { name: row.name, roles: row.roles, language: row.language, timeZone: row.timeZone, measures };
    if (stored && contactShape(stored) === contactShape({ ...fields, institution: row.institution })) continue;
    if (stored) updated += 1;
    writes.push({
      updateOne: {
        filter: { email: row.email },
        update: row.institution ? { $set: { ...fields, institution: row.institution } } : { $set: fields, $unset: { institution: 1 as const } },
        upsert: true,
      },
    });
  }
  if (writes.length === 0) return { created: 0, updated: 0 };
  const result = await ContactModel.bulkWrite(writes);
  return { created: result.upsertedCount, updated };
}

export async function importContacts(csvText: string, options: ContactsImportOptions): Promise<ImportResult<ContactsImportSummary>> {
  const problems: ImportProblem[] = [];
  const known = await loadKnown(options.planKey, options.defaultTimeZone ?? FORUM_TIME_ZONE);
  if (!known.planFound) problems.push({ field: 'plan', message: `there is no plan '${options.planKey}'; import its plan file first (import-plan)` });

  const [headerRecord, ...records] = readCsv(csvText, problems);
  const columns = headerRecord ? readHeader(headerRecord, problems) : problems.length === 0 ? readHeader(undefined, problems) : undefined;
  const rows = columns && headerRecord ? records.map((record) => readRow(record, columns, headerRecord.values.length, known, problems)) : [];
  checkDuplicates(rows, problems);
  if (columns && rows.length === 0) problems.push({ line: 2, field: '(file)', message: 'has no contacts below the header' });

  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };

  const { created, updated } = await writeContacts(rows, known);
  const summary: ContactsImportSummary = { planKey: options.planKey, contacts: { total: rows.length, created, updated } };
  await AuditEntryModel.create({
    actor: options.actor,
    action: 'contacts.import',
    subject: `plan:${options.planKey}`,
    details: { contacts: summary.contacts },
  });
  return { ok: true, summary };
}
