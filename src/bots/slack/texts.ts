import type { Language } from '../../models/shared.js';
import { tBoth } from '../../i18n/index.js';

/**
 * Slack-only texts: the status form (modal) and the App Home describe surfaces no other channel
 * has. Everything said in the conversation itself comes from src/i18n. Plain text, like the
 * catalogues; `{name}` is filled in by `slackText`.
 */
const texts = {
  lv: {
    'modal.note_label': 'Kas paveikts (savos vārdos)',
    'modal.note_hint': 'Ne vairāk kā {limit}.',
    'modal.links_label': 'Saites uz rezultātiem (nav obligātas)',
    'modal.links_hint': 'Katra saite savā rindā, ne vairāk kā {max}; jāsākas ar http:// vai https://.',
    'modal.status_missing': 'Lūdzu, izvēlieties statusu.',
    'modal.link_invalid': '„{link}” nav derīga saite: tai jāsākas ar http:// vai https://. Ja saišu nav, atstājiet lauku tukšu.',
    'modal.or_chat': 'Var atbildēt arī sarunā ar mani.',
    'home.title': 'Mani pasākumi',
    'home.commands': 'Komandas: /ogp status, /ogp mine, /ogp language, /ogp help',
    'home.last_note': 'Pēdējais apraksts: {note}',
    'answered.mark': '✓ {label}',
  },
  en: {
    'modal.note_label': 'What has been done (in your own words)',
    'modal.note_hint': 'At most {limit}.',
    'modal.links_label': 'Links to results (optional)',
    'modal.links_hint': 'One link per line, at most {max}; each must start with http:// or https://.',
    'modal.status_missing': 'Please choose a status.',
    'modal.link_invalid': '“{link}” is not a valid link: it must start with http:// or https://. If there are no links, leave the field empty.',
    'modal.or_chat': 'You can also answer in our chat.',
    'home.title': 'My measures',
    'home.commands': 'Commands: /ogp status, /ogp mine, /ogp language, /ogp help',
    'home.last_note': 'Last note: {note}',
    'answered.mark': '✓ {label}',
  },
} as const satisfies Record<Language, Record<string, string>>;

export type SlackTextKey = keyof (typeof texts)['lv'];

export function slackText(lang: Language, key: SlackTextKey, params: Record<string, string | number> = {}): string {
  return texts[lang][key].replace(/\{([a-z_]+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

/**
 * Shown when handling failed for a reason that is not the person's (database down, Slack refused
 * the reply). It does not claim that nothing was saved: the step may have been stored before the
 * reply failed, and `/ogp status` picks the conversation up wherever it stands.
 */
export const TEMPORARY_ERROR = tBoth('error.temporary', { prefix: '/ogp ' });

/** The slash command was typed outside the DM with the app; answers and buttons live there. */
export const ANSWER_IN_DM = 'Atbildi nosūtīju jums personīgā ziņā. / I have sent you the answer in a direct message.';
