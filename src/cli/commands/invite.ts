import { Api } from 'grammy';
import { WebClient } from '@slack/web-api';
import { loadConfig } from '../../config.js';
import { ChannelIdentityModel, ContactModel, type ContactDoc } from '../../models/index.js';
import {
  DEFAULT_INVITATION_DAYS,
  createInvitation,
  linkSlackByEmail,
  planContacts,
  slackEmailLookup,
  telegramInviteLink,
} from '../../domain/chat/invitations.js';
import { EXIT_BAD_INPUT, EXIT_OK, parseCommandArgs, usageError, type CliCommand } from '../command.js';
import { withDatabase } from '../database.js';

const USAGE = [
  'npm run cli -- invite --plan <plan> [--email <address>] [--bot <username>] [--days 14] [--relink]',
  '       npm run cli -- invite --plan <plan> --slack [--email <address>]',
  '  Prints one Telegram link per contact person (tab-separated: name, e-mail, link). Without --email:',
  '  every contact person of the plan and every coordinator not yet on Telegram (--relink: all of them).',
  '  The bot username comes from --bot, TELEGRAM_BOT_USERNAME, or Telegram (getMe) with TELEGRAM_BOT_TOKEN.',
  '  --slack links people to their Slack accounts by e-mail instead (users.lookupByEmail, SLACK_BOT_TOKEN).',
].join('\n');

/** --bot, then the environment, then ask Telegram: the username must match the bot people open. */
async function botUsername(given: string | undefined): Promise<string | null> {
  const named = given ?? process.env.TELEGRAM_BOT_USERNAME;
  if (named) return named.replace(/^@/, '');
  const telegram = loadConfig().telegram;
  if (!telegram) return null;
  const me = await new Api(telegram.token, { apiRoot: telegram.apiRoot }).getMe();
  return me.username;
}

async function pickContacts(planKey: string, email: string | undefined): Promise<ContactDoc[] | string> {
  const all = await planContacts(planKey);
  if (!all) return `Rīcības plāns „${planKey}” nav atrasts.\nAction plan "${planKey}" not found.`;
  if (!email) return all;
  const one = await ContactModel.findOne({ email: email.trim().toLowerCase(), active: true });
  if (!one) return `Aktīva kontaktpersona ar e-pastu „${email}” nav atrasta.\nNo active contact with e-mail "${email}".`;
  return [one];
}

export const inviteCommand: CliCommand = {
  name: 'invite',
  summary: 'make one-time Telegram links that tie contact persons to their chats, or link Slack by e-mail',
  usage: USAGE,
  async run(args) {
    const parsed = parseCommandArgs(
      this,
      args,
      {
        plan: { type: 'string' },
        email: { type: 'string' },
        bot: { type: 'string' },
        days: { type: 'string' },
        relink: { type: 'boolean' },
        slack: { type: 'boolean' },
      },
    );
    if ('exit' in parsed) return parsed.exit;
    const v = parsed.values;
    if (!v.plan) return usageError(this, 'Say which plan: --plan <key>, e.g. --plan lv-nap-5.');
    const days = v.days === undefined ? DEFAULT_INVITATION_DAYS : Number(v.days);
    if (!Number.isInteger(days) || days < 1 || days > 90) return usageError(this, '--days must be a whole number from 1 to 90.');
    const planKey = v.plan;

    if (v.slack) {
      const slack = loadConfig().slack;
      if (!slack) {
        console.error('Slack nav ieslēgts: iestatiet SLACK_BOT_TOKEN un SLACK_SIGNING_SECRET.\nSlack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.');
        return EXIT_BAD_INPUT;
      }
      // A few quick retries per person, not the client's default half hour: a Slack that is down
      // is reported per person and in the summary, and the command can simply be run again.
      const client = new WebClient(slack.token, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000 }, rejectRateLimitedCalls: true });
      const outcome = await withDatabase(async () => {
        const contacts = await pickContacts(planKey, v.email);
        if (typeof contacts === 'string') return contacts;
        return linkSlackByEmail({
          lookup: slackEmailLookup(client),
          contacts,
          actor: 'cli',
          onOutcome: (o) => console.log(`${o.email}\t${o.result}${o.error ? ` (${o.error})` : ''}`),
        });
      });
      if (typeof outcome === 'string') {
        console.error(outcome);
        return EXIT_BAD_INPUT;
      }
      const count = (result: string) => outcome.filter((o) => o.result === result).length;
      const failed = count('error');
      console.error(
        `Linked ${count('linked')} of ${outcome.length} contacts to Slack; ${count('already_linked')} already linked, ${count('not_found')} not in the workspace, ${count('identity_taken')} taken by someone else, ${failed} failed${failed > 0 ? ' (Slack did not answer: run the command again later)' : ''}.`,
      );
      return failed > 0 ? EXIT_BAD_INPUT : EXIT_OK;
    }

    const bot = await botUsername(v.bot);
    if (!bot) {
      console.error(
        'Nezinu bota lietotājvārdu: norādiet --bot <lietotājvārds> vai TELEGRAM_BOT_USERNAME, vai iestatiet TELEGRAM_BOT_TOKEN.\n' +
          'The bot username is unknown: pass --bot <username>, set TELEGRAM_BOT_USERNAME, or set TELEGRAM_BOT_TOKEN.',
      );
      return EXIT_BAD_INPUT;
    }
    const result = await withDatabase(async () => {
      const contacts = await pickContacts(planKey, v.email);
      if (typeof contacts === 'string') return contacts;
      const linked = new Set(
        (await ChannelIdentityModel.find({ channel: 'telegram', active: true, contact: { $in: contacts.map((c) => c._id) } }, { contact: 1 }).lean()).map(
          (i) => String(i.contact),
        ),
      );
      // A named person always gets a link (a new phone, a new account); a whole plan only those missing.
      const wanted = v.email || v.relink ? contacts : contacts.filter((c) => !linked.has(String(c._id)));
      const rows: string[] = [];
      let expiresAt: Date | undefined;
      for (const contact of wanted) {
        const made = await createInvitation({ contactId: contact._id, actor: 'cli', ttlDays: days });
        expiresAt = made.expiresAt;
        rows.push(`${contact.name}\t${contact.email}\t${telegramInviteLink(bot, made.token)}`);
      }
      return { rows, skipped: contacts.length - wanted.length, expiresAt };
    });
    if (typeof result === 'string') {
      console.error(result);
      return EXIT_BAD_INPUT;
    }
    for (const row of result.rows) console.log(row);
    const until = result.expiresAt ? `; valid until ${result.expiresAt.toISOString().slice(0, 10)}, each usable once` : '';
    console.error(`${result.rows.length} invitation links${until}. ${result.skipped} already on Telegram (use --relink to include them).`);
    return EXIT_OK;
  },
};
