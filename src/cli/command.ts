/**
 * One admin command. main.ts only dispatches; each command parses its own arguments (node:util
 * parseArgs) and opens the database only if it needs it, so adding a command (reporting rounds,
 * invitations, …) is one new module in commands/ and one line in commands/index.ts.
 */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Shown with --help and after an argument error. */
  usage: string;
  /** Returns the process exit code: 0 done, 1 bad input (nothing changed), 2 wrong arguments. */
  run(args: string[]): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_USAGE = 2;

/** parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed options. */
export function isArgumentError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

export function usageError(command: CliCommand, message: string): number {
  console.error(`${message}\n\nUsage: ${command.usage}`);
  return EXIT_USAGE;
}
