import { beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { PlanModel } from '../../src/models/index.js';
import { t } from '../../src/i18n/index.js';
import { openRound } from '../../src/domain/rounds/rounds.js';
import { roundOverview, OVERVIEW_BUCKETS, type RoundOverview } from '../../src/domain/rounds/round-overview.js';
import { overviewText } from '../../src/domain/rounds/coordinator-overview.js';
import { overviewCommand } from '../../src/domain/rounds/coordinator-commands.js';
import { CHART_ROW_HEIGHT, CHART_WIDTH, councilChartAttachment, councilChartPng, councilChartSvg } from '../../src/domain/rounds/council-chart.js';
import { readAttachment } from '../../src/domain/chat/files.js';
import { useTestDatabase } from '../support/mongo.js';
import { afterDeadline, seedRoundFixture } from '../support/round-fixture.js';

useTestDatabase();

let roundId = '';

/**
 * The fixture (round-fixture.ts): commitment 1 has 1 not started, 2 in progress, 1 without a reply;
 * commitment 2 has 2 completed or with substantial progress and 1 cancelled.
 */
beforeAll(async () => {
  roundId = await seedRoundFixture({
    commitment2Title: 'Līdzdalība un sabiedrības iesaiste lēmumu pieņemšanā',
    roundTitle: { lv: 'Progress 2025. gadā', en: 'Progress in 2025' },
  });
});

async function overview(): Promise<RoundOverview> {
  const result = await roundOverview({ roundId }, afterDeadline);
  if (!result.ok) throw new Error(result.error.message.en);
  return result.overview;
}

/** What the SVG's <text> and <tspan> elements say, one string per text node, entities decoded. */
function svgTexts(svg: string): string[] {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
  return [...svg.matchAll(/<(?:text|tspan)\b[^>]*>([^<]+)</g)].map((m) => m[1]!.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => entities[e]!));
}

/** Width and height as the PNG's IHDR chunk gives them, after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const FILL = {
  not_started: 0xd55e00,
  in_progress: 0xf0e442,
  completed_or_substantial: 0x009e73,
  cancelled: 0x7f7f7f,
  missing: 0xdddddd,
} as const;

/** How many pixels of each bucket's exact colour a row of the image has. */
function rowColours(png: PNG, y: number): Record<keyof typeof FILL, number> {
  const counts = { not_started: 0, in_progress: 0, completed_or_substantial: 0, cancelled: 0, missing: 0 };
  for (let x = 0; x < png.width; x++) {
    const i = (y * png.width + x) * 4;
    const rgb = (png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!;
    for (const bucket of OVERVIEW_BUCKETS) if (rgb === FILL[bucket]) counts[bucket] += 1;
  }
  return counts;
}

/** A row a few pixels inside the first bar that has more than 100 pixels of `bucket`'s colour. */
function barRow(png: PNG, bucket: keyof typeof FILL): number {
  for (let y = 0; y < png.height; y++) if (rowColours(png, y)[bucket] > 100) return y + 3;
  throw new Error(`no bar of ${bucket}`);
}

describe('the council chart', () => {
  it('names the round, each commitment and every bucket in Latvian, with Latvian letters', async () => {
    const texts = svgTexts(await councilChartSvg(await overview(), 'lv'));
    expect(texts).toContain('Pasākumu statuss pa apņemšanām');
    expect(texts).toContain('„Progress 2025. gadā”');
    expect(texts).toContain('Kārta 2025 · nap-5 · termiņš 01.02.2026. · stāvoklis uz 03.02.2026.');
    expect(texts).toContain('1. Atklātums');
    expect(texts).toContain('2. Līdzdalība un sabiedrības iesaiste lēmumu pieņemšanā');
    for (const bucket of OVERVIEW_BUCKETS) expect(texts).toContain(t('lv', `overview.bucket.${bucket}`));
    expect(texts).toContain('Pasākumu skaits');
  });

  it('is in English for an English-speaking coordinator', async () => {
    const texts = svgTexts(await councilChartSvg(await overview(), 'en'));
    expect(texts).toContain('Status of the measures by commitment');
    expect(texts).toContain('“Progress in 2025”');
    expect(texts).toContain('Round 2025 · nap-5 · deadline 1 Feb 2026 · as of 3 Feb 2026');
    expect(texts).toContain('1. Openness');
    expect(texts).toContain('2. Participation');
    expect(texts).toEqual(expect.arrayContaining(['not started', 'in progress', 'completed or substantial progress', 'cancelled', 'no reply']));
    expect(texts.join(' ')).not.toMatch(/pasākum|nav uzsākts/i);
  });

  it('wraps a long commitment title onto a second line and cuts the rest', async () => {
    const o = await overview();
    const long = `1. Valstij sazināties ar sabiedrību saprotami un cilvēcīgā valodā, skaidrot lēmumus un sarežģītas tēmas, ${'uzsverot ieguvumus '.repeat(8).trim()}`;
    const texts = svgTexts(await councilChartSvg({ ...o, commitments: [{ ...o.commitments[0]!, title: { lv: long.slice(3), en: '' } }] }, 'lv'));
    const first = texts.findIndex((text) => text.startsWith('1. Valstij sazināties'));
    const lines = texts.slice(first, first + 2);
    expect(lines[0]).not.toContain('…');
    expect(lines[1]?.endsWith('…')).toBe(true);
    expect(long.startsWith(`${lines[0]} ${lines[1]?.slice(0, -1)}`)).toBe(true);
  });

  it('is a PNG of the fixed width whose height grows by one row per commitment', async () => {
    const o = await overview();
    const two = pngSize(await councilChartPng(o, 'lv'));
    expect(two.width).toBe(CHART_WIDTH);
    const more = [3, 4].map((number) => ({ ...o.commitments[1]!, number }));
    const four = pngSize(await councilChartPng({ ...o, commitments: [...o.commitments, ...more] }, 'lv'));
    expect(four.width).toBe(CHART_WIDTH);
    expect(four.height - two.height).toBe(2 * CHART_ROW_HEIGHT);
  });

  it('draws each commitment as one bar split by its counts, on the same scale, with its texts', async () => {
    const png = PNG.sync.read(await councilChartPng(await overview(), 'lv'));
    // The widest bar (commitment 1, 4 measures) spans the plot: 900 px less 2 × 16 px padding,
    // 866 px after vega's half-pixel alignment, so one measure is 216.5 px; the white borders
    // between the parts take a pixel or two.
    const measures = (row: Record<keyof typeof FILL, number>) => OVERVIEW_BUCKETS.map((b) => Math.round(row[b] / (866 / 4)));
    const first = rowColours(png, barRow(png, 'not_started'));
    expect(measures(first)).toEqual([1, 2, 0, 0, 1]);
    expect(first.not_started + first.in_progress + first.missing).toBeGreaterThan(860);
    const second = rowColours(png, barRow(png, 'completed_or_substantial'));
    expect(measures(second)).toEqual([0, 0, 2, 1, 0]);
    expect(second.completed_or_substantial + second.cancelled).toBeGreaterThan(860 * 0.75);
    expect(barRow(png, 'completed_or_substantial')).toBeGreaterThan(barRow(png, 'not_started'));
    // The counts, the titles and the legend are drawn: text is dark grey to black.
    let dark = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! + png.data[i + 1]! + png.data[i + 2]! < 3 * 80) dark += 1;
    expect(dark).toBeGreaterThan(5_000);
  });
});

