/**
 * What the plan and contacts imports report. Every problem in a file is collected before anything
 * is written, so a coordinator fixes the whole file in one pass instead of one error per run.
 */
export interface ImportProblem {
  /** 1-based line in the file; absent when the problem is not tied to a line (e.g. unknown plan). */
  line?: number;
  /** Where in the record: `email`, `measures[3].title.en`, `header`, … */
  field: string;
  message: string;
}

export type ImportResult<Summary> = { ok: true; summary: Summary } | { ok: false; problems: ImportProblem[] };

/** Latvian names of the fields coordinators know from the plan documents and contact lists. */
const LATVIAN_FIELD_NAMES: Record<string, string> = {
  plan: 'plāns',
  key: 'atslēga',
  number: 'numurs',
  title: 'nosaukums',
  startYear: 'sākuma gads',
  endYear: 'beigu gads',
  timeZone: 'laika josla',
  time_zone: 'laika josla',
  statusAsOf: 'statuss uz datumu',
  institutions: 'atbildīgās institūcijas',
  institution: 'institūcija',
  partners: 'sadarbības partneri',
  commitments: 'apņemšanās',
  commitment: 'apņemšanās',
  measures: 'pasākumi',
  subItems: 'apakšpunkti',
  code: 'kods',
  kind: 'veids',
  status: 'statuss',
  note: 'piezīme',
  name: 'vārds, uzvārds',
  email: 'e-pasts',
  roles: 'lomas',
  language: 'valoda',
  header: 'galvene',
  // The meeting file (domain/meetings/meeting-file.ts).
  start: 'sākums',
  end: 'beigas',
  place: 'norises vieta',
  onlineUrl: 'saite uz tiešsaisti',
  registrationDeadline: 'pieteikšanās termiņš',
  capacity: 'vietu skaits',
  agenda: 'darba kārtība',
  presenter: 'ziņotājs',
  materials: 'materiāli',
  label: 'apraksts',
  url: 'saite',
  audience: 'uzaicinātie',
  people: 'personas',
  organizer: 'organizators',
};

/** The Latvian name of a field path's last named part, when there is one. */
function latvianFieldName(field: string): string | undefined {
  const last = field.replace(/\[\d+\]/g, '').split('.').pop() ?? '';
  const name = LATVIAN_FIELD_NAMES[last];
  return name && name !== last ? name : undefined;
}

/** `line 4, field email (e-pasts): 'anna@' is not an e-mail address` */
export function formatProblem(problem: ImportProblem): string {
  const lv = latvianFieldName(problem.field);
  const field = `field ${problem.field}${lv ? ` (${lv})` : ''}`;
  return problem.line === undefined ? `${field}: ${problem.message}` : `line ${problem.line}, ${field}: ${problem.message}`;
}

/** File order, so the list reads top to bottom like the file. */
export function sortProblems(problems: ImportProblem[]): ImportProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** A value quoted the way the messages show it, kept short. */
export function showValue(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
