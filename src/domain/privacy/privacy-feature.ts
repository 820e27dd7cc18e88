import { t } from '../../i18n/index.js';
import { storeFile } from '../chat/files.js';
import { choice } from '../chat/message.js';
import { answered, refused, type ChatRegistry, type PersonContext } from '../chat/registry.js';
import type { InboundResult } from '../chat/router.js';
import { forgetPerson } from './forget.js';
import { myData } from './my-data.js';

/**
 * /mydata sends a person everything stored about them as a JSON file; /forget asks once more and
 * then removes their chats and personal data (forget.ts). Every linked person may use both.
 */

export const PRIVACY_BUTTON = 'pv:';
const FORGET = `${PRIVACY_BUTTON}forget`;
const KEEP = `${PRIVACY_BUTTON}keep`;
/** The file holds the person's own data only for sending it: retention.ts removes it after a day. */
export const MY_DATA_ORIGIN = 'mydata';

async function sendMyData(ctx: PersonContext): Promise<InboundResult> {
  const lang = ctx.person.language;
  const data = await myData(ctx.person.contactId, ctx.now);
  if (!data) return refused({ text: t(lang, 'error.stale_button'), choices: [] });
  const name = lang === 'lv' ? 'mani-dati.json' : 'my-data.json';
  const file = await storeFile({ name, mediaType: 'application/json', bytes: JSON.stringify(data, null, 2), origin: MY_DATA_ORIGIN });
  return answered({ text: t(lang, 'privacy.my_data'), choices: [], attachments: [file] });
}

async function onPrivacyButton(ctx: PersonContext, id: string): Promise<InboundResult> {
  const lang = ctx.person.language;
  if (id === KEEP) return answered({ text: t(lang, 'privacy.kept'), choices: [] });
  if (id !== FORGET) return refused({ text: t(lang, 'error.stale_button'), choices: [] });
  const produce = ctx.deps.produce ?? (async () => undefined);
  await forgetPerson(ctx.person.contactId, ctx.now, produce);
  return answered({ text: t(lang, 'privacy.forgotten'), choices: [] });
}

export function registerPrivacyFeature(registry: ChatRegistry): void {
  registry
    .command({ name: 'mydata', aliases: ['manidati'], help: 'command.mydata', handle: sendMyData })
    .command({
      name: 'forget',
      aliases: ['dzest'],
      help: 'command.forget',
      handle: async (ctx) => {
        const lang = ctx.person.language;
        return answered({ text: t(lang, 'privacy.forget_ask'), choices: [choice(FORGET, t(lang, 'privacy.button.forget')), choice(KEEP, t(lang, 'privacy.button.keep'))] });
      },
    })
    .buttons({ prefix: PRIVACY_BUTTON, handle: onPrivacyButton });
}
