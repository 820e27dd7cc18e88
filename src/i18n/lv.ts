import type { Message } from './types.js';

/**
 * Latvian catalogue: the reference every other catalogue must match key for key (see en.ts).
 * `{name}` is a parameter; an object is a plural message chosen by `count` with Intl.PluralRules
 * ('lv' has zero / one / other). All texts are plain text: adapters add no markup and escape
 * nothing, so a person's own words can be shown safely on every platform.
 */
export const lv = {
  // Status of a measure, as the council counts it.
  'status.not_started': 'nav uzsākts',
  'status.in_progress': 'procesā',
  'status.substantial': 'būtisks progress',
  'status.completed': 'pabeigts',
  'status.delayed': 'kavējas',
  'status.cancelled': 'atcelts',

  'count.measures': { zero: '{count} pasākumu', one: '{count} pasākums', other: '{count} pasākumi' },
  'count.days': { zero: '{count} dienu', one: '{count} diena', other: '{count} dienas' },
  'count.characters': { zero: '{count} rakstzīmju', one: '{count} rakstzīme', other: '{count} rakstzīmes' },
  'count.links': { zero: '{count} saišu', one: '{count} saite', other: '{count} saites' },

  'date.at_time': '{date}, plkst. {time}',

  // /help is this introduction and one line per command the person may use (domain/chat/help.ts).
  'help.intro': 'Sveiki! Šis ir atvērtās pārvaldības rīcības plāna iesaistīto pušu foruma palīgs.\nAr to var ziņot par savu pasākumu progresu un saņemt atgādinājumus par termiņiem.',
  // One line each in /help and in Telegram's "/" menu.
  'command.status': 'ziņot pasākuma statusu',
  'command.mine': 'mani pasākumi, termiņi un pēdējās atbildes',
  'command.language': 'mainīt valodu (latviešu / English)',
  'command.cancel': 'pārtraukt iesākto',
  'command.help': 'šī palīdzība',
  'command.stop': 'vairs nesūtīt ziņas šeit',
  'command.overview': 'kārtas kopsavilkums: skaits pa apņemšanām un kavētāji',
  'command.round': 'atvērt, pagarināt vai slēgt ziņošanas kārtu',
  'command.export': 'visas kārtas atbildes failos (CSV un HTML)',

  'access.unknown_person': 'Atvainojiet, mēs jūs vēl nepazīstam, tāpēc nevaram parādīt pasākumus vai pieņemt atbildes. Lai iegūtu piekļuvi, lūdziet Valsts kancelejas koordinatoram ielūguma saiti un atveriet to šeit.',
  'access.not_coordinator': 'Šī darbība ir pieejama tikai Valsts kancelejas koordinatoriem.',

  'invite.accepted': 'Paldies, {name}! Jūsu konts ir piesaistīts. Turpmāk atgādinājumi pienāks šeit.',
  'invite.expired': 'Šīs ielūguma saites derīguma termiņš ir beidzies. Lūdzu, lūdziet koordinatoram jaunu saiti.',
  'invite.used': 'Šī ielūguma saite jau ir izmantota. Ja to neizmantojāt jūs, lūdzu, sazinieties ar Valsts kancelejas koordinatoru.',

  'invite.identity_taken': 'Šis konts jau ir piesaistīts citai personai. Lūdzu, sazinieties ar Valsts kancelejas koordinatoru.',
  'stop.done': 'Labi, šeit vairs nesūtīsim ziņas. Lai atsāktu, lūdziet koordinatoram jaunu ielūguma saiti.',

  'round.usage': 'Ziņošanas kārtas komandas:\nround open <atslēga> <GGGG-MM-DD> <nosaukums> — atvērt kārtu\nround extend <GGGG-MM-DD> — pagarināt termiņu\nround close — slēgt kārtu\nexport — visas atbildes failos (CSV un HTML)',
  'round.no_plan': 'Vēl nav ielādēts neviens rīcības plāns.',
  'round.opened': 'Kārta „{key}” atvērta; termiņš {deadline}. Atgādinājumi sāks iet pēc grafika.',
  'round.extended': 'Kārtas „{key}” termiņš pagarināts līdz {deadline}.',
  'round.closed_done': 'Kārta „{key}” slēgta. Atbildes vairs netiek pieņemtas, atgādinājumi apturēti.',
  'round.closed': 'Šī ziņošanas kārta jau ir slēgta, tāpēc atbildi vairs nevar saglabāt. Nekas netika mainīts. Ja vēlaties ko papildināt, lūdzu, sazinieties ar koordinatoru.',
  'round.none_open': 'Pašlaik nav atvērtas ziņošanas kārtas, tāpēc nav par ko ziņot. Mēs atgādināsim, kad tā sāksies.',
  'measures.none': 'Jums nav piešķirts neviens pasākums. Ja tā ir kļūda, lūdzu, sazinieties ar koordinatoru.',

  // Coordinators' /overview and /export. The overview is read on a phone: short lines, one count
  // per line, so nothing depends on columns lining up in a proportional font.
  'overview.heading': '„{title}”\nKārta {round} · {plan} · {state}\nTermiņš: {deadline}',
  'overview.state.open': 'atvērta',
  'overview.state.closed': 'slēgta',
  'overview.bucket.not_started': 'nav uzsākts',
  'overview.bucket.in_progress': 'procesā',
  'overview.bucket.completed_or_substantial': 'pabeigts vai būtisks progress',
  'overview.bucket.cancelled': 'atcelts',
  'overview.bucket.missing': 'nav atbildes',
  'overview.total': 'kopā',
  'overview.all_commitments': 'Visas apņemšanās',
  'overview.overdue': 'Kavētās atbildes:',
  'overview.declined': '(nav mans)',
  'overview.no_owner': 'nav kontaktpersonas',
  'export.summary': 'Ziņošanas kārta „{title}” ({plan} / {round}, {state})\nTermiņš: {deadline}\nAtbildes: {replied} no {expected}; vēl nav: {missing}.\nPielikumā visas atbildes: CSV izklājlapai un HTML lasīšanai telefonā vai datorā.',
  'export.no_round': 'Šim rīcības plānam vēl nav nevienas ziņošanas kārtas, tāpēc nav ko eksportēt.',

  'error.temporary': 'Atvainojiet, mūsu pusē radās īslaicīga kļūda. Lūdzu, pēc brīža mēģiniet vēlreiz; {prefix}status parādīs, kur palikām.',
  'error.stale_button': 'Šī poga ir no vecākas ziņas un vairs nedarbojas.',
  'error.not_your_measure': 'Šis pasākums nav piešķirts jums, tāpēc par to nevar ziņot. Ja tas ir jūsu pasākums, lūdzu, sazinieties ar koordinatoru.',
  'error.choose_button': 'Lūdzu, izvēlieties vienu no pogām.',
  'error.note_empty': 'Apraksts ir tukšs. Lūdzu, uzrakstiet dažus vārdus par paveikto.',
  'error.note_too_long': 'Apraksts ir par garu. Atļautais garums: {limit}, jūsu tekstā: {length}. Lūdzu, saīsiniet to un nosūtiet vēlreiz; pārējās atbildes ir saglabātas.',
  'error.link_invalid': '„{link}” nav derīga saite: tai jāsākas ar http:// vai https://. Lūdzu, nosūtiet saites vēlreiz vai izvēlieties „{skip}”.',
  'error.too_many_links': 'Pārāk daudz saišu ({count}); var pievienot ne vairāk kā {max}.',
  'error.conflict': 'Šī atbilde pienāca vienlaikus ar citu. Lūdzu, mēģiniet vēlreiz.',
  'error.no_conversation': 'Šobrīd nekas nav iesākts. Vai vēlaties ziņot pasākuma statusu?',

  'flow.choose_measure': 'Par kuru pasākumu vēlaties ziņot?',
  'flow.measure_heading': 'Pasākums {code} „{title}”',
  'flow.choose_status': 'Kāds ir pasākuma statuss?',
  'flow.ask_note': 'Īsi aprakstiet savos vārdos, kas paveikts. Garums: ne vairāk kā {limit}.',
  'flow.ask_links': 'Ja ir saites uz rezultātiem (dokumenti, publikācijas), nosūtiet tās, katru savā rindā (ne vairāk kā {max}). Ja saišu nav, izvēlieties „{skip}”.',
  'flow.review': 'Lūdzu, pārbaudiet atbildi:\nPasākums: {code} {title}\nStatuss: {status}\nApraksts: {note}\nSaites: {links}',
  'flow.no_links': 'nav',
  'flow.resume': 'Turpinām iesākto.',
  'flow.saved': 'Saglabāts: pasākums {code}, statuss „{status}”. Paldies!',
  'flow.reported_mark': '{label} ✓',
  'flow.finished': 'Paldies! Ja kaut kas jālabo, vienkārši ziņojiet vēlreiz; iepriekšējās atbildes paliek vēsturē.',
  'flow.cancelled': 'Atcelts. Nekas netika saglabāts.',

  'button.report': 'Ziņot statusu',
  'button.confirm': 'Apstiprināt',
  'button.cancel': 'Atcelt',
  'button.back': 'Atpakaļ',
  'button.change_status': 'Mainīt statusu',
  'button.change_note': 'Mainīt aprakstu',
  'button.change_links': 'Mainīt saites',
  'button.change_measure': 'Mainīt pasākumu',
  'button.skip_links': 'Bez saitēm',
  'button.report_another': 'Ziņot par citu pasākumu',
  'button.finish': 'Beigt',

  // "līdz" wants the dative ("līdz 1. februārim"), which ICU does not provide, so the reminder uses
  // the numeric date that official letters use anyway: "līdz 01.02.2026.".
  'reminder.text': 'Atgādinājums: līdz {date} jāiesniedz pasākuma {code} „{title}” progress. Atbildēt var šeit, dažos klikšķos.',
  'reminder.overdue': 'Termiņš ({date}) ir pagājis, bet pasākuma {code} „{title}” progress vēl nav saņemts. Lūdzu, atbildiet, kad varat.',
  'reminder.button.report': 'Ziņot statusu',
  'reminder.button.tomorrow': 'Atgādināt rīt',
  'reminder.button.not_mine': 'Nav mans pasākums',
  'reminder.snoozed': 'Labi, atgādināsim rīt.',
  'reminder.handed_over': 'Paldies! Paziņosim koordinatoram, ka pasākums {code} nav jūsu.',

  'coordinator.overdue': 'Pasākuma {code} „{title}” progress nav saņemts, lai gan termiņš bija {date}. Atbildīgie: {owners}.',
  'coordinator.declined': '{name} ({institution}) norāda, ka pasākums {code} „{title}” nav viņa vai viņas pārziņā. Lūdzu, pārbaudiet atbildīgo personu.',

  'mine.header': 'Jums ir {measures}:',
  'mine.item': '{code} {title}\nTermiņš: {deadline}\nPēdējā atbilde: {last}',
  'mine.last': '{status} ({date})',
  'mine.no_answer': 'vēl nav',
  'mine.no_round': 'nav atvērtas ziņošanas kārtas',
  'mine.report_button': 'Ziņot: {code}',

  // Meeting minutes and decisions (meetings/minutes.ts) and the meetings in Slack's App Home (meetings/my-meetings.ts).
  'minutes.heading': 'Sēdes „{title}” ({date}) protokols un lēmumi.',
  'minutes.item': '{number}. {title}\n{label}: {decision}',
  'minutes.decision.council': 'Padomes lēmums',
  'minutes.decision.other': 'Lēmums',
  'minutes.no_decisions': 'Lēmumi pa darba kārtības punktiem nav pievienoti.',
  'minutes.attached': 'Protokols „{label}” ir pielikumā.',
  'minutes.linked': 'Protokols „{label}”: saite zemāk.',
  'my_meetings.upcoming': 'Gaidāmās sēdes',
  'my_meetings.past': 'Pagājušās sēdes',
  'my_meetings.none': 'Gaidāmu sēžu nav.',
  'my_meetings.item': '{title}\n{when}{place}\nJūsu atbilde: {answer}',
  'my_meetings.past_item': '{title}\n{when}',
  'my_meetings.answer.on_site': 'piedalīšos klātienē',
  'my_meetings.answer.online': 'piedalīšos tiešsaistē',
  'my_meetings.answer.not_attending': 'nepiedalīšos',
  'my_meetings.answer.deputy': 'sūtu aizvietotāju: {name}',
  'my_meetings.answer.none': 'vēl nav',
  'my_meetings.waitlisted': '{answer} (gaidīšanas sarakstā)',
  'my_meetings.change': 'Mainīt atbildi',
  'my_meetings.answer_now': 'Atbildēt',
  'my_meetings.minutes': 'Protokols',
  'my_meetings.minutes_file': 'Protokols „{label}” nosūtīts kā fails sarunā ar mani.',
  'my_meetings.no_minutes': 'Protokols vēl nav pieejams.',

  // Slack's own surfaces: the status form (modal), the App Home and a pressed button's mark.
  'form.status.note_label': 'Kas paveikts (savos vārdos)',
  'form.status.note_hint': 'Ne vairāk kā {limit}.',
  'form.status.links_label': 'Saites uz rezultātiem (nav obligātas)',
  'form.status.links_hint': 'Katra saite savā rindā, ne vairāk kā {max}; jāsākas ar http:// vai https://.',
  'form.status.status_missing': 'Lūdzu, izvēlieties statusu.',
  'form.status.link_invalid': '„{link}” nav derīga saite: tai jāsākas ar http:// vai https://. Ja saišu nav, atstājiet lauku tukšu.',
  'form.status.or_chat': 'Var atbildēt arī sarunā ar mani.',
  'slack.home.title': 'Mani pasākumi',
  'slack.home.commands': 'Komandas: /ogp status, /ogp mine, /ogp language, /ogp help',
  'slack.home.last_note': 'Pēdējais apraksts: {note}',
  'slack.answered.mark': '✓ {label}',

  'language.choose': 'Izvēlieties valodu / Choose a language',
  'language.switched': 'Valoda nomainīta: latviešu.',
  'language.name.lv': 'Latviešu',
  'language.name.en': 'English',
} as const satisfies Record<string, Message>;
