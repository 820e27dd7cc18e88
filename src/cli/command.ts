import { parseArgs, type ParseArgsConfig } from 'node:util';

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
function isArgumentError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

export function usageError(command: CliCommand, message: string): number {
  console.error(`${message}\n\nUsage: ${command.usage}`);
  return EXIT_USAGE;
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/**
 * parseArgs with the parts every command shares: `--help` prints the usage, and an unknown or
 * malformed option is a usage error. Returns the parsed values, or the exit code to end with.
 */
export function parseCommandArgs<O extends OptionSpec>(
  command: CliCommand,
  args: string[],
  options: O,
  allowPositionals = false,
): { values: ParsedValues<O>; positionals: string[] } | { exit: number } {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals, options: { ...options, help: { type: 'boolean' as const, short: 'h' } } });
  } catch (error) {
    if (isArgumentError(error)) return { exit: usageError(command, error.message) };
    throw error;
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(`Usage: ${command.usage}`);
    return { exit: EXIT_OK };
  }
  return { values: parsed.values as ParsedValues<O>, positionals: parsed.positionals };
}

type ParsedValues<O extends OptionSpec> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};
