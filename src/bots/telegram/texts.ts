import type { BotCommand } from 'grammy/types';
import type { Language } from '../../models/shared.js';
import { tBoth } from '../../i18n/index.js';

/**
 * Telegram-only texts: the command menu and two notes no other channel needs. Everything a person
 * reads in a conversation comes from src/i18n; these stay here because they describe Telegram's
 * own surfaces (the "/" menu, group chats).
 */

/** The "/" menu, per language. /overview is left out: only coordinators may use it. */
export const COMMAND_MENU: Readonly<Record<Language, BotCommand[]>> = {
  lv: [
    { command: 'status', description: 'Ziņot pasākuma statusu' },
    { command: 'mine', description: 'Mani pasākumi, termiņi un atbildes' },
    { command: 'lang', description: 'Mainīt valodu / Change language' },
    { command: 'cancel', description: 'Pārtraukt iesākto' },
    { command: 'help', description: 'Palīdzība' },
    { command: 'stop', description: 'Vairs nesūtīt ziņas šeit' },
  ],
  en: [
    { command: 'status', description: "Report a measure's status" },
    { command: 'mine', description: 'My measures, deadlines and answers' },
    { command: 'lang', description: 'Change language / Mainīt valodu' },
    { command: 'cancel', description: 'Cancel what was started' },
    { command: 'help', description: 'Help' },
    { command: 'stop', description: 'Stop messages here' },
  ],
};

/** Shown once when somebody uses a command in a group: status replies are personal. */
export const PRIVATE_ONLY =
  'Es atbildu tikai privātā sarakstē. Lūdzu, rakstiet man personīgi.\n\nI only answer in a private chat. Please write to me directly.';


/** Shown when handling failed for a reason that is not the person's (database down, a bug). */
export const TEMPORARY_ERROR = tBoth('error.temporary', { prefix: '/' });
