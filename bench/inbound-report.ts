import type { CommandLedger, CommandTally } from './inbound-counters.js';
import type { ReportOutcome, StepSample } from './inbound-people.js';

/** What bench/inbound.ts prints: the figures, each next to the issue's goal with a verdict. */

export type Mode = 'polling' | 'webhook';

/** Issue 10's goals on this machine. */
export const GOALS = { p50: 10, p99: 50, stepsPerSecond: 150, crowdP99: 500, dbCommands: 4 };

export interface OneResult {
  samples: StepSample[];
  reports: number;
  cpu: string;
  /** Collection sizes when the run began. */
  stores?: string;
}

export interface ButtonAnswers {
  presses: number;
  late: number;
  never: number;
  slowestMs: number;
}

export interface CrowdResult {
  samples: StepSample[];
  outcomes: ReportOutcome[];
  seconds: number;
  capped: boolean;
  /** False when the bot was still working DRAIN_MS after the run ended. */
  settled: boolean;
  buttons: ButtonAnswers;
  dbCommands: number;
  redisCommands: number;
  cpu: string;
  /** Reports the service saved (audit entries); the bare bot saves nothing. */
  saved?: number;
  stores?: string;
}

export interface ModeResults {
  one?: OneResult;
  crowd?: CrowdResult;
  bareOne?: OneResult;
  bareCrowd?: CrowdResult;
}

export interface ReportSettings {
  steps: string[];
  warmup: number;
  people: number;
  thinkMs: number;
  crowdSeconds: number;
  lateAnswerMs: number;
}

/** The ledger books one person's steps under this label. */
export const stepLabel = (mode: Mode, step: string) => `${mode} · ${step}`;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? 'goal met' : 'goal NOT met');
/** A latency in a table: one decimal under 100 ms; "never" for a step not answered before the cap. */
const ms = (n: number) => (Number.isNaN(n) ? '—' : Number.isFinite(n) ? (n < 100 ? fmt(n, 1) : fmt(n)) : 'never');
const msUnit = (n: number) => (Number.isFinite(n) ? `${ms(n)} ms` : ms(n));
const ratio = (ours: number, bare: number) => (Number.isFinite(ours) && bare > 0 ? `×${fmt(ours / bare, ours / bare < 1 ? 2 : 1)}` : '—');

