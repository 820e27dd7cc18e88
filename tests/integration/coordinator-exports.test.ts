import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { Types } from 'mongoose';
import { AuditEntryModel, PlanModel } from '../../src/models/index.js';
import { closeRound } from '../../src/domain/rounds/rounds.js';
import { roundOverview } from '../../src/domain/rounds/round-overview.js';
import { overviewToHtml } from '../../src/domain/rounds/round-export.js';
import { exportCommand, overviewCommand } from '../../src/domain/rounds/coordinator-commands.js';
import { overviewText, OVERVIEW_WIDTH } from '../../src/domain/rounds/coordinator-overview.js';
import { readAttachment } from '../../src/domain/chat/files.js';
import { useTestDatabase } from '../support/mongo.js';
import { afterDeadline, seedRoundFixture } from '../support/round-fixture.js';

useTestDatabase();

let roundId = '';
const lv = { _id: new Types.ObjectId(), language: 'lv' as const };
const en = { _id: new Types.ObjectId(), language: 'en' as const };

/**
 * The fixture's seven measures (round-fixture.ts), with a long title for commitment 2 (cut to the
 * phone's width), a link with `&` in 2.1's reply and a `javascript:` one in 2.2's (shown as text).
 */
beforeAll(async () => {
  roundId = await seedRoundFixture({
    commitment2Title: 'Līdzdalība un sabiedrības iesaiste lēmumu pieņemšanā',
    roundTitle: { lv: 'Progress 2025. gadā', en: 'Progress in 2025' },
    links: { '2.1': ['https://vk.gov.lv/zinojums?a=1&b=2'], '2.2': ['javascript:alert(1)'] },
  });
});

async function overview() {
  const result = await roundOverview({ roundId }, afterDeadline);
  if (!result.ok) throw new Error(result.error.message.en);
  return result.overview;
}

describe('the /overview text', () => {
  it('fits a phone: no tabs, no line wider than the screen, one count per line under each commitment', async () => {
    const text = overviewText(await overview(), 'lv');
    expect(text).not.toContain('\t');
    for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(OVERVIEW_WIDTH);
    expect(text).toContain('„Progress 2025. gadā”\nKārta 2025 · nap-5 · atvērta\nTermiņš: 01.02.2026.');
    expect(text).toContain('1. Atklātums\n1 nav uzsākts\n2 procesā\n0 pabeigts vai būtisks progress\n0 atcelts\n1 nav atbildes\n4 kopā');
    // A long commitment title is cut to the width.
    expect(text).toContain('2. Līdzdalība un sabiedrības iesaiste…\n0 nav uzsākts');
    expect(text).toContain('Visas apņemšanās\n1 nav uzsākts\n2 procesā\n2 pabeigts vai būtisks progress\n1 atcelts\n1 nav atbildes\n7 kopā');
    expect(text).toContain('Kavētās atbildes:\n1.4 Pasākums 1.4\n  VARAM\n  Ilze Liepa\n    ilze@varam.example\n  Juris Kalns (nav mans)\n    juris@varam.example\n');
  });

  it('is in the coordinator’s language, and pads counts with figure spaces so they line up', async () => {
    const o = await overview();
    const text = overviewText({ ...o, totals: { ...o.totals, total: 12 } }, 'en');
    expect(text).toContain('“Progress in 2025”\nRound 2025 · nap-5 · open\nDeadline: 1 Feb 2026');
    expect(text).toContain('1. Openness\n\u20071 not started\n\u20072 in progress\n\u20070 completed or substantial progress\n\u20070 cancelled\n\u20071 no reply\n\u20074 total');
    expect(text).toContain('All commitments\n');
    expect(text).toContain('\n12 total\n');
    expect(text).toContain('Overdue replies:\n1.4 Measure 1.4\n');
    expect(text).toContain('  Juris Kalns (not mine)\n');
  });

  it('is given for every open round to the chat command, with the round’s chart', async () => {
    const message = await overviewCommand(lv, afterDeadline);
    expect(message.text).toBe(overviewText(await overview(), 'lv'));
    expect(message.attachments?.map((a) => a.mediaType)).toEqual(['image/png']);
  });
});