describe('the chart for the coordinators', () => {
  it('comes with the /overview text, one per open round, in deadline order', async () => {
    const message = await overviewCommand({ language: 'lv' }, afterDeadline);
    expect(message.text).toBe(overviewText(await overview(), 'lv'));
    expect(message.attachments?.map((a) => [a.name, a.mediaType])).toEqual([['ogp-nap-5-2025-statuss.png', 'image/png']]);
    expect(pngSize(await readAttachment(message.attachments![0]!)).width).toBe(CHART_WIDTH);

    // A second plan's round, due earlier, comes first.
    await PlanModel.create({ key: 'nap-6', number: 6, title: { lv: '6. plāns', en: '6th plan' }, startYear: 2026, endYear: 2029 });
    const opened = await openRound({ planKey: 'nap-6', key: 'q1', title: { lv: 'Pirmais ceturksnis', en: 'First quarter' }, deadlineDate: '2026-01-20', actor: 'test', now: new Date('2026-01-05T10:00:00Z') });
    expect(opened.ok).toBe(true);
    const both = await overviewCommand({ language: 'en' }, afterDeadline);
    expect(both.attachments?.map((a) => a.name)).toEqual(['ogp-nap-6-q1-status.png', 'ogp-nap-5-2025-status.png']);
    expect(both.text.indexOf('First quarter')).toBeLessThan(both.text.indexOf('Progress in 2025'));
  });

  it('is an attachment the digest can ask for by round, and none for an unknown round', async () => {
    const attachment = await councilChartAttachment(roundId, 'en', afterDeadline);
    expect(attachment).toMatchObject({ name: 'ogp-nap-5-2025-status.png', mediaType: 'image/png', source: { kind: 'stored' } });
    const bytes = await readAttachment(attachment!);
    expect(bytes.equals(await councilChartPng(await overview(), 'en'))).toBe(true);
    expect(await councilChartAttachment('0123456789abcdef01234567', 'en', afterDeadline)).toBeUndefined();
  });
});
