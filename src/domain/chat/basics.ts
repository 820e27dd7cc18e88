import { ChannelIdentityModel, ContactModel } from '../../models/index.js';
import { t, tBoth } from '../../i18n/index.js';
import { redeemInvitation } from './invitations.js';
import { helpText } from './help.js';
import { choice, type Reply } from './message.js';
import { answered, refused, type ChatPerson, type ChatRegistry, type PersonContext, type PublicContext } from './registry.js';
import type { InboundResult } from './router.js';
import { START_CHOICE_ID } from '../status/status-flow-replies.js';

/**
 * What every chat has, whatever the features: linking a chat with an invitation (`/start <token>`
 * on Telegram, `/ogp link <token>` on Slack), help, language, cancel and stop.
 */

const LANGUAGE_BUTTON = 'lang:';

export function unknownPerson(): InboundResult {
  return { replies: [{ text: tBoth('access.unknown_person'), choices: [] }], outcome: 'unknown_person' };
}

function helpReply(ctx: PublicContext, person: Pick<ChatPerson, 'language' | 'roles'>): Reply {
  const text = helpText(ctx.registry, person.language, person.roles, ctx.inbound.commandPrefix);
  return { text, choices: [choice(START_CHOICE_ID, t(person.language, 'button.report'))] };
}

async function redeem(ctx: PublicContext, token: string): Promise<InboundResult> {
  const { channel, externalId, address } = ctx.inbound;
  const result = await redeemInvitation({ token, channel, externalId, address, now: ctx.now });
  if (result.ok) {
    const { contact } = result;
    return answered({ text: t(contact.language, 'invite.accepted', { name: contact.name }), choices: [] }, helpReply(ctx, contact));
  }
  // A stranger does not know our language yet; a known person gets theirs, and for a link we
  // cannot read, that the link is wrong (they are known, after all).
  if (!ctx.person) {
    const key = result.reason === 'unknown' ? 'access.unknown_person' : (`invite.${result.reason}` as const);
    return { replies: [{ text: tBoth(key), choices: [] }], outcome: 'unknown_person' };
  }
  return refused({ text: t(ctx.person.language, result.reason === 'unknown' ? 'invite.invalid' : `invite.${result.reason}`), choices: [] });
}

/** `/start` and `/link`: with a token they link this chat; without one they greet a known person. */
async function startOrLink(ctx: PublicContext, args: string): Promise<InboundResult> {
  const token = args.trim();
  if (token) return redeem(ctx, token);
  return ctx.person ? answered(helpReply(ctx, ctx.person)) : unknownPerson();
}

async function changeLanguage(ctx: PersonContext, wanted: string): Promise<InboundResult> {
  if (wanted !== 'lv' && wanted !== 'en') {
    return answered({
      text: t(ctx.person.language, 'language.choose'),
      choices: [choice(`${LANGUAGE_BUTTON}lv`, t('lv', 'language.name.lv')), choice(`${LANGUAGE_BUTTON}en`, t('en', 'language.name.en'))],
    });
  }
  await ContactModel.updateOne({ _id: ctx.person.contactId }, { $set: { language: wanted } });
  return answered({ text: t(wanted, 'language.switched'), choices: [] });
}

export function registerChatBasics(registry: ChatRegistry): void {
  registry
    .command({ name: 'start', public: true, handle: startOrLink })
    .command({ name: 'link', public: true, handle: startOrLink })
    .command({
      name: 'language',
      aliases: ['lang'],
      help: 'command.language',
      menu: true,
      handle: (ctx, args) => changeLanguage(ctx, args.trim()),
    })
    .command({
      name: 'cancel',
      help: 'command.cancel',
      menu: true,
      // Whatever conversation is in progress (or the default flow, which says there is none).
      handle: (ctx) => ctx.runFlow(undefined, { type: 'cancel' }),
    })
    .command({ name: 'help', help: 'command.help', menu: true, handle: async (ctx) => answered(helpReply(ctx, ctx.person)) })
    .command({
      name: 'stop',
      help: 'command.stop',
      menu: true,
      async handle(ctx) {
        await ChannelIdentityModel.updateOne({ _id: ctx.person.identityId }, { $set: { active: false, inactiveReason: 'stopped' } });
        return answered({ text: t(ctx.person.language, 'stop.done'), choices: [] });
      },
    })
    .buttons({ prefix: LANGUAGE_BUTTON, handle: (ctx, id) => changeLanguage(ctx, id.slice(LANGUAGE_BUTTON.length)) });
}