/** Nearest rank: with 30 samples p99 is the slowest one. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const latencies = (samples: StepSample[] = [], step?: string) => samples.filter((s) => step === undefined || s.step === step).map((s) => s.ms);
const p3 = (values: number[]) => [percentile(values, 50), percentile(values, 95), percentile(values, 99)];
const cells = (values: number[]) => values.map((v) => ms(v).padStart(8)).join('');

export function printResults(results: Map<Mode, ModeResults>, ledger: CommandLedger, settings: ReportSettings): void {
  console.log(`\nLatency: from the update being available to the bot (queued for getUpdates, or the webhook POST begun) to the bot's next message at the fake.`);
  for (const [mode, r] of results) if (r.one) printOnePerson(mode, r, settings);
  printCommandsPerStep(results, ledger, settings);
  console.log(
    `\n(b) ${settings.people} people at once, each thinking ${fmt(settings.thinkMs)} ms between steps, arriving over the first ${fmt(settings.thinkMs)} ms; each run capped at ${settings.crowdSeconds} s.` +
      `\n    The fake does not refuse old callback queries ("query is too old"): the delay from a press to its answerCallbackQuery is counted instead.`,
  );
  for (const [mode, r] of results) {
    console.log(` ${mode}:`);
    if (r.crowd) printCrowd('ours', r.crowd, settings);
    if (r.bareCrowd) printCrowd('bare grammY', r.bareCrowd, settings);
  }
  console.log(`\n(c) Ours / bare grammY on the same fake (the ceiling):`);
  for (const [mode, r] of results) printRatios(mode, r, settings);
}

function printOnePerson(mode: Mode, r: ModeResults, settings: ReportSettings): void {
  const ours = r.one!;
  console.log(`\n(a) One person at a time, ${mode}: ${ours.reports} reports of ${settings.steps.length} steps after ${settings.warmup} warm-up ones; ms`);
  if (ours.stores) console.log(`    (documents when it began: ${ours.stores})`);
  console.log(`  ${'step'.padEnd(20)}${'ours p50'.padStart(9)}${'p95'.padStart(8)}${'p99'.padStart(8)}   ${'bare p50'.padStart(9)}${'p95'.padStart(8)}${'p99'.padStart(8)}   ours/bare p50, p99`);
  for (const name of [...settings.steps, 'all steps']) {
    const step = name === 'all steps' ? undefined : name;
    const o = p3(latencies(ours.samples, step));
    const b = p3(latencies(r.bareOne?.samples, step));
    console.log(`  ${name.padEnd(20)} ${cells(o)}    ${cells(b)}   ${ratio(o[0]!, b[0]!)}, ${ratio(o[2]!, b[2]!)}`);
  }
  const all = latencies(ours.samples);
  const [p50 = Number.NaN, , p99 = Number.NaN] = p3(all);
  console.log(`  ours: p50 ${msUnit(p50)} — goal ≤ ${GOALS.p50} ms: ${verdict(p50 <= GOALS.p50)}; p99 ${msUnit(p99)} — goal ≤ ${GOALS.p99} ms: ${verdict(p99 <= GOALS.p99)}`);
  console.log(`  ${ours.cpu} (ours)${r.bareOne ? `; ${r.bareOne.cpu} (bare)` : ''}`);
}

/** "find contacts [scan] 1.2/3.4 ms": how often per step (when not once) and the mean time inside, per mode. */
function describeKinds(tallies: (CommandTally | undefined)[], steps: number[]): string {
  const first = tallies.find(Boolean);
  if (!first) return '0';
  return [...first.byKind.keys()]
    .map((kind) => {
      const count = first.byKind.get(kind)!.count / steps[tallies.indexOf(first)]!;
      const times = tallies.map((t, i) => (t?.byKind.get(kind) ? fmt(t.byKind.get(kind)!.ms / steps[i]!, 1) : '—')).join('/');
      return `${kind}${count === 1 ? '' : ` ×${fmt(count, 1)}`} ${times}`;
    })
    .join(' · ');
}

function printCommandsPerStep(results: Map<Mode, ModeResults>, ledger: CommandLedger, settings: ReportSettings): void {
  const modes = [...results.keys()].filter((mode) => results.get(mode)!.one);
  if (modes.length === 0) return;
  console.log(
    `\nCommands per step, one person at a time (each command booked to the step in flight). [_id]: the filter is exactly {_id: x}, the only` +
      `\nfilter FerretDB 1.24/SQLite answers from an index; [scan]: it reads the whole collection. ms: mean time inside, ${modes.join('/')}.`,
  );
  const typical: number[] = [];
  for (const step of settings.steps) {
    const labels = modes.map((mode) => stepLabel(mode, step));
    const counts = labels.map((label) => ledger.steps.get(label) ?? 0);
    const db = labels.map((label) => ledger.db.get(label));
    const first = db.findIndex(Boolean);
    if (first < 0) continue;
    const mean = db[first]!.total / counts[first]!;
    typical.push(mean);
    const inside = modes
      .map((mode, i) => `${fmt((db[i]?.ms ?? 0) / Math.max(1, counts[i]!), 1)} ms of a ${msUnit(percentile(latencies(results.get(mode)!.one!.samples, step), 50))} median step (${mode})`)
      .join(', ');
    console.log(
      `  ${step}: ${fmt(mean, 1)} MongoDB commands (${fmt((db[first]!.total - db[first]!.writes) / counts[first]!, 1)} lookups, ${fmt(db[first]!.writes / counts[first]!, 1)} writes)` +
        ` — goal ≤ ${GOALS.dbCommands}: ${verdict(mean <= GOALS.dbCommands)}; inside them ${inside}`,
    );
    console.log(`      ${describeKinds(db, counts)}`);
    const redis = labels.map((label) => ledger.redis.get(label));
    const redisFirst = redis.findIndex(Boolean);
    const redisCommands = redisFirst < 0 ? 0 : redis[redisFirst]!.total / counts[redisFirst]!;
    console.log(`      Redis: ${fmt(redisCommands, 1)}${redisFirst < 0 ? '' : ` (${[...redis[redisFirst]!.byKind.keys()].join(', ')})`}`);
  }
  const median = percentile(typical, 50);
  console.log(`  Typical step (median over the steps): ${fmt(median, 1)} MongoDB commands — goal ≤ ${GOALS.dbCommands}: ${verdict(median <= GOALS.dbCommands)}`);
}

