import { ConfigError } from '../config.js';
import { EXIT_OK, EXIT_USAGE } from './command.js';
import { COMMANDS } from './commands/index.js';

/** `npm run cli -- <command> [arguments]`: finds the command and hands it the rest of the line. */

function printHelp(): void {
  console.log('Usage: npm run cli -- <command> [arguments]\n\nCommands:');
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  for (const command of COMMANDS) console.log(`  ${command.name.padEnd(width)}  ${command.summary}`);
  console.log('\nEach command explains itself with --help.');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    printHelp();
    return name ? EXIT_OK : EXIT_USAGE;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`Unknown command '${name}'.\n`);
    printHelp();
    return EXIT_USAGE;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Settings problems are the operator's to fix and already say how; anything else is a bug.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exitCode = 1;
  },
);
