import type { ContactRole, Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { mayUse, type ChatRegistry, type CommandDefinition } from './registry.js';

/**
 * /help and the Telegram "/" menu, both read off the registry for the person's roles: a command
 * nobody registered cannot be offered, and one a person may not use is not shown to them.
 */

function offered(registry: ChatRegistry, roles: readonly ContactRole[]): (CommandDefinition & { help: NonNullable<CommandDefinition['help']> })[] {
  return registry.commands.filter((c): c is CommandDefinition & { help: NonNullable<CommandDefinition['help']> } => Boolean(c.help) && mayUse(c, roles));
}

/** `prefix` is how the platform spells a command: "/" on Telegram, "/ogp " on Slack. */
export function helpText(registry: ChatRegistry, lang: Language, roles: readonly ContactRole[], prefix: string): string {
  const lines = offered(registry, roles).map((c) => `${prefix}${c.name} — ${t(lang, c.help)}`);
  return `${t(lang, 'help.intro')}\n\n${lines.join('\n')}`;
}

export interface MenuEntry {
  command: string;
  description: string;
}

/** Telegram's menu: commands marked `menu`, in registration order, described like in /help. */
export function commandMenu(registry: ChatRegistry, lang: Language, roles: readonly ContactRole[]): MenuEntry[] {
  return offered(registry, roles)
    .filter((c) => c.menu)
    .map((c) => {
      const text = t(lang, c.help);
      return { command: c.name, description: text.charAt(0).toUpperCase() + text.slice(1) };
    });
}