describe('the /export message', () => {
  it('says how far the round is and attaches the CSV and HTML files', async () => {
    const message = await exportCommand(lv, afterDeadline);
    expect(message.text).toBe(
      'Ziņošanas kārta „Progress 2025. gadā” (nap-5 / 2025, atvērta)\n' +
        'Termiņš: 01.02.2026.\n' +
        'Atbildes: 5 no 6; vēl nav: 1.\n' +
        'Pielikumā visas atbildes: CSV izklājlapai un HTML lasīšanai telefonā vai datorā.',
    );
    expect(message.choices).toEqual([]);
    // Who took the replies out, in the audit log.
    const audit = await AuditEntryModel.findOne({ action: 'round.export', actor: String(lv._id) }).lean();
    expect(audit?.details).toEqual({ files: ['ogp-nap-5-2025-atbildes.csv', 'ogp-nap-5-2025-atbildes.html'], replies: 5 });
    expect(message.attachments?.map((a) => [a.name, a.mediaType, a.source.kind])).toEqual([
      ['ogp-nap-5-2025-atbildes.csv', 'text/csv; charset=utf-8', 'stored'],
      ['ogp-nap-5-2025-atbildes.html', 'text/html; charset=utf-8', 'stored'],
    ]);
  });

  it('stores a CSV that reads back with every measure, reply or not', async () => {
    const [csvFile] = (await exportCommand(lv, afterDeadline)).attachments ?? [];
    const csv = (await readAttachment(csvFile!)).toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r['Pasākums'], r['Statusa kods']])).toEqual([
      ['1.1', 'not_started'],
      ['1.2', 'in_progress'],
      ['1.3', 'delayed'],
      ['1.4', 'missing'],
      ['2.1', 'completed'],
      ['2.2', 'substantial'],
      ['2.3', 'cancelled'],
    ]);
    expect(rows[1]).toMatchObject({ Statuss: 'procesā', Progress: 'Notiek darbs | 2 posmi\notrā rindā', Ziņoja: 'Anna Ozola' });
    expect(rows[2]?.['Progress']).toBe('\'=HYPERLINK("http://x")');
    expect(rows[3]).toMatchObject({ Kontaktpersonas: 'Ilze Liepa (VARAM); Juris Kalns (VARAM) [nav mans]' });
  });

  it('stores an HTML page that a phone lays out, with people’s text escaped', async () => {
    const [, htmlFile] = (await exportCommand(lv, afterDeadline)).attachments ?? [];
    const html = (await readAttachment(htmlFile!)).toString('utf8');
    expect(html).toMatch(/^<!doctype html>\n<html lang="lv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">/);
    expect(html).toContain('<title>5. plāns: Progress 2025. gadā</title>');
    expect(html).toContain('Termiņš: 01.02.2026.');
    // The counts with the commitments across: Not started 1 | 0 | total 1.
    expect(html).toContain('<tr><th>Nav uzsākts</th><td>1</td><td>0</td><td>1</td></tr>');
    expect(html).toContain('<tr class="total"><th>Kopā</th><td>4</td><td>3</td><td>7</td></tr>');
    expect(html).toContain('<li>1.4 Pasākums 1.4: Ilze Liepa (VARAM); Juris Kalns (VARAM) [nav mans]</li>');
    expect(html).toContain('<p class="note">Būtisks &lt;b&gt;progress&lt;/b&gt;</p>');
    expect(html).toContain('<p class="note">Notiek darbs | 2 posmi\notrā rindā</p>');
    expect(html).toContain('<a href="https://vk.gov.lv/zinojums?a=1&amp;b=2">https://vk.gov.lv/zinojums?a=1&amp;b=2</a>');
    // Only http(s) becomes a link; anything else is shown as text.
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<dd>javascript:alert(1)</dd>');
    expect(html).not.toContain('<b>');
    expect(html).not.toMatch(/<script|src=|@import/);
  });

  it('names the files and writes the text in English for an English coordinator', async () => {
    const message = await exportCommand(en, afterDeadline);
    expect(message.text).toContain('Replies: 5 of 6; still missing: 1.');
    expect(message.attachments?.map((a) => a.name)).toEqual(['ogp-nap-5-2025-replies.csv', 'ogp-nap-5-2025-replies.html']);
    const html = (await readAttachment(message.attachments![1]!)).toString('utf8');
    expect(html).toContain('<html lang="en">');
    expect(html).toBe(overviewToHtml(await overview(), 'en'));
  });

  it('exports the last round once it is closed, and says so when a plan has none', async () => {
    expect((await closeRound({ roundId }, 'test', afterDeadline)).ok).toBe(true);
    const closed = await exportCommand(lv, afterDeadline);
    expect(closed.text).toContain('(nap-5 / 2025, slēgta)');
    expect(closed.attachments).toHaveLength(2);

    await PlanModel.create({ key: 'nap-6', number: 6, title: { lv: '6. plāns' }, startYear: 2026, endYear: 2029 });
    expect(await exportCommand(lv, afterDeadline)).toEqual({
      text: 'Šim rīcības plānam vēl nav nevienas ziņošanas kārtas, tāpēc nav ko eksportēt.',
      choices: [],
    });
  });
});
