import { DateTime, IANAZone } from 'luxon';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { INSTITUTION_KINDS } from '../../models/institution.js';
import { MEASURE_STATUSES } from '../../models/measure-status.js';
import { FORUM_TIME_ZONE } from '../../models/shared.js';
import { showValue, sortProblems, type ImportProblem } from './plan-import-problem.js';

/**
 * The plan file (config/plans/*.yaml): a plan, its institutions, commitments and measures with the
 * status the council last saw. Parsing keeps the YAML's positions so every problem names its line.
 */

const text = z.string('must be text').trim().min(1, 'must not be empty');
const bilingual = z.strictObject({ lv: text, en: text });
const wholeNumber = z.int('must be a whole number');
const institutionCode = text.regex(/^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u, 'must be an abbreviation such as VK or PROVIDUS (letters, digits, . _ -)');

const MEASURE_CODE = /^(\d+)\.(\d+)(?:\.([a-z]))?$/;
const SUB_ITEM_CODE = /^(\d+)\.(\d+)(?:\.([a-z]))?\.([a-z])$/;

const subItemSchema = z.strictObject({
  code: text.regex(SUB_ITEM_CODE, 'must be the measure code and a letter, such as 3.2.a'),
  title: bilingual,
});

const statusSchema = z.strictObject({
  status: z.enum(MEASURE_STATUSES),
  note: z.string('must be text').trim().default(''),
});

const measureSchema = z.strictObject({
  code: text.regex(MEASURE_CODE, 'must be a measure code such as 3.5 (commitment.measure)'),
  commitment: wholeNumber.min(1, 'must be 1 or more'),
  title: bilingual,
  subItems: z.array(subItemSchema, 'must be a list').default([]),
  institutions: z.array(institutionCode, 'must be a list of institution codes').default([]),
  partners: z.array(institutionCode, 'must be a list of partner codes').default([]),
  status: statusSchema.optional(),
});

const planFileSchema = z.strictObject({
  plan: z.strictObject({
    key: text.regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and -, such as lv-nap-5'),
    number: wholeNumber.min(1, 'must be 1 or more'),
    title: bilingual,
    startYear: wholeNumber.min(1990, 'must be a year such as 2022').max(2100, 'must be a year such as 2022'),
    endYear: wholeNumber.min(1990, 'must be a year such as 2025').max(2100, 'must be a year such as 2025'),
    /** Left out: the importer's default zone (TZ_DEFAULT). */
    timeZone: text.refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Riga').optional(),
    statusAsOf: z.iso.date('must be a date written as YYYY-MM-DD, such as 2025-03-27').optional(),
  }),
  institutions: z.array(
    z.strictObject({ code: institutionCode, name: bilingual, kind: z.enum(INSTITUTION_KINDS).default('institution') }),
    'must be a list',
  ),
  commitments: z.array(z.strictObject({ number: wholeNumber.min(1, 'must be 1 or more'), title: bilingual }), 'must be a list'),
  measures: z.array(measureSchema, 'must be a list'),
});

type PlanFileInput = z.output<typeof planFileSchema>;
/** A checked plan file, its zone filled in. */
export type PlanFile = Omit<PlanFileInput, 'plan'> & { plan: PlanFileInput['plan'] & { timeZone: string } };
export type PlanFileMeasure = PlanFile['measures'][number];

export type ParsePlanResult = { ok: true; plan: PlanFile } | { ok: false; problems: ImportProblem[] };

export type Path = readonly (string | number)[];

/** `measures[3].title.en` */
export function fieldName(path: Path): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part), '') || '(file)';
}

/** Sort key that keeps 3.10 after 3.9 and 4.1.b after 4.1.a. */
export function measureOrder(code: string): number {
  const match = MEASURE_CODE.exec(code);
  if (!match) throw new Error(`not a measure code: ${code}`);
  const letter = match[3] ? match[3].charCodeAt(0) - 96 : 0;
  return Number(match[1]) * 1000 + Number(match[2]) + letter / 100;
}

/** The day the council saw these statuses, as the start of that day in the plan's zone. */
export function statusAsOfDate(plan: PlanFile['plan']): Date | undefined {
  return plan.statusAsOf ? DateTime.fromISO(plan.statusAsOf, { zone: plan.timeZone }).startOf('day').toJSDate() : undefined;
}

export function lineOf(doc: Document, counter: LineCounter, path: Path): number | undefined {
  // A missing field has no node of its own: point at the nearest enclosing one instead.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  array: 'a list',
  object: 'a mapping of field: value',
};

export function issueMessage(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && input === undefined) return 'is required';
  if (issue.code === 'invalid_type') return `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${showValue(input)}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}; got ${showValue(input)}`;
  return input === undefined || typeof input === 'object' ? issue.message : `${issue.message}; got ${showValue(input)}`;
}

