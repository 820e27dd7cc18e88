import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  statusFlow,
  type FlowMeasure,
  type StatusFlowContext,
  type StatusFlowOutcome,
  type StatusFlowState,
} from '../../src/domain/status/status-flow.js';
import { START_CHOICE_ID } from '../../src/domain/status/status-flow-replies.js';
import type { ChatEvent } from '../../src/domain/chat/conversation.js';
import { MAX_CHOICE_ID_BYTES, type Reply } from '../../src/domain/chat/message.js';
import { encodeReminderAction } from '../../src/domain/reminders/reminder-actions.js';
import { t } from '../../src/i18n/index.js';

const ROUND = '6650a0000000000000000001';
const M35: FlowMeasure = { id: '6650b0000000000000000035', code: '3.5', title: 'Atvērtie dati', roundId: ROUND };
const M41: FlowMeasure = { id: '6650b0000000000000000041', code: '4.1', title: 'Lobēšanas atklātība', roundId: ROUND };
const M63: FlowMeasure = { id: '6650b0000000000000000063', code: '6.3', title: 'Sabiedrības līdzdalība pašvaldībās', roundId: ROUND };
const FOREIGN = '6650b0000000000000000099';
const OLD_ROUND = '6650a0000000000000000000';
const reminder = (kind: 'report' | 'snooze' | 'decline', measureId: string, roundId = ROUND) =>
  encodeReminderAction({ kind, roundId, measureId });
const now = DateTime.fromISO('2026-01-20T10:00', { zone: 'Europe/Riga' });

function context(over: Partial<StatusFlowContext> = {}): StatusFlowContext {
  let n = 0;
  return { language: 'lv', measures: [M35, M41, M63], now, newNonce: () => `n${++n}`, ...over };
}

/** Drives the flow like the service does: keeps the state of `continue`, drops it at the end. */
class Session {
  state: StatusFlowState | null = null;
  last!: StatusFlowOutcome;
  seen: Reply[] = [];
  constructor(readonly ctx: StatusFlowContext = context()) {}

  send(event: ChatEvent): StatusFlowOutcome {
    this.last = statusFlow(this.state, event, this.ctx);
    this.seen.push(...this.last.replies);
    if (this.last.type === 'continue') this.state = this.last.state;
    else if (this.last.type !== 'rejected') this.state = null;
    return this.last;
  }
  reply(): Reply {
    const reply = this.last.replies.at(-1);
    if (!reply) throw new Error('no reply');
    return reply;
  }
  /** The id of the button with this label on the last message. */
  button(label: string): string {
    const found = this.reply().choices.find((c) => c.label === label);
    if (!found) throw new Error(`no button '${label}' in ${JSON.stringify(this.reply().choices.map((c) => c.label))}`);
    return found.id;
  }
  press(label: string): StatusFlowOutcome {
    return this.send({ type: 'choice', id: this.button(label) });
  }
  type(text: string): StatusFlowOutcome {
    return this.send({ type: 'text', text });
  }
  labels(): string[] {
    return this.reply().choices.map((c) => c.label);
  }
}

/** Start → measure 3.5 → in progress → note → no links: at the review. */
function toReview(s = new Session()): Session {
  s.send({ type: 'start' });
  s.press('3.5 Atvērtie dati');
  s.press('procesā');
  s.type('Publicētas 12 datu kopas.');
  s.press('Bez saitēm');
  expect(s.state?.step).toBe('review');
  return s;
}

