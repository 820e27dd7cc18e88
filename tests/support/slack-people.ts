/**
 * The demo contacts (tests/support/plan.ts importDemoContacts) as users of the fake Slack
 * workspace: the Slack user id and the e-mail Slack knows them by, which links them to the contact.
 */
export const SLACK_PEOPLE = {
  LIGA: { id: 'ULIGA0001', email: 'liga.ozola@example.lv', name: 'Līga Ozola' },
  MARTA: { id: 'UMARTA001', email: 'marta.zarina@example.lv', name: 'Marta Zariņa' },
  ARTURS: { id: 'UARTURS01', email: 'arturs.liepins@example.lv', name: 'Artūrs Liepiņš' },
  KRISTAPS: { id: 'UKRISTAP1', email: 'kristaps.ozolins@example.lv', name: 'Kristaps Ozoliņš' },
} as const;