const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.map((item) => (item && typeof item === 'object' ? (item as Record<string, unknown>) : {})) : [];
const strings = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * Rules that span entries (duplicates, references between lists). They run on the raw data even
 * when the schema found problems elsewhere, so one run reports everything.
 */
function crossCheck(raw: Record<string, unknown>, report: (path: Path, message: string) => void): void {
  const plan = raw.plan && typeof raw.plan === 'object' ? (raw.plan as Record<string, unknown>) : {};
  if (typeof plan.startYear === 'number' && typeof plan.endYear === 'number' && plan.endYear < plan.startYear) {
    report(['plan', 'endYear'], `must not be before startYear (${plan.startYear})`);
  }

  const kinds = new Map<string, unknown>();
  records(raw.institutions).forEach((institution, i) => {
    if (typeof institution.code !== 'string') return;
    if (kinds.has(institution.code)) report(['institutions', i, 'code'], `'${institution.code}' is listed twice`);
    else kinds.set(institution.code, institution.kind ?? 'institution');
  });

  const commitments = new Set<unknown>();
  records(raw.commitments).forEach((commitment, i) => {
    if (commitments.has(commitment.number)) report(['commitments', i, 'number'], `commitment ${showValue(commitment.number)} is listed twice`);
    commitments.add(commitment.number);
  });

  const measureCodes = new Map<string, number>();
  const subItemCodes = new Set<string>();
  let anyStatus = false;
  records(raw.measures).forEach((measure, i) => {
    const code = typeof measure.code === 'string' ? measure.code : undefined;
    const match = code ? MEASURE_CODE.exec(code) : null;
    if (code) {
      if (measureCodes.has(code)) report(['measures', i, 'code'], `measure ${code} is listed twice (first as measures[${measureCodes.get(code)}])`);
      else measureCodes.set(code, i);
    }
    if (typeof measure.commitment === 'number') {
      if (!commitments.has(measure.commitment)) report(['measures', i, 'commitment'], `there is no commitment ${measure.commitment} in commitments`);
      if (match && Number(match[1]) !== measure.commitment) {
        report(['measures', i, 'commitment'], `measure ${code} belongs to commitment ${match[1]}, not ${measure.commitment}`);
      }
    }
    records(measure.subItems).forEach((item, j) => {
      if (typeof item.code !== 'string' || !code) return;
      if (!item.code.startsWith(`${code}.`)) report(['measures', i, 'subItems', j, 'code'], `'${item.code}' must start with the measure code ${code}.`);
      if (subItemCodes.has(item.code)) report(['measures', i, 'subItems', j, 'code'], `'${item.code}' is listed twice`);
      subItemCodes.add(item.code);
    });
    for (const list of ['institutions', 'partners'] as const) {
      const wanted = list === 'institutions' ? 'institution' : 'partner';
      const seen = new Set<string>();
      strings(measure[list]).forEach((entry, j) => {
        if (typeof entry !== 'string') return;
        if (seen.has(entry)) report(['measures', i, list, j], `'${entry}' is listed twice`);
        seen.add(entry);
        const kind = kinds.get(entry);
        if (kind === undefined) report(['measures', i, list, j], `'${entry}' is not in the institutions list at the top of the file`);
        else if (kind !== wanted) report(['measures', i, list, j], `'${entry}' is a ${String(kind)}; list it under ${kind === 'partner' ? 'partners' : 'institutions'}`);
      });
    }
    if (measure.status !== undefined) anyStatus = true;
  });
  if (anyStatus && plan.statusAsOf === undefined) {
    report(['plan', 'statusAsOf'], 'is required when measures have a status: the date the statuses were true, such as 2025-03-27');
  }
}

/** `defaultTimeZone` is the plan's zone when the file names none (the TZ_DEFAULT setting). */
export function parsePlanFile(source: string, options: { defaultTimeZone?: string } = {}): ParsePlanResult {
  const counter = new LineCounter();
  const doc = parseDocument(source, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        line: error.linePos?.[0].line ?? counter.linePos(error.pos[0]).line,
        field: '(YAML syntax)',
        message: error.message.split('\n')[0] ?? error.message,
      })),
    };
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ line: 1, field: '(file)', message: 'must be a YAML mapping with plan, institutions, commitments and measures' }] };
  }

  const problems: ImportProblem[] = [];
  const report = (path: Path, message: string) => problems.push({ line: lineOf(doc, counter, path), field: fieldName(path), message });

  const parsed = planFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) report([...path, key], 'is not a field of the plan file (check the spelling)');
      } else {
        report(path, issueMessage(issue));
      }
    }
  }
  crossCheck(raw as Record<string, unknown>, report);

  if (problems.length > 0 || !parsed.success) return { ok: false, problems: sortProblems(problems) };
  const { plan } = parsed.data;
  return { ok: true, plan: { ...parsed.data, plan: { ...plan, timeZone: plan.timeZone ?? options.defaultTimeZone ?? FORUM_TIME_ZONE } } };
}