describe('status flow: the whole conversation', () => {
  it('goes measure → status → note → links → review → confirm and asks to save the report', () => {
    const s = new Session();
    expect(s.send({ type: 'start' }).type).toBe('continue');
    expect(s.reply().text).toBe('Par kuru pasākumu vēlaties ziņot?');
    expect(s.labels()).toEqual(['3.5 Atvērtie dati', '4.1 Lobēšanas atklātība', '6.3 Sabiedrības līdzdalība pašvaldībās', 'Atcelt']);

    s.press('4.1 Lobēšanas atklātība');
    expect(s.reply().text).toBe('Pasākums 4.1 „Lobēšanas atklātība”\nKāds ir pasākuma statuss?');
    expect(s.labels()).toEqual(['nav uzsākts', 'procesā', 'būtisks progress', 'pabeigts', 'kavējas', 'Atcelt']);

    s.press('būtisks progress');
    expect(s.reply().expectsText).toBe(true);
    expect(s.reply().text).toContain('ne vairāk kā 1000 rakstzīmju');
    expect(s.labels()).toEqual(['Atcelt']);

    s.type('  Likumprojekts iesniegts Saeimā.\n');
    expect(s.reply().expectsText).toBe(true);
    expect(s.labels()).toEqual(['Bez saitēm', 'Atcelt']);

    s.type('https://tap.mk.gov.lv/lv/mk/tap/?pid=1\nhttps://www.vk.gov.lv/lv/atverta-parvaldiba');
    expect(s.reply().text).toBe(
      'Lūdzu, pārbaudiet atbildi:\nPasākums: 4.1 Lobēšanas atklātība\nStatuss: būtisks progress\n' +
        'Apraksts: Likumprojekts iesniegts Saeimā.\nSaites: https://tap.mk.gov.lv/lv/mk/tap/?pid=1\nhttps://www.vk.gov.lv/lv/atverta-parvaldiba',
    );
    expect(s.labels()).toEqual(['Apstiprināt', 'Mainīt statusu', 'Mainīt aprakstu', 'Mainīt saites', 'Mainīt pasākumu', 'Atcelt']);

    const done = s.press('Apstiprināt');
    expect(done).toEqual({
      type: 'done',
      effects: [
        {
          type: 'save-report',
          measureId: M41.id,
          roundId: ROUND,
          status: 'substantial',
          note: 'Likumprojekts iesniegts Saeimā.',
          links: ['https://tap.mk.gov.lv/lv/mk/tap/?pid=1', 'https://www.vk.gov.lv/lv/atverta-parvaldiba'],
        },
      ],
      replies: [expect.objectContaining({ text: 'Saglabāts: pasākums 4.1, statuss „būtisks progress”. Paldies!' })],
    });
    expect(s.labels()).toEqual(['Ziņot par citu pasākumu', 'Beigt']);
  });

  it('skips the measure question with one tap when the person has one measure', () => {
    const s = new Session(context({ measures: [M35] }));
    s.send({ type: 'start' });
    expect(s.state).toMatchObject({ step: 'status', draft: { measureId: M35.id } });
    expect(s.reply().text).toContain('Pasākums 3.5 „Atvērtie dati”');
    s.press('pabeigts');
    s.type('Gatavs.');
    s.press('Bez saitēm');
    expect(s.labels()).not.toContain('Mainīt pasākumu');
    s.press('Apstiprināt');
    expect(s.last.type).toBe('done');
    // Nothing else to report on: only "finish".
    expect(s.labels()).toEqual(['Beigt']);
  });

  it('reports on several measures in one sitting', () => {
    const s = toReview();
    expect(s.press('Apstiprināt').type).toBe('done');
    expect(s.state).toBeNull();

    // The service marks what has been answered in this round.
    const again = new Session(context({ measures: [{ ...M35, reported: true }, M41, M63] }));
    again.last = s.last;
    again.send({ type: 'choice', id: s.button('Ziņot par citu pasākumu') });
    expect(again.last.type).toBe('continue');
    expect(again.labels()).toEqual(['3.5 Atvērtie dati ✓', '4.1 Lobēšanas atklātība', '6.3 Sabiedrības līdzdalība pašvaldībās', 'Atcelt']);
    again.press('6.3 Sabiedrības līdzdalība pašvaldībās');
    again.press('kavējas');
    again.type('Aizkavējās iepirkums.');
    again.type('https://www.vk.gov.lv');
    const second = again.press('Apstiprināt');
    expect(second.type === 'done' && second.effects[0]).toMatchObject({ measureId: M63.id, status: 'delayed', links: ['https://www.vk.gov.lv/'] });

    const finished = again.press('Beigt');
    expect(finished).toEqual({ type: 'done', effects: [], replies: [expect.objectContaining({ choices: [] })] });
    expect(finished.replies[0]?.text).toContain('Paldies!');
  });

  it('starts at a given measure from a reminder button', () => {
    const direct = statusFlow(null, { type: 'start', measureId: M63.id }, context());
    expect(direct).toMatchObject({ type: 'continue', state: { step: 'status', draft: { measureId: M63.id } } });

    const s = new Session();
    s.send({ type: 'choice', id: reminder('report', M41.id) });
    expect(s.state).toMatchObject({ step: 'status', draft: { measureId: M41.id } });
  });

  it("refuses a reminder of an earlier round, and the reminder's other buttons", () => {
    const old = statusFlow(null, { type: 'choice', id: reminder('report', M41.id, OLD_ROUND) }, context());
    expect(old).toMatchObject({ type: 'rejected', reason: 'round_closed' });
    for (const kind of ['snooze', 'decline'] as const) {
      expect(statusFlow(null, { type: 'choice', id: reminder(kind, M41.id) }, context())).toMatchObject({ type: 'rejected', reason: 'stale' });
    }
  });

  it('resumes where it stopped when started again, and restarts for another measure', () => {
    const s = new Session();
    s.send({ type: 'start' });
    s.press('3.5 Atvērtie dati');
    s.press('procesā');
    const before = s.state;
    s.send({ type: 'start' });
    expect(s.last.type).toBe('continue');
    expect(s.state).toEqual(before);
    expect(s.reply().text).toMatch(/^Turpinām iesākto\.\n\nPasākums 3\.5/);

    s.send({ type: 'start', measureId: M41.id });
    expect(s.state).toMatchObject({ step: 'status', draft: { measureId: M41.id } });
    expect(s.state?.nonce).not.toBe(before?.nonce);
  });

  it('speaks English to an English speaker', () => {
    const s = new Session(context({ language: 'en' }));
    s.send({ type: 'start' });
    expect(s.reply().text).toBe('Which measure would you like to report on?');
    s.press('3.5 Atvērtie dati');
    expect(s.labels()).toEqual(['not started', 'in progress', 'substantial progress', 'completed', 'delayed', 'Cancel']);
  });
});