function crowdFigures(result: CrowdResult) {
  const all = latencies(result.samples);
  const answered = all.filter(Number.isFinite).length;
  return { answered, rate: answered / result.seconds, p50: percentile(all, 50), p99: percentile(all, 99) };
}

function printCrowd(who: string, result: CrowdResult, settings: ReportSettings): void {
  const { answered, rate, p50, p99 } = crowdFigures(result);
  const count = (outcome: ReportOutcome) => result.outcomes.filter((o) => o === outcome).length;
  const { buttons } = result;
  console.log(
    `  ${who}: ${fmt(answered)} steps answered in ${fmt(result.seconds, 1)} s${result.capped ? ' (stopped at the cap)' : ''} = ${fmt(rate, 1)} steps/s` +
      ` — goal ≥ ${GOALS.stepsPerSecond}: ${verdict(rate >= GOALS.stepsPerSecond)}${result.stores ? `  (documents when it began: ${result.stores})` : ''}`,
  );
  console.log(
    `      p50 ${msUnit(p50)}, p99 ${msUnit(p99)} — goal p99 ≤ ${GOALS.crowdP99} ms: ${verdict(p99 <= GOALS.crowdP99)}; ` +
      `reports finished ${count('done')} of ${settings.people}${result.saved === undefined ? '' : ` (saved: ${result.saved})`}` +
      `${count('unanswered') ? `, ${count('unanswered')} people waiting for an answer at the cap` : ''}` +
      `${count('lost') ? `, ${count('lost')} got an answer without the expected button` : ''}`,
  );
  console.log(
    `      button presses ${buttons.presses}: answerCallbackQuery later than ${settings.lateAnswerMs / 1000} s ${buttons.late}, never ${buttons.never},` +
      ` slowest ${msUnit(buttons.slowestMs)} — goal none late: ${verdict(buttons.late + buttons.never === 0)}`,
  );
  // A capped run did work for steps that were never answered: per answered step, that work is in.
  console.log(
    `      MongoDB ${fmt(result.dbCommands, 1)} and Redis ${fmt(result.redisCommands, 1)} commands per answered step${result.capped ? ' (with the work for unanswered ones)' : ''}; ${result.cpu}`,
  );
  if (!result.settled) console.log(`      (the bot was still at work on it when the run ended; the button figures count what had been answered by then)`);
}

function printRatios(mode: Mode, r: ModeResults, settings: ReportSettings): void {
  const parts: string[] = [];
  if (r.one && r.bareOne) {
    const [o50 = 0, , o99 = 0] = p3(latencies(r.one.samples));
    const [b50 = 0, , b99 = 0] = p3(latencies(r.bareOne.samples));
    parts.push(`one person p50 ${ratio(o50, b50)}, p99 ${ratio(o99, b99)}`);
  }
  if (r.crowd && r.bareCrowd) {
    const ours = crowdFigures(r.crowd);
    const bare = crowdFigures(r.bareCrowd);
    parts.push(`${settings.people} people: steps/s ${ratio(ours.rate, bare.rate)}, p50 ${ratio(ours.p50, bare.p50)}, p99 ${ratio(ours.p99, bare.p99)}`);
  }
  console.log(`  ${mode}: ${parts.join('; ') || 'not run'}`);
}
