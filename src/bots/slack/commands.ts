import type { InboundEvent } from '../../domain/chat/router.js';

/** The one slash command; its sub-commands are the router's commands. */
export const SLASH_COMMAND = '/ogp';
/** How help texts spell a command on Slack. */
export const COMMAND_PREFIX = '/ogp ';

/**
 * `/ogp link AbC…` → `{ name: 'link', args: 'AbC…' }`. An empty command is a request for help.
 * Slack may send a word it auto-formatted (e.g. a link in angle brackets); the router only reads
 * tokens and language codes from `args`, so they pass through trimmed and otherwise untouched.
 */
export function parseSlashCommand(text: string | undefined): Extract<InboundEvent, { type: 'command' }> {
  const trimmed = (text ?? '').trim();
  if (trimmed.length === 0) return { type: 'command', name: 'help', args: '' };
  const [first = '', ...rest] = trimmed.split(/\s+/);
  return { type: 'command', name: first.toLowerCase(), args: rest.join(' ') };
}