describe('status flow: changing answers at the review', () => {
  it('changes the status, then returns to the review with the rest kept', () => {
    const s = toReview();
    s.press('Mainīt statusu');
    expect(s.state).toMatchObject({ step: 'status', editing: true });
    expect(s.labels()).toContain('Atpakaļ');
    s.press('pabeigts');
    expect(s.state).toMatchObject({ step: 'review', editing: false, draft: { status: 'completed', note: 'Publicētas 12 datu kopas.', links: [] } });
    expect(s.reply().text).toContain('Statuss: pabeigts');
  });

  it('changes the note and the links', () => {
    const s = toReview();
    s.press('Mainīt aprakstu');
    expect(s.reply().expectsText).toBe(true);
    s.type('Publicētas 14 datu kopas.');
    expect(s.state).toMatchObject({ step: 'review', draft: { note: 'Publicētas 14 datu kopas.', status: 'in_progress' } });

    s.press('Mainīt saites');
    s.type('https://data.gov.lv/dati/lv/dataset');
    expect(s.state).toMatchObject({ step: 'review', draft: { links: ['https://data.gov.lv/dati/lv/dataset'] } });
    s.press('Mainīt saites');
    s.press('Bez saitēm');
    expect(s.state?.draft.links).toEqual([]);
    expect(s.reply().text).toContain('Saites: nav');
  });

  it('changes the measure and keeps the answers', () => {
    const s = toReview();
    s.press('Mainīt pasākumu');
    expect(s.state).toMatchObject({ step: 'measure', editing: true });
    s.press('4.1 Lobēšanas atklātība');
    expect(s.state).toMatchObject({ step: 'review', draft: { measureId: M41.id, status: 'in_progress', note: 'Publicētas 12 datu kopas.' } });
    const done = s.press('Apstiprināt');
    expect(done.type === 'done' && done.effects[0]?.measureId).toBe(M41.id);
  });

  it('goes back to the review unchanged', () => {
    const s = toReview();
    const before = s.state;
    s.press('Mainīt aprakstu');
    s.press('Atpakaļ');
    expect(s.state).toEqual(before);
  });
});

