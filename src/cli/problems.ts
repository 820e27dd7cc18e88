import { formatProblem, type ImportProblem } from '../domain/plan/plan-import-problem.js';

/** Every problem on its own line, then what happened: nothing was changed. */
export function printProblems(what: string, problems: ImportProblem[]): void {
  console.error(`${what}: ${problems.length} problem${problems.length === 1 ? '' : 's'}, nothing was changed.`);
  for (const problem of problems) console.error(`  ${formatProblem(problem)}`);
}
