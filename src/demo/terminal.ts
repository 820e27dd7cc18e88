import type { Choice, Reply } from '../domain/chat/message.js';

/**
 * How the terminal demo shows a chat: bot messages indented under a marker, buttons as numbered
 * lines. The person answers with a number (a button), a /command, or free text.
 */
export class TerminalChat {
  private choices: Choice[] = [];

  constructor(private readonly write: (text: string) => void) {}

  showBot(reply: Pick<Reply, 'text' | 'choices'>, from = 'OGP bots'): void {
    const lines = [`\n┃ ${from}`, ...reply.text.split('\n').map((line) => `┃ ${line}`)];
    reply.choices.forEach((c, i) => lines.push(`┃   [${i + 1}] ${c.label}`));
    this.write(`${lines.join('\n')}\n`);
    if (reply.choices.length > 0) this.choices = [...reply.choices];
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
