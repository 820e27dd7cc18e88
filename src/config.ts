import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IANAZone } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Settings come from the environment; `config/defaults.yaml` holds the non-secret defaults so that
 * operators can read them in one place. The environment always wins.
 */

const ROLES = ['web', 'worker', 'scheduler', 'all'] as const;
export type Role = (typeof ROLES)[number];

const defaultsPath = fileURLToPath(new URL('../config/defaults.yaml', import.meta.url));

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const retentionDays = z.coerce.number().int('must be a whole number of days').min(1, 'must be at least 1 day');

const settingsSchema = z
  .object({
    MONGODB_URI: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
        .optional(),
    ),
    REDIS_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
        .optional(),
    ),
    TZ_DEFAULT: z.string().refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Riga'),
    TELEGRAM_BOT_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like 123456:ABC-DEF… (the token @BotFather gives)')
        .optional(),
    ),
    TELEGRAM_API_ROOT: z.url('must be a URL such as https://api.telegram.org'),
    TELEGRAM_MODE: z.enum(['polling', 'webhook'], "must be 'polling' or 'webhook'"),
    TELEGRAM_WEBHOOK_SECRET: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16–256 characters of A–Z, a–z, 0–9, _ and -')
        .optional(),
    ),
    TELEGRAM_WEBHOOK_URL: z.preprocess(emptyToUndefined, z.url('must be the public https URL of /telegram/webhook').optional()),
    SLACK_BOT_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^xox[bp]-/, 'must be a bot token starting with xoxb-')
        .optional(),
    ),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_API_URL: z.url('must be a URL such as https://slack.com/api/'),
    PORT: z.coerce.number().int('must be a whole number').min(0).max(65535, 'must be 0–65535'),
    ROLE: z.enum(ROLES, `must be one of ${ROLES.join(', ')}`),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -'),
    QUEUE_BOARD_USER: optionalString,
    QUEUE_BOARD_PASSWORD: optionalString,
    RETAIN_INBOUND_EVENTS_DAYS: retentionDays,
    RETAIN_CONVERSATIONS_DAYS: retentionDays,
    RETAIN_DELIVERIES_DAYS: retentionDays,
  })
  .superRefine((s, ctx) => {
    if (s.TELEGRAM_BOT_TOKEN && s.TELEGRAM_MODE === 'webhook') {
      if (!s.TELEGRAM_WEBHOOK_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['TELEGRAM_WEBHOOK_SECRET'],
          message: 'is required when TELEGRAM_MODE=webhook, so that forged updates are refused',
        });
      }
    }
    if (Boolean(s.QUEUE_BOARD_USER) !== Boolean(s.QUEUE_BOARD_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: ['QUEUE_BOARD_PASSWORD'], message: 'and QUEUE_BOARD_USER turn the queue board on together: set both or neither' });
    }
    if (s.SLACK_BOT_TOKEN && !s.SLACK_SIGNING_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'is required when SLACK_BOT_TOKEN is set (Slack → App settings → Basic Information → Signing Secret)',
      });
    }
  });

type Settings = z.infer<typeof settingsSchema>;

export interface TelegramConfig {
  token: string;
  apiRoot: string;
  mode: 'polling' | 'webhook';
  webhookSecret?: string;
  webhookUrl?: string;
}

export interface SlackConfig {
  token: string;
  signingSecret: string;
  apiUrl: string;
}

export interface RetentionDays {
  inboundEvents: number;
  conversations: number;
  deliveries: number;
}

export interface AppConfig {
  mongodbUri?: string;
  redisUrl?: string;
  /** TZ_DEFAULT: the zone of a plan file or contact row that names none (the imports fill it in). */
  timeZone: string;
  port: number;
  role: Role;
  logLevel: Settings['LOG_LEVEL'];
  queuePrefix: string;
  /** Bull Board at /admin/queues behind basic auth; null (off) unless both are set. */
  queueBoard: { user: string; password: string } | null;
  /** How long what is only bookkeeping is kept (jobs/retention.ts). */
  retention: RetentionDays;
  /** null when the channel's token is not set: the channel is simply off. */
  telegram: TelegramConfig | null;
  slack: SlackConfig | null;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function readDefaults(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const parsed: unknown = parseYaml(readFileSync(path, 'utf8'));
  if (parsed === null || typeof parsed !== 'object') {
    throw new ConfigError([`${path}: must be a YAML mapping of SETTING: value`]);
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v === null ? undefined : String(v)]));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaultsFile = defaultsPath): AppConfig {
  const merged = { ...readDefaults(defaultsFile), ...env };
  const result = settingsSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(settings)';
        const given = merged[name as keyof typeof merged];
        // Never echo secrets back; the name and the rule are enough to fix it.
        const secret = /TOKEN|SECRET|URI|URL/.test(name);
        const shown = given === undefined ? 'it is not set' : secret ? 'the value given is hidden' : `got '${given}'`;
        return `${name} ${issue.message} (${shown})`;
      }),
    );
  }
  const s = result.data;
  return {
    mongodbUri: s.MONGODB_URI,
    redisUrl: s.REDIS_URL,
    timeZone: s.TZ_DEFAULT,
    port: s.PORT,
    role: s.ROLE,
    logLevel: s.LOG_LEVEL,
    queuePrefix: s.QUEUE_PREFIX,
    queueBoard: s.QUEUE_BOARD_USER && s.QUEUE_BOARD_PASSWORD ? { user: s.QUEUE_BOARD_USER, password: s.QUEUE_BOARD_PASSWORD } : null,
    retention: { inboundEvents: s.RETAIN_INBOUND_EVENTS_DAYS, conversations: s.RETAIN_CONVERSATIONS_DAYS, deliveries: s.RETAIN_DELIVERIES_DAYS },
    telegram: s.TELEGRAM_BOT_TOKEN
      ? {
          token: s.TELEGRAM_BOT_TOKEN,
          apiRoot: s.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
          mode: s.TELEGRAM_MODE,
          webhookSecret: s.TELEGRAM_WEBHOOK_SECRET,
          webhookUrl: s.TELEGRAM_WEBHOOK_URL,
        }
      : null,
    slack:
      s.SLACK_BOT_TOKEN && s.SLACK_SIGNING_SECRET
        ? { token: s.SLACK_BOT_TOKEN, signingSecret: s.SLACK_SIGNING_SECRET, apiUrl: s.SLACK_API_URL }
        : null,
  };
}

/** One line per channel that is off, so the operator learns it once at start. */
export function describeChannels(config: AppConfig): string[] {
  const lines: string[] = [];
  if (!config.telegram) lines.push('Telegram is off: TELEGRAM_BOT_TOKEN is not set.');
  if (!config.slack) lines.push('Slack is off: SLACK_BOT_TOKEN is not set.');
  return lines;
}
