import { answered, type ChatRegistry, type PersonContext } from '../chat/registry.js';
import { exportCommand, overviewCommand, roundCommand } from './coordinator-commands.js';

/** The coordinators' commands in chat: the same domain calls as the CLI, refused to everyone else. */

const coordinator = (ctx: PersonContext) => ({ _id: ctx.person.contactId, language: ctx.person.language });
const COORDINATORS = ['coordinator'] as const;

export function registerCoordinatorFeature(registry: ChatRegistry): void {
  registry
    .command({
      name: 'overview',
      roles: COORDINATORS,
      help: 'command.overview',
      menu: true,
      handle: async (ctx) => answered(await overviewCommand(coordinator(ctx), ctx.now)),
    })
    .command({
      name: 'round',
      roles: COORDINATORS,
      help: 'command.round',
      menu: true,
      handle: async (ctx, args) => answered({ text: await roundCommand(coordinator(ctx), args, ctx.now), choices: [] }),
    })
    .command({
      name: 'export',
      roles: COORDINATORS,
      help: 'command.export',
      menu: true,
      handle: async (ctx) => answered(await exportCommand(coordinator(ctx), ctx.now)),
    });
}
