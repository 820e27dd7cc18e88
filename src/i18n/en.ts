import type { Catalogue } from './types.js';

/** English catalogue. Typed as `Catalogue`, so a key missing here or unknown in lv.ts fails tsc. */
export const en: Catalogue = {
  'status.not_started': 'not started',
  'status.in_progress': 'in progress',
  'status.substantial': 'substantial progress',
  'status.completed': 'completed',
  'status.delayed': 'delayed',
  'status.cancelled': 'cancelled',

  'count.measures': { one: '{count} measure', other: '{count} measures' },
  'count.days': { one: '{count} day', other: '{count} days' },
  'count.characters': { one: '{count} character', other: '{count} characters' },
  'count.links': { one: '{count} link', other: '{count} links' },

  'date.at_time': '{date}, {time}',

  'help.text': 'Hello! This is the assistant of the multi-stakeholder forum of the open government action plan.\nUse it to report progress on your measures and to get reminders about deadlines.\n\n{prefix}status — report the status of a measure\n{prefix}mine — my measures, deadlines and last answers\n{prefix}language — change the language (latviešu / English)\n{prefix}cancel — stop what you started\n{prefix}help — this help',

  'access.unknown_person': 'Sorry, we do not know you yet, so we cannot show measures or accept answers. To get access, ask the coordinator at the State Chancellery for an invitation link and open it here.',
  'access.not_coordinator': 'Only State Chancellery coordinators can do this.',

  'invite.accepted': 'Thank you, {name}! Your account is linked. Reminders will come here from now on.',
  'invite.expired': 'This invitation link has expired. Please ask the coordinator for a new one.',
  'invite.used': 'This invitation link has already been used. If it was not you, please contact the coordinator at the State Chancellery.',

  'invite.identity_taken': 'This account is already linked to another person. Please contact the State Chancellery coordinator.',
  'stop.done': 'All right, we will not send messages here any more. To start again, ask the coordinator for a new invitation link.',

  'round.usage': 'Reporting round commands:\nround open <key> <YYYY-MM-DD> <title> — open a round\nround extend <YYYY-MM-DD> — move the deadline\nround close — close the round\nexport — all replies as a table',
  'round.no_plan': 'No action plan has been loaded yet.',
  'round.opened': 'Round "{key}" is open; deadline {deadline}. Reminders will go out on schedule.',
  'round.extended': 'The deadline of round "{key}" is now {deadline}.',
  'round.closed_done': 'Round "{key}" is closed. No more replies are accepted; reminders have stopped.',
  'round.closed': 'This reporting round is already closed, so the answer can no longer be saved. Nothing was changed. If you want to add something, please contact the coordinator.',
  'round.none_open': 'No reporting round is open right now, so there is nothing to report. We will remind you when one starts.',
  'measures.none': 'No measure is assigned to you. If that is a mistake, please contact the coordinator.',

  'error.temporary': 'Sorry, something went wrong on our side. Please try again in a moment; {prefix}status shows where we left off.',
  'error.stale_button': 'This button belongs to an older message and no longer works.',
  'error.not_your_measure': 'This measure is not assigned to you, so you cannot report on it. If it is yours, please contact the coordinator.',
  'error.choose_button': 'Please choose one of the buttons.',
  'error.note_empty': 'The note is empty. Please write a few words about what has been done.',
  'error.note_too_long': 'The note is too long. The limit is {limit}; yours has {length}. Please shorten it and send it again; your other answers are kept.',
  'error.link_invalid': '“{link}” is not a valid link: it must start with http:// or https://. Please send the links again or choose “{skip}”.',
  'error.too_many_links': 'Too many links ({count}); you can add at most {max}.',
  'error.conflict': 'This answer arrived at the same time as another one. Please try again.',
  'error.no_conversation': 'Nothing is in progress right now. Would you like to report the status of a measure?',

  'flow.choose_measure': 'Which measure would you like to report on?',
  'flow.measure_heading': 'Measure {code} “{title}”',
  'flow.choose_status': 'What is the status of the measure?',
  'flow.ask_note': 'Describe briefly, in your own words, what has been done. Length: at most {limit}.',
  'flow.ask_links': 'If there are links to results (documents, publications), send them, one per line (at most {max}). If there are none, choose “{skip}”.',
  'flow.review': 'Please check your answer:\nMeasure: {code} {title}\nStatus: {status}\nNote: {note}\nLinks: {links}',
  'flow.no_links': 'none',
  'flow.resume': 'Let us continue where you left off.',
  'flow.saved': 'Saved: measure {code}, status “{status}”. Thank you!',
  'flow.reported_mark': '{label} ✓',
  'flow.finished': 'Thank you! If something needs correcting, just report again; earlier answers stay in the history.',
  'flow.cancelled': 'Cancelled. Nothing was saved.',

  'button.report': 'Report status',
  'button.confirm': 'Confirm',
  'button.cancel': 'Cancel',
  'button.back': 'Back',
  'button.change_status': 'Change status',
  'button.change_note': 'Change note',
  'button.change_links': 'Change links',
  'button.change_measure': 'Change measure',
  'button.skip_links': 'No links',
  'button.report_another': 'Report on another measure',
  'button.finish': 'Finish',

  'reminder.text': 'Reminder: progress on measure {code} “{title}” is due by {date}. You can answer here in a few taps.',
  'reminder.overdue': 'The deadline ({date}) has passed, but progress on measure {code} “{title}” has not arrived yet. Please answer when you can.',
  'reminder.button.report': 'Report status',
  'reminder.button.tomorrow': 'Remind me tomorrow',
  'reminder.button.not_mine': 'Not my measure',
  'reminder.snoozed': 'OK, we will remind you tomorrow.',
  'reminder.handed_over': 'Thank you! We will tell the coordinator that measure {code} is not yours.',

  'coordinator.overdue': 'Progress on measure {code} “{title}” has not arrived, although it was due on {date}. Responsible: {owners}.',
  'coordinator.declined': '{name} ({institution}) says measure {code} “{title}” is not theirs. Please check who is responsible.',

  'mine.header': 'You have {measures}:',
  'mine.item': '{code} {title}\nDeadline: {deadline}\nLast answer: {last}',
  'mine.last': '{status} ({date})',
  'mine.no_answer': 'none yet',
  'mine.no_round': 'no reporting round is open',
  'mine.report_button': 'Report: {code}',

  'language.choose': 'Izvēlieties valodu / Choose a language',
  'language.switched': 'Language switched to English.',
  'language.name.lv': 'Latviešu',
  'language.name.en': 'English',
};