describe('status flow: cancel', () => {
  const reach: Record<string, (s: Session) => void> = {
    measure: (s) => s.send({ type: 'start' }),
    status: (s) => {
      s.send({ type: 'start' });
      s.press('3.5 Atvērtie dati');
    },
    note: (s) => {
      reach.status!(s);
      s.press('procesā');
    },
    links: (s) => {
      reach.note!(s);
      s.type('Teksts.');
    },
    review: (s) => toReview(s),
    'review edit': (s) => {
      toReview(s);
      s.press('Mainīt saites');
    },
  };

  for (const [step, go] of Object.entries(reach)) {
    it(`ends the conversation from the ${step} step, by button and by command`, () => {
      for (const how of ['button', 'command'] as const) {
        const s = new Session();
        go(s);
        const out = how === 'button' ? s.press('Atcelt') : s.send({ type: 'cancel' });
        expect(out).toEqual({ type: 'cancelled', replies: [{ text: 'Atcelts. Nekas netika saglabāts.', choices: [] }] });
        expect(s.state).toBeNull();
      }
    });
  }
});

describe('status flow: bad input changes nothing', () => {
  it('refuses a button from an older conversation as stale and shows the current question', () => {
    const s = new Session();
    s.send({ type: 'start' });
    const oldButton = s.button('3.5 Atvērtie dati');
    s.send({ type: 'cancel' });
    s.send({ type: 'start' });
    const out = s.send({ type: 'choice', id: oldButton });
    expect(out.type === 'rejected' && out.reason).toBe('stale');
    expect(out.replies[0]?.text).toMatch(/^Šī poga ir no vecākas ziņas/);
    expect(out.replies[0]?.choices.map((c) => c.id)).toEqual(s.seen.at(-2)?.choices.map((c) => c.id));
    expect(s.state?.step).toBe('measure');
  });

  it('refuses a button of an earlier step of the same conversation', () => {
    const s = new Session();
    s.send({ type: 'start' });
    s.press('3.5 Atvērtie dati');
    const statusButton = s.button('procesā');
    s.press('pabeigts');
    const before = s.state;
    const out = s.send({ type: 'choice', id: statusButton });
    expect(out.type === 'rejected' && out.reason).toBe('stale');
    expect(s.state).toEqual(before);
  });

  it('refuses unknown and forged ids, and old buttons when nothing is in progress', () => {
    const s = new Session();
    s.send({ type: 'start' });
    for (const id of ['garbage', 'sf:n1:s:finished', 'sf:n1:e:everything', 'sf::x']) {
      const out = s.send({ type: 'choice', id });
      expect({ id, reason: out.type === 'rejected' && out.reason }).toEqual({ id, reason: 'stale' });
    }
    const idle = statusFlow(null, { type: 'choice', id: 'sf:old:s:completed' }, context());
    expect(idle).toMatchObject({ type: 'rejected', reason: 'stale' });
    expect(idle.replies[0]?.choices).toEqual([{ id: START_CHOICE_ID, label: 'Ziņot statusu' }]);
  });

  it("refuses a measure that is not the person's, from a forged button, a start or a reminder", () => {
    const s = new Session();
    s.send({ type: 'start' });
    const forged = s.button('3.5 Atvērtie dati').replace(M35.id, FOREIGN);
    const before = s.state;
    const out = s.send({ type: 'choice', id: forged });
    expect(out.type === 'rejected' && out.reason).toBe('not_your_measure');
    expect(out.replies[0]?.text).toMatch(/^Šis pasākums nav piešķirts jums/);
    expect(s.state).toEqual(before);

    expect(statusFlow(null, { type: 'start', measureId: FOREIGN }, context())).toMatchObject({ type: 'rejected', reason: 'not_your_measure' });
    const fromReminder = statusFlow(null, { type: 'choice', id: reminder('report', FOREIGN) }, context());
    expect(fromReminder).toMatchObject({ type: 'rejected', reason: 'not_your_measure' });
  });

  it('refuses to go on when the draft measure was taken from the person', () => {
    const s = toReview();
    const out = statusFlow(s.state, { type: 'choice', id: s.button('Apstiprināt') }, context({ measures: [M41, M63] }));
    expect(out).toMatchObject({ type: 'rejected', reason: 'not_your_measure' });
  });

  it('says the note is too long, with the limit, and keeps the draft', () => {
    const s = new Session(context({ noteMaxLength: 20 }));
    s.send({ type: 'start' });
    s.press('3.5 Atvērtie dati');
    s.press('procesā');
    const draft = s.state;
    const out = s.type('Šis apraksts ir pārāk garš.');
    expect(out.type === 'rejected' && out.reason).toBe('note_too_long');
    expect(out.replies[0]?.text).toContain('Atļautais garums: 20 rakstzīmju, jūsu tekstā: 27 rakstzīmes.');
    expect(out.replies[0]?.expectsText).toBe(true);
    expect(s.state).toEqual(draft);

    expect(s.type('ā'.repeat(21))).toMatchObject({ type: 'rejected', reason: 'note_too_long' });
    // Diacritics count once each, also when sent decomposed.
    s.type('ā'.repeat(19) + 'a\u0304');
    expect(s.state).toMatchObject({ step: 'links', draft: { status: 'in_progress', note: 'ā'.repeat(20) } });
  });

  it('refuses an empty note', () => {
    const s = new Session();
    s.send({ type: 'start' });
    s.press('3.5 Atvērtie dati');
    s.press('procesā');
    expect(s.type('   \n ')).toMatchObject({ type: 'rejected', reason: 'note_empty' });
    expect(s.state?.step).toBe('note');
  });

  it('asks for a button, with the same buttons, when text comes where a choice is expected', () => {
    for (const prepare of [(s: Session) => s.send({ type: 'start' }), (s: Session) => toReview(s)]) {
      const s = new Session();
      prepare(s);
      const shown = s.reply();
      const before = s.state;
      const out = s.type('procesā');
      expect(out.type === 'rejected' && out.reason).toBe('choose_button');
      expect(out.replies).toEqual([{ ...shown, text: `Lūdzu, izvēlieties vienu no pogām.\n\n${shown.text}` }]);
      expect(s.state).toEqual(before);
    }
  });

  it('validates links with the URL parser', () => {
    const s = new Session(context({ linksMax: 2 }));
    s.send({ type: 'start' });
    s.press('3.5 Atvērtie dati');
    s.press('procesā');
    s.type('Teksts.');
    for (const [text, link] of [
      ['www.vk.gov.lv', 'www.vk.gov.lv'],
      ['javascript:alert(1)', 'javascript:alert(1)'],
      ['ftp://vk.gov.lv/a', 'ftp://vk.gov.lv/a'],
      ['https://vk.gov.lv skatīt', 'skatīt'],
      ['http://localhost/x', 'http://localhost/x'],
    ]) {
      const out = s.type(text!);
      expect(out.type === 'rejected' && out.reason).toBe('invalid_link');
      expect(out.replies[0]?.text).toContain(`„${link}” nav derīga saite`);
      expect(s.state?.step).toBe('links');
    }
    expect(s.type('https://a.lv https://b.lv https://c.lv')).toMatchObject({ type: 'rejected', reason: 'too_many_links' });
    s.type('<https://vk.gov.lv/a>, https://vk.gov.lv/a HTTPS://Data.gov.lv');
    expect(s.state?.draft.links).toEqual(['https://vk.gov.lv/a', 'https://data.gov.lv/']);
  });

  it('offers to start when text arrives and nothing is in progress', () => {
    const out = statusFlow(null, { type: 'text', text: 'sveiki' }, context());
    expect(out).toMatchObject({ type: 'rejected', reason: 'no_conversation' });
    expect(out.replies[0]?.choices.map((c) => c.id)).toEqual([START_CHOICE_ID]);
    const started = statusFlow(null, { type: 'choice', id: START_CHOICE_ID }, context());
    expect(started).toMatchObject({ type: 'continue', state: { step: 'measure' } });
  });

  it('says so when the person has nothing to report on', () => {
    expect(statusFlow(null, { type: 'start' }, context({ measures: [] }))).toMatchObject({ type: 'rejected', reason: 'no_measures' });
  });
});

