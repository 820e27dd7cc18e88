import type { Types } from 'mongoose';
import type { ContactRole, Language } from '../../models/index.js';
import type { MessageKey } from '../../i18n/index.js';
import type { ChatEvent } from './conversation.js';
import type { AnyFlow, FlowContact } from './flow-runner.js';
import type { Reply } from './message.js';
import type { InboundContext, InboundDeps, InboundResult } from './router.js';

/**
 * What the chat router dispatches to. Each feature registers its commands, its button prefixes and
 * its flows here (like grammY's Composer: a feature fills its own part); the router looks them up
 * and never learns a feature's names. `/help` and the Telegram "/" menu are built from the same
 * entries (help.ts), so what a person is offered is what they may use.
 */

/** The linked person behind an inbound event. */
export interface ChatPerson {
  contactId: Types.ObjectId;
  name: string;
  language: Language;
  roles: ContactRole[];
  /** The chat identity the event came through. */
  identityId: Types.ObjectId;
  /** The whole record, as read for this event. */
  contact: FlowContact;
}

interface BaseContext {
  inbound: InboundContext;
  deps: InboundDeps;
  registry: ChatRegistry;
  now: Date;
}

/** A command or button from a linked person. */
export interface PersonContext extends BaseContext {
  person: ChatPerson;
  /**
   * Hands the event to a registered flow through the runner; `flow` undefined means the one whose
   * conversation is in progress, else the default flow.
   */
  runFlow(flow: string | undefined, event: ChatEvent): Promise<InboundResult>;
}

/** A public command (linking a chat) may come from somebody we do not know yet. */
export interface PublicContext extends BaseContext {
  person: ChatPerson | null;
}

/** The catalogue keys of command descriptions (`command.status`, …); they take no parameters. */
export type CommandHelpKey = Extract<MessageKey, `command.${string}`>;

interface CommandInfo {
  /** Lower-case, as typed after "/" (Telegram) or "/ogp " (Slack). */
  name: string;
  aliases?: readonly string[];
  /** One line for /help and the Telegram menu; a command without it is not listed. */
  help?: CommandHelpKey;
  /** Listed in Telegram's "/" menu (besides /help). */
  menu?: boolean;
}

export type CommandDefinition = CommandInfo &
  (
    | {
        /** Who may use it; absent means every linked person. */
        roles?: readonly ContactRole[];
        public?: false;
        handle(ctx: PersonContext, args: string): Promise<InboundResult>;
      }
    | {
        /** Strangers may use it too (e.g. `/start <token>` links a chat). */
        public: true;
        roles?: undefined;
        handle(ctx: PublicContext, args: string): Promise<InboundResult>;
      }
  );

/** Buttons whose ids start with `prefix` (e.g. `sf:`, `rm:`). The id comes back unchanged. */
export interface ButtonRoute {
  prefix: string;
  handle(ctx: PersonContext, id: string): Promise<InboundResult>;
}

export class ChatRegistry {
  private readonly commandsByName = new Map<string, CommandDefinition>();
  private readonly commandList: CommandDefinition[] = [];
  private readonly buttonRoutes: ButtonRoute[] = [];
  private readonly flowsByName = new Map<string, AnyFlow>();
  private defaultFlowName?: string;

  command(definition: CommandDefinition): this {
    for (const name of [definition.name, ...(definition.aliases ?? [])]) {
      if (this.commandsByName.has(name)) throw new Error(`command /${name} is registered twice`);
      this.commandsByName.set(name, definition);
    }
    this.commandList.push(definition);
    return this;
  }

  buttons(route: ButtonRoute): this {
    const clash = this.buttonRoutes.find((r) => r.prefix.startsWith(route.prefix) || route.prefix.startsWith(r.prefix));
    if (clash) throw new Error(`button prefix ${route.prefix} overlaps ${clash.prefix}`);
    this.buttonRoutes.push(route);
    return this;
  }

  /** `isDefault`: the flow that answers typed text when no conversation is in progress. */
  flow(definition: AnyFlow, options: { isDefault?: boolean } = {}): this {
    if (this.flowsByName.has(definition.name)) throw new Error(`flow ${definition.name} is registered twice`);
    this.flowsByName.set(definition.name, definition);
    if (options.isDefault) this.defaultFlowName = definition.name;
    return this;
  }

  findCommand(name: string): CommandDefinition | undefined {
    return this.commandsByName.get(name);
  }

  findButton(id: string): ButtonRoute | undefined {
    return this.buttonRoutes.find((route) => id.startsWith(route.prefix));
  }

  findFlow(name: string | undefined): AnyFlow | undefined {
    return name === undefined ? undefined : this.flowsByName.get(name);
  }

  get defaultFlow(): AnyFlow {
    const flow = this.findFlow(this.defaultFlowName);
    if (!flow) throw new Error('no default flow is registered');
    return flow;
  }

  /** Commands in registration order, each once. */
  get commands(): readonly CommandDefinition[] {
    return this.commandList;
  }
}

/** Whether `roles` may use the command (public and role-free commands: everyone). */
export function mayUse(command: CommandDefinition, roles: readonly ContactRole[]): boolean {
  return !command.roles || command.roles.some((role) => roles.includes(role));
}

/** What a handler answers most of the time: replies, nothing refused. */
export const answered = (...replies: Reply[]): InboundResult => ({ replies, outcome: 'ok' });
export const refused = (...replies: Reply[]): InboundResult => ({ replies, outcome: 'rejected' });
