import { pino, type Logger } from 'pino';
import { catalogues } from '../../src/i18n/index.js';

/**
 * What "nobody was shown an error and nothing failed" is checked against in the end-to-end tests:
 * the error texts a person could be shown, and a logger that keeps what was logged at error level.
 */

/** A logger for the app under test that keeps every line logged at error level or above. */
export function errorRecordingLog(): { log: Logger; errorsLogged: string[] } {
  const errorsLogged: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void ((JSON.parse(line) as { level: number }).level >= 50 && errorsLogged.push(line)) });
  return { log, errorsLogged };
}

/**
 * The start of every error text in both languages (up to its first parameter) and the platform's
 * temporary error; starts shorter than 10 characters would match ordinary answers.
 */
export function errorTexts(temporaryError: string): string[] {
  return [
    temporaryError,
    ...Object.values(catalogues).flatMap((catalogue) =>
      Object.entries(catalogue)
        .filter(([key]) => key.startsWith('error.') || key === 'round.closed')
        .map(([, text]) => (typeof text === 'string' ? text.split('{')[0]!.trim() : '')),
    ),
  ].filter((text) => text.length >= 10);
}
