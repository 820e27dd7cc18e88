import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { projectRoot } from '../infra/local-services.js';
import { importPlan } from '../domain/plan/plan-import.js';
import { importContacts } from '../domain/plan/contacts-import.js';
import { formatProblem } from '../domain/plan/plan-import-problem.js';
import { openRound } from '../domain/rounds/rounds.js';
import { ContactModel, ReportingRoundModel, type ContactDoc } from '../models/index.js';
import { linkIdentity } from '../domain/chat/identities.js';

const DEMO_PLAN_KEY = 'lv-nap-5';
const DEMO_ADDRESS = 'terminal';
export const COORDINATOR_ADDRESS = 'coordinator';

/**
 * Loads what the demo shows: the real 5th plan, the demo contacts, a console identity for the person
 * playing and for the coordinator (so "not my measure" notices are visible), and an open round.
 */
export async function seedDemo(
  email: string,
  now: DateTime,
  defaultTimeZone: string,
): Promise<{ contact: ContactDoc; roundTitle: string }> {
  const plan = await importPlan(readFileSync(join(projectRoot, 'config/plans/lv-nap-5.yaml'), 'utf8'), { actor: 'demo', defaultTimeZone });
  if (!plan.ok) throw new Error(plan.problems.map(formatProblem).join('\n'));
  const contacts = await importContacts(readFileSync(join(projectRoot, 'config/contacts/demo-contacts.csv'), 'utf8'), {
    planKey: DEMO_PLAN_KEY,
    actor: 'demo',
    defaultTimeZone,
  });
  if (!contacts.ok) throw new Error(contacts.problems.map(formatProblem).join('\n'));

  const contact = await ContactModel.findOne({ email: email.toLowerCase() });
  if (!contact) {
    const known = await ContactModel.find({}, { email: 1 }).sort({ email: 1 }).lean();
    throw new Error(`No demo contact '${email}'. Try one of: ${known.map((c) => c.email).join(', ')}`);
  }
  await linkConsole(contact, DEMO_ADDRESS);
  // In the meeting demo the coordinator's console is linked after the invitations went out (main.ts),
  // or the coordinator's own invitation would fill the person's terminal.
  if (!isMeetingDemo(contact)) await linkCoordinatorConsole(contact);

  const open = await ReportingRoundModel.findOne({ state: 'open' }).lean();
  if (open) return { contact, roundTitle: open.title.lv };
  // A week ahead, so that the "7 days before" reminder is the one due now.
  const deadline = now.setZone('Europe/Riga').plus({ days: 7 }).toISODate() ?? '';
  const round = await openRound({
    planKey: DEMO_PLAN_KEY,
    key: 'demo',
    title: { lv: 'Progress 2025. gadā (demo)', en: 'Progress in 2025 (demo)' },
    deadlineDate: deadline,
    actor: 'demo',
    now: now.toJSDate(),
  });
  if (!round.ok) throw new Error(round.error.message.en);
  return { contact, roundTitle: round.round.title.lv };
}

/**
 * A contact person plays the status demo, as always; anyone else (a forum member, partner or
 * coordinator without measures to report on) plays the meeting demo: the council meeting's
 * invitation, RSVP, /meetings and, for a coordinator, /attendees.
 */
export const isMeetingDemo = (contact: Pick<ContactDoc, 'roles'>): boolean => !contact.roles.includes('contact_person');

/** The coordinator's console, beside the person's: another coordinator than the one playing. */
export async function linkCoordinatorConsole(playing: ContactDoc): Promise<void> {
  const coordinator = await ContactModel.findOne({ roles: 'coordinator', _id: { $ne: playing._id } });
  if (coordinator) await linkConsole(coordinator, COORDINATOR_ADDRESS);
}

async function linkConsole(contact: ContactDoc, address: string): Promise<void> {
  await linkIdentity({ contact: contact._id, channel: 'console', externalId: `demo:${contact.email}`, address, now: new Date() });
}
