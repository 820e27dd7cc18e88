import { describe, expect, it, beforeAll } from 'vitest';
import { parse } from 'csv-parse/sync';
import { roundOverview } from '../../src/domain/rounds/round-overview.js';
import { overviewToCsv, overviewToMarkdown } from '../../src/domain/rounds/round-export.js';
import { useTestDatabase } from '../support/mongo.js';
import { afterDeadline, openedAt, seedRoundFixture } from '../support/round-fixture.js';

useTestDatabase();

let roundId = '';

/** The fixture's seven measures (round-fixture.ts); 2.1's reply has one link. */
beforeAll(async () => {
  roundId = await seedRoundFixture({
    commitment2Title: 'Līdzdalība',
    roundTitle: { lv: 'Progress 2025', en: 'Progress 2025' },
    links: { '2.1': ['https://vk.gov.lv/zinojums'] },
  });
});

describe('round overview', () => {
  it('counts per commitment the way the council does, with missing replies apart', async () => {
    const result = await roundOverview({ roundId }, afterDeadline);
    if (!result.ok) throw new Error(result.error.message.en);
    const { commitments, totals } = result.overview;
    expect(commitments.map((c) => [c.number, c.counts])).toEqual([
      [1, { not_started: 1, in_progress: 2, completed_or_substantial: 0, cancelled: 0, missing: 1, total: 4 }],
      [2, { not_started: 0, in_progress: 0, completed_or_substantial: 2, cancelled: 1, missing: 0, total: 3 }],
    ]);
    expect(totals).toEqual({ not_started: 1, in_progress: 2, completed_or_substantial: 2, cancelled: 1, missing: 1, total: 7 });
  });

  it('lists overdue measures with their owners only after the deadline', async () => {
    const before = await roundOverview({ planKey: 'nap-5', key: '2025' }, openedAt);
    expect(before.ok && before.overview.overdue).toEqual([]);
    const after = await roundOverview({ planKey: 'nap-5', key: '2025' }, afterDeadline);
    if (!after.ok) throw new Error('no overview');
    expect(after.overview.overdue.map((m) => m.code)).toEqual(['1.4']);
    expect(after.overview.overdue[0]?.owners).toEqual([
      expect.objectContaining({ name: 'Ilze Liepa', institution: 'VARAM', declined: false }),
      expect.objectContaining({ name: 'Juris Kalns', institution: 'VARAM', declined: true }),
    ]);
  });

  it('says which round is unknown', async () => {
    const result = await roundOverview({ planKey: 'nap-5', key: 'nope' });
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_round' } });
  });

  it('exports every measure as CSV that reads back, with formulas defused', async () => {
    const result = await roundOverview({ roundId }, afterDeadline);
    if (!result.ok) throw new Error('no overview');
    const csv = overviewToCsv(result.overview, 'lv');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['Pasākums'])).toEqual(['1.1', '1.2', '1.3', '1.4', '2.1', '2.2', '2.3']);
    expect(rows[1]).toMatchObject({ Statuss: 'procesā', Progress: 'Notiek darbs | 2 posmi\notrā rindā', Ziņoja: 'Anna Ozola' });
    expect(rows[2]?.['Progress']).toBe('\'=HYPERLINK("http://x")');
    expect(rows[3]).toMatchObject({ Statuss: 'Nav atbildes', 'Statusa kods': 'missing', Kontaktpersonas: 'Ilze Liepa (VARAM); Juris Kalns (VARAM) [nav mans]' });
    expect(rows[4]).toMatchObject({ Statuss: 'pabeigts', Saites: 'https://vk.gov.lv/zinojums', Labojumi: '1' });
    expect(rows[6]).toMatchObject({ Statuss: 'Atcelts', 'Statusa kods': 'cancelled' });

    const en = parse(overviewToCsv(result.overview, 'en'), { bom: true, columns: true }) as Record<string, string>[];
    expect(en[0]).toMatchObject({ Measure: '1.1', Title: 'Measure 1.1', Status: 'not started' });
  });

  it('exports Markdown with the summary table, the overdue list and safe cells', async () => {
    const result = await roundOverview({ roundId }, afterDeadline);
    if (!result.ok) throw new Error('no overview');
    const md = overviewToMarkdown(result.overview, 'lv');
    expect(md).toContain('# 5. plāns: Progress 2025');
    expect(md).toContain('Termiņš: 01.02.2026.');
    expect(md).toContain('| 1. Atklātums | 1 | 2 | 0 | 0 | 1 | 4 |');
    expect(md).toContain('| Kopā | 1 | 2 | 2 | 1 | 1 | 7 |');
    expect(md).toContain('## Kavētās atbildes\n\n- 1.4 Pasākums 1.4: Ilze Liepa (VARAM); Juris Kalns (VARAM) [nav mans]');
    expect(md).toContain('Notiek darbs \\| 2 posmi<br>otrā rindā');
    expect(md).toContain('| Būtisks &lt;b&gt;progress&lt;/b&gt; |');
    // The time of the confirmed answer, in the round's zone.
    expect(md).toContain('| Anna Ozola (VK) | 2025-12-01 12:00 |');
    // Every table row has the same number of unescaped column bars as its header.
    const table = md.split('\n').filter((l) => l.startsWith('| 1.2 '));
    expect(table).toHaveLength(1);
    expect(table[0]!.replace(/\\\|/g, '').split('|')).toHaveLength(10);
  });
});
