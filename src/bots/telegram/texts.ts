import { tBoth } from '../../i18n/index.js';

/**
 * Telegram-only texts: two notes no other channel needs. Everything a person reads in a
 * conversation comes from src/i18n (the "/" menu too, built from the command registry); these
 * stay here because they describe Telegram's own surfaces (group chats, its error wording).
 */

/** Shown once when somebody uses a command in a group: status replies are personal. */
export const PRIVATE_ONLY =
  'Es atbildu tikai privātā sarakstē. Lūdzu, rakstiet man personīgi.\n\nI only answer in a private chat. Please write to me directly.';


/** Shown when handling failed for a reason that is not the person's (database down, a bug). */
export const TEMPORARY_ERROR = tBoth('error.temporary', { prefix: '/' });
