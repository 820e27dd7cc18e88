import { describe, expect, it } from 'vitest';
import { ConfigError, describeChannels, loadConfig } from '../../src/config.js';

const load = (env: Record<string, string>) => loadConfig(env);

describe('loadConfig', () => {
  it('gives the documented defaults when nothing is set', () => {
    const config = load({});
    expect(config).toMatchObject({
      timeZone: 'Europe/Riga',
      port: 3000,
      role: 'all',
      telegram: null,
      slack: null,
    });
    expect(describeChannels(config)).toEqual([
      'Telegram is off: TELEGRAM_BOT_TOKEN is not set.',
      'Slack is off: SLACK_BOT_TOKEN is not set.',
    ]);
  });

  it('turns a channel on when its token is given and keeps the API roots configurable', () => {
    const config = load({
      TELEGRAM_BOT_TOKEN: '123456:ABC-def_1',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9999/',
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_SIGNING_SECRET: 'shh',
      SLACK_API_URL: 'http://127.0.0.1:9998/api/',
    });
    expect(config.telegram).toMatchObject({ token: '123456:ABC-def_1', apiRoot: 'http://127.0.0.1:9999', mode: 'polling' });
    expect(config.slack).toMatchObject({ apiUrl: 'http://127.0.0.1:9998/api/' });
    expect(describeChannels(config)).toEqual([]);
  });

  it('names every wrong variable and what is wrong, without echoing secrets', () => {
    let error: unknown;
    try {
      load({
        TZ_DEFAULT: 'Europe/Rīga',
        TELEGRAM_MODE: 'push',
        PORT: 'eighty',
        TELEGRAM_BOT_TOKEN: 'not-a-token',
        MONGODB_URI: 'postgres://secret@host/db',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/TZ_DEFAULT must be an IANA time zone/);
    expect(message).toMatch(/TELEGRAM_MODE must be 'polling' or 'webhook' \(got 'push'\)/);
    expect(message).toMatch(/PORT /);
    expect(message).toMatch(/TELEGRAM_BOT_TOKEN must look like/);
    expect(message).toMatch(/MONGODB_URI must start with mongodb:\/\//);
    expect(message).not.toContain('secret@host');
    expect(message).not.toContain('not-a-token');
  });

  it('requires the webhook secret in webhook mode and the signing secret with a Slack token', () => {
    expect(() => load({ TELEGRAM_BOT_TOKEN: '1:a', TELEGRAM_MODE: 'webhook' })).toThrow(/TELEGRAM_WEBHOOK_SECRET is required/);
    expect(() => load({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET is required/);
  });

  it('treats empty values as not set', () => {
    expect(load({ TELEGRAM_BOT_TOKEN: '', MONGODB_URI: ' ' })).toMatchObject({ telegram: null, mongodbUri: undefined });
  });
});
