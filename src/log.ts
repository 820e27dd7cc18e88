import { pino, type Logger } from 'pino';

/**
 * One logger for the process. Redaction is a second line of defence: code must not pass tokens or
 * message bodies to the logger in the first place.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: undefined,
    redact: { paths: ['token', '*.token', 'text', '*.text', 'body', '*.body', 'secret', '*.secret'], censor: '[hidden]' },
  });
}

export type { Logger };
