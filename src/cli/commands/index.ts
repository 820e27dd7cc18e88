import type { CliCommand } from '../command.js';
import { exportPlanCommand } from './export-plan.js';
import { importContactsCommand } from './import-contacts.js';
import { importPlanCommand } from './import-plan.js';
import { inviteCommand } from './invite.js';
import { meetingCommand } from './meeting.js';
import { roundCommand } from './round.js';
import { broadcastCommand } from './broadcast.js';
import { auditCommand } from './audit.js';

/** Every admin command, in the order `help` lists them. */
export const COMMANDS: readonly CliCommand[] = [importPlanCommand, importContactsCommand, exportPlanCommand, roundCommand, inviteCommand, meetingCommand, broadcastCommand, auditCommand];
