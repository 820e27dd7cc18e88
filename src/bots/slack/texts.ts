import { tBoth } from '../../i18n/index.js';

/**
 * Shown when handling failed for a reason that is not the person's (database down, Slack refused
 * the reply). It does not claim that nothing was saved: the step may have been stored before the
 * reply failed, and `/ogp status` picks the conversation up wherever it stands.
 */
export const TEMPORARY_ERROR = tBoth('error.temporary', { prefix: '/ogp ' });

/** The slash command was typed outside the DM with the app; answers and buttons live there. */
export const ANSWER_IN_DM = 'Atbildi nosūtīju jums personīgā ziņā. / I have sent you the answer in a direct message.';
