import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importContacts, type ContactsImportSummary } from '../../src/domain/plan/contacts-import.js';
import { formatProblem } from '../../src/domain/plan/plan-import-problem.js';
import { importPlan, type PlanImportSummary } from '../../src/domain/plan/plan-import.js';
import { openRound } from '../../src/domain/rounds/rounds.js';

/** The shipped 5th plan and demo contacts, for tests that need a realistic plan in their database. */

export const SHIPPED_PLAN_KEY = 'lv-nap-5';
export const shippedPlanPath = fileURLToPath(new URL('../../config/plans/lv-nap-5.yaml', import.meta.url));
export const demoContactsPath = fileURLToPath(new URL('../../config/contacts/demo-contacts.csv', import.meta.url));

export const shippedPlanText = (): string => readFileSync(shippedPlanPath, 'utf8');
export const demoContactsText = (): string => readFileSync(demoContactsPath, 'utf8');

/** Imports config/plans/lv-nap-5.yaml into the current (test) database; throws on any problem. */
export async function loadShippedPlan(actor = 'test'): Promise<PlanImportSummary> {
  const result = await importPlan(shippedPlanText(), { actor });
  if (!result.ok) throw new Error(`The shipped plan did not import:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.summary;
}

/** Imports config/contacts/demo-contacts.csv for the shipped plan (load the plan first). */
export async function importDemoContacts(actor = 'test'): Promise<ContactsImportSummary> {
  const result = await importContacts(demoContactsText(), { planKey: SHIPPED_PLAN_KEY, actor });
  if (!result.ok) throw new Error(`The demo contacts did not import:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.summary;
}

/** Opens a reporting round of the shipped plan ("Progress 2025. gadā") and returns its id. */
export async function openShippedPlanRound(options: { key?: string; deadlineDate: string; now: Date }): Promise<string> {
  const opened = await openRound({
    planKey: SHIPPED_PLAN_KEY,
    key: options.key ?? '2025',
    title: { lv: 'Progress 2025. gadā', en: 'Progress in 2025' },
    deadlineDate: options.deadlineDate,
    actor: 'test',
    now: options.now,
  });
  if (!opened.ok) throw new Error(opened.error.message.en);
  return String(opened.round._id);
}
