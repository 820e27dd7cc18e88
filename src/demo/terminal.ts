import type { Choice, Message } from '../domain/chat/message.js';
import { renderConsole, type ConsoleMessage } from './console-channel.js';

/**
 * How the terminal demo shows a chat: bot messages indented under a marker, buttons as numbered
 * lines (console-channel.ts renders them). The person answers with a number (a button), a
 * /command, or free text.
 */
export class TerminalChat {
  private choices: Choice[] = [];
  /** The message whose buttons the numbers press, so an edit that removes them disarms them. */
  private choicesOf: string | undefined;

  constructor(private readonly write: (text: string) => void) {}

  showBot(message: Message, from = 'OGP bots', shown: Partial<Pick<ConsoleMessage, 'messageId' | 'files' | 'before'>> = {}): void {
    const lines = renderConsole({ message, files: shown.files ?? [], ...(shown.before ? { before: shown.before } : {}) }, from);
    this.write(`\n${lines.join('\n')}\n`);
    if (message.choices.length > 0) {
      this.choices = [...message.choices];
      this.choicesOf = shown.messageId;
    } else if (shown.before && shown.messageId !== undefined && shown.messageId === this.choicesOf) {
      this.choices = [];
    }
  }

  showNote(text: string): void {
    this.write(`  (${text})\n`);
  }

  /** A number picks a button of the latest message that had buttons; null if it is not one. */
  pick(input: string): Choice | null {
    if (!/^\d+$/.test(input)) return null;
    return this.choices[Number(input) - 1] ?? null;
  }
}

export type TerminalInput =
  | { type: 'quit' }
  | { type: 'command'; name: string; args: string }
  | { type: 'number'; value: string }
  | { type: 'text'; text: string }
  | { type: 'empty' };

export function parseTerminalInput(line: string): TerminalInput {
  const input = line.trim();
  if (input === '') return { type: 'empty' };
  if (input === '/quit' || input === '/exit') return { type: 'quit' };
  const command = /^\/([a-z]+)\s*(.*)$/i.exec(input);
  if (command) return { type: 'command', name: (command[1] ?? '').toLowerCase(), args: command[2] ?? '' };
  if (/^\d+$/.test(input)) return { type: 'number', value: input };
  return { type: 'text', text: input };
}