describe('status flow: button ids', () => {
  it('fit Telegram callback_data and carry the conversation nonce', () => {
    const s = toReview();
    s.press('Apstiprināt');
    const ids = s.seen.flatMap((r) => r.choices.map((c) => c.id));
    expect(ids.length).toBeGreaterThan(15);
    for (const id of ids) {
      expect(Buffer.byteLength(id)).toBeLessThanOrEqual(MAX_CHOICE_ID_BYTES);
      expect(id).toMatch(/^sf:n1:/);
    }
  });

  it('derive the nonce from the clock when no source is given, so the function stays pure', () => {
    const a = statusFlow(null, { type: 'start' }, { language: 'lv', measures: [M35, M41], now });
    const b = statusFlow(null, { type: 'start' }, { language: 'lv', measures: [M35, M41], now });
    expect(a).toEqual(b);
    const c = statusFlow(null, { type: 'start' }, { language: 'lv', measures: [M35, M41], now: now.plus({ seconds: 1 }) });
    expect(c.type === 'continue' && a.type === 'continue' && c.state.nonce !== a.state.nonce).toBe(true);
  });
});

describe('status flow: the form (a Slack modal)', () => {
  const formFor = (measure: FlowMeasure, roundId = ROUND) => JSON.stringify({ r: roundId, m: measure.id });
  const submit = (values: Record<string, string>, over: { state?: StatusFlowState | null; measure?: FlowMeasure; roundId?: string; ctx?: Partial<StatusFlowContext> } = {}) =>
    statusFlow(over.state ?? null, { type: 'form', context: formFor(over.measure ?? M35, over.roundId), values }, context(over.ctx));

  it('is offered when a reminder opens the flow at a measure, and not for a plain /status', () => {
    const fromReminder = statusFlow(null, { type: 'choice', id: reminder('report', M41.id) }, context());
    expect(fromReminder.replies[0]?.form).toMatchObject({ flow: 'status', context: formFor(M41) });
    expect(fromReminder.replies[0]?.form?.fields.map((f) => f.id)).toEqual(['status', 'note', 'links']);
    expect(statusFlow(null, { type: 'start' }, context()).replies.some((r) => r.form)).toBe(false);
  });

  it('saves a complete answer in the conversation’s normal form, for exactly the form’s measure and round', () => {
    const outcome = submit({ status: 'completed', note: '  Gatavs.\u0301  ', links: 'https://a.lv/x <https://b.lv/y>,' });
    expect(outcome).toMatchObject({
      type: 'done',
      effects: [{ type: 'save-report', measureId: M35.id, roundId: ROUND, status: 'completed', note: 'Gatavs.\u0301'.normalize('NFC'), links: ['https://a.lv/x', 'https://b.lv/y'] }],
      keepConversation: false,
    });
    expect(submit({ status: 'in_progress', note: 'Notiek darbs.', links: '' })).toMatchObject({ type: 'done', effects: [{ links: [] }] });
  });

  it('refuses every bad field at once, in the person’s language, and saves nothing', () => {
    const outcome = submit({ status: 'cancelled', note: '   ', links: 'javascript:alert(1)' }, { ctx: { language: 'en' } });
    expect(outcome).toMatchObject({
      type: 'rejected',
      reason: 'invalid_form',
      fieldErrors: {
        status: 'Please choose a status.',
        note: t('en', 'error.note_empty'),
        links: '“javascript:alert(1)” is not a valid link: it must start with http:// or https://. If there are no links, leave the field empty.',
      },
    });
    const six = Array.from({ length: 6 }, (_, i) => `https://a.lv/${i}`).join('\n');
    expect(submit({ status: 'delayed', note: 'ā'.repeat(11), links: six }, { ctx: { noteMaxLength: 10 } })).toMatchObject({
      type: 'rejected',
      fieldErrors: {
        note: t('lv', 'error.note_too_long', { limit: t('lv', 'count.characters', { count: 10 }), length: t('lv', 'count.characters', { count: 11 }) }),
        links: t('lv', 'error.too_many_links', { count: 6, max: 5 }),
      },
    });
    expect(submit({ status: 'delayed', note: 'ā'.repeat(10) }, { ctx: { noteMaxLength: 10 } }).type).toBe('done');
  });

  it('refuses a form for another round or a measure that is not the person’s', () => {
    expect(submit({ status: 'completed', note: 'x' }, { roundId: OLD_ROUND })).toMatchObject({ type: 'rejected', reason: 'round_closed' });
    const foreign = { ...M35, id: FOREIGN };
    expect(submit({ status: 'completed', note: 'x' }, { measure: foreign })).toMatchObject({ type: 'rejected', reason: 'not_your_measure' });
  });

  it('ends a conversation about the same measure and leaves one about another measure alone', () => {
    const about = (measure: FlowMeasure): StatusFlowState => ({ step: 'note', nonce: 'n1', editing: false, draft: { measureId: measure.id, status: 'in_progress' } });
    expect(submit({ status: 'completed', note: 'x' }, { state: about(M35) })).toMatchObject({ type: 'done', keepConversation: false });
    expect(submit({ status: 'completed', note: 'x' }, { state: about(M41) })).toMatchObject({ type: 'done', keepConversation: true });
  });
});
