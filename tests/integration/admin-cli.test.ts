import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { AuditEntryModel, BroadcastModel, ChannelIdentityModel, ContactModel, PlanModel } from '../../src/models/index.js';
import { projectRoot } from '../../src/infra/local-services.js';
import { useTestDatabase } from '../support/mongo.js';
import { FakeSlack } from '../support/fake-slack.js';

const db = useTestDatabase();

/** The `audit` and `broadcast` admin commands, run as a person runs them (a tsx process). */

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ogp-admin-cli-'));
const cli = (...args: string[]) => cliWith({}, ...args);
const cliWith = (settings: Record<string, string>, ...args: string[]) =>
  run(join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli/main.ts', ...args], {
    cwd: projectRoot,
    env: { ...process.env, MONGODB_URI: db.uri(), REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'silent', ...settings },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

beforeAll(async () => {
  await PlanModel.create({ key: 'nap-5', number: 5, title: { lv: '5. plāns' }, startYear: 2022, endYear: 2025 });
  const ilze = await ContactModel.create({ name: 'Ilze Bērziņa', email: 'ilze.cli@example.lv', roles: ['coordinator'] });
  const anna = await ContactModel.create({ name: 'Anna Kalniņa', email: 'anna.cli@example.lv', roles: ['forum_member'] });
  await ContactModel.create({ name: 'Juris Kalns', email: 'juris.cli@example.lv', roles: ['forum_member'] });
  await ChannelIdentityModel.create({ contact: anna._id, channel: 'telegram', externalId: '9101', address: '9101' });
  await AuditEntryModel.create([
    { at: new Date('2026-11-01T10:00:00Z'), actor: 'cli', action: 'plan.import', subject: 'plan:nap-5' },
    { at: new Date('2026-11-20T10:00:00Z'), actor: String(ilze._id), action: 'round.open', subject: 'round:1' },
    { at: new Date('2026-11-25T10:00:00Z'), actor: String(ilze._id), action: 'round.export', subject: 'round:1', details: { replies: 5 } },
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audit', () => {
  it('lists the round actions since a date, newest first, people by name', async () => {
    const { code, stdout } = await cli('audit', '--action', 'round.', '--since', '2026-11-21');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(['2026-11-25T10:00:00.000Z  Ilze Bērziņa  round.export  round:1  {"replies":5}']);
  });

  it('refuses a date it cannot read, changing nothing', async () => {
    const { code, stderr } = await cli('audit', '--since', 'yesterday');
    expect(code).toBe(2);
    expect(stderr).toContain("--since must be a date YYYY-MM-DD, not 'yesterday'.");
  });
});

describe('broadcast send', () => {
  it('--dry-run prints the preview with the copies per channel and who cannot be reached, and saves nothing', async () => {
    const text = join(dir, 'text.md');
    writeFileSync(text, 'Forums tiksies 10. decembrī.\n');
    const { code, stdout } = await cli('broadcast', 'send', '--audience', 'roles:forum_member', '--file', text, '--dry-run');
    expect(code).toBe(0);
    expect(stdout).toContain('--- lv ---\nForums tiksies 10. decembrī.');
    expect(stdout).toContain('Audience: forum members, 2 people');
    expect(stdout).toContain('Copies: telegram 1');
    expect(stdout).toContain('Cannot be reached (no linked chat) 1: Juris Kalns');
    expect(await BroadcastModel.countDocuments()).toBe(0);
  });

  it('refuses an audience it does not know with the accepted forms, saving nothing', async () => {
    const text = join(dir, 'text.md');
    const { code, stderr } = await cli('broadcast', 'send', '--audience', 'roles:bogus', '--file', text);
    expect(code).toBe(1);
    expect(stderr).toContain('"roles:bogus" is not an audience.');
    expect(await BroadcastModel.countDocuments()).toBe(0);
  });
});

describe('invite --slack while Slack fails', () => {
  it('prints each person as it goes, a summary with the failures, and exits 1', async () => {
    const fake = await FakeSlack.start({ users: [{ id: 'UANNA0001', email: 'anna.cli@example.lv', name: 'Anna Kalniņa' }] });
    try {
      fake.failNext('users.lookupByEmail', 'internal_error');
      const slack = { SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: 'test-signing-secret', SLACK_API_URL: fake.url };
      const failed = await cliWith(slack, 'invite', '--plan', 'nap-5', '--slack', '--email', 'anna.cli@example.lv');
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe('anna.cli@example.lv\terror (slack_webapi_platform_error)\n');
      expect(failed.stderr).toContain('Linked 0 of 1 contacts to Slack; 0 already linked, 0 not in the workspace, 0 taken by someone else, 1 failed');

      // Run again once Slack answers: linked, exit 0.
      const again = await cliWith(slack, 'invite', '--plan', 'nap-5', '--slack', '--email', 'anna.cli@example.lv');
      expect([again.code, again.stdout]).toEqual([0, 'anna.cli@example.lv\tlinked\n']);
    } finally {
      await fake.stop();
    }
  });
});
