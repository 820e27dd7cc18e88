import type { Types } from 'mongoose';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Language } from '../../models/index.js';
import { formatDate, t } from '../../i18n/index.js';
import type { Attachment } from '../chat/message.js';
import { storeFile } from '../chat/files.js';
import { CHART_FONT_FAMILY, svgToPng, textWidth, wrapText } from '../chart-render.js';
import { roundOverview, OVERVIEW_BUCKETS, type OverviewBucket, type RoundOverview } from './round-overview.js';
import { roundFileBase } from './round-export.js';

/**
 * The council's counts per commitment as a picture: one horizontal bar per commitment, stacked
 * by the overview's buckets in the order the text lists them, the count written in each part,
 * the commitment's title above its bar (two lines at most, in full where it fits, so the bars
 * can use the whole width), a legend, and the round under the title. Drawn with vega-lite, rendered
 * to SVG by vega without a browser or canvas, and rasterised by chart-render.ts.
 *
 * Sizes are for a phone: Telegram shows the picture about 360 pt wide, so the 900 px chart is
 * scaled to 40 % and text smaller than 15 px would be hard to read without zooming.
 */

/** The PNG's width; its height grows with the number of commitments. */
export const CHART_WIDTH = 900;
const PADDING = 16;
const PLOT_WIDTH = CHART_WIDTH - 2 * PADDING;

const TITLE_SIZE = 22;
const SUBTITLE_SIZE = 15;
const LABEL_SIZE = 16;
const LABEL_LINE = 20;
const COUNT_SIZE = 15;
const BAR_HEIGHT = 28;
/** Per commitment: a gap, two lines of title, a gap, the bar, a gap. */
const ROW_GAP = 10;
export const CHART_ROW_HEIGHT = ROW_GAP + 2 * LABEL_LINE + 4 + BAR_HEIGHT + ROW_GAP;
const BAR_OFFSET = ROW_GAP + 2 * LABEL_LINE + 4 + BAR_HEIGHT / 2 - CHART_ROW_HEIGHT / 2;

/**
 * Okabe–Ito colours for the three statuses, told apart with the common colour-vision deficiencies;
 * greys for cancelled and, pale, for no reply (what is still to come). The count on each part is in
 * black or white, whichever reads on its colour.
 */
const COLOURS: Record<OverviewBucket, { fill: string; text: string }> = {
  not_started: { fill: '#D55E00', text: '#FFFFFF' },
  in_progress: { fill: '#F0E442', text: '#000000' },
  completed_or_substantial: { fill: '#009E73', text: '#FFFFFF' },
  cancelled: { fill: '#7F7F7F', text: '#FFFFFF' },
  missing: { fill: '#DDDDDD', text: '#000000' },
};

interface Segment {
  row: string;
  bucket: string;
  start: number;
  end: number;
  middle: number;
  count: number;
  colour: string;
  showCount: boolean;
}

const LEGEND_SIZE = 15;
const LEGEND_SYMBOL = 15;
const LEGEND_GAP = 24;

/** All labels in one row when they fit the width, else in three columns (two rows). */
function legendColumns(labels: string[]): number {
  // An entry is its symbol, vega's 4 px label offset and the label; entries are LEGEND_GAP apart.
  const row = labels.reduce((sum, label) => sum + LEGEND_SYMBOL + 4 + textWidth(label, LEGEND_SIZE), 0) + LEGEND_GAP * (labels.length - 1);
  return row <= PLOT_WIDTH ? labels.length : 3;
}

function chartSpec(overview: RoundOverview, lang: Language): TopLevelSpec {
  const { round, plan, commitments } = overview;
  const rows = commitments.map((c) => `c${c.number}`);
  const scaleMax = Math.max(1, ...commitments.map((c) => c.counts.total));
  const pxPerMeasure = PLOT_WIDTH / scaleMax;
  const legend = OVERVIEW_BUCKETS.map((b) => t(lang, `overview.bucket.${b}`));

  const segments: Segment[] = commitments.flatMap((c, i) => {
    let start = 0;
    return OVERVIEW_BUCKETS.filter((b) => c.counts[b] > 0).map((b) => {
      const count = c.counts[b];
      const segment = {
        row: rows[i]!,
        bucket: t(lang, `overview.bucket.${b}`),
        start,
        end: start + count,
        middle: start + count / 2,
        count,
        colour: COLOURS[b].text,
        // A number wider than its part would spill over the next one.
        showCount: textWidth(String(count), COUNT_SIZE, 'bold') + 6 <= count * pxPerMeasure,
      };
      start += count;
      return segment;
    });
  });
  const titles = commitments.map((c, i) => {
    const lines = wrapText(`${c.number}. ${c.title[lang] || c.title.lv}`, PLOT_WIDTH, LABEL_SIZE, 2);
    // Vega draws the lines of a text downwards from its anchor; a blank first line keeps a one-line
    // title on its bar instead of a line's height above it.
    return { row: rows[i]!, lines: lines.length === 1 ? ['', ...lines] : lines };
  });

  const y = {
    field: 'row',
    type: 'nominal',
    axis: null,
    sort: null,
    scale: { domain: rows, paddingInner: 0, paddingOuter: 0 },
  } as const;

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: { step: CHART_ROW_HEIGHT },
    autosize: { type: 'fit-x', contains: 'padding' },
    padding: PADDING,
    background: 'white',
    title: {
      text: t(lang, 'overview.chart.title'),
      // The round's own title may be long: up to two lines of it, then the round's facts.
      subtitle: [
        ...wrapText(t(lang, 'overview.chart.round', { title: round.title[lang] || round.title.lv }), PLOT_WIDTH, SUBTITLE_SIZE, 2),
        t(lang, 'overview.chart.subtitle', {
          round: round.key,
          plan: plan.key,
          deadline: formatDate(lang, round.deadline, round.timeZone, 'numeric'),
          asOf: formatDate(lang, overview.generatedAt, round.timeZone, 'numeric'),
        }),
      ],
      anchor: 'start',
      fontSize: TITLE_SIZE,
      subtitleFontSize: SUBTITLE_SIZE,
      subtitlePadding: 6,
      subtitleColor: '#333333',
      offset: 14,
    },
    config: {
      font: CHART_FONT_FAMILY,
      // People get the PNG; the SVG's ARIA labels (each bar's data) would only make it longer.
      aria: false,
      view: { stroke: null },
      axis: { labelFontSize: 14, titleFontSize: 15, titleFontWeight: 'normal', labelColor: '#333333', titleColor: '#333333' },
      legend: {
        labelFontSize: LEGEND_SIZE,
        symbolSize: LEGEND_SYMBOL ** 2,
        symbolType: 'square',
        labelLimit: PLOT_WIDTH,
        columnPadding: LEGEND_GAP,
        rowPadding: 8,
      },
    },
    layer: [
      {
        data: { values: segments },
        mark: { type: 'bar', height: BAR_HEIGHT, yOffset: BAR_OFFSET, stroke: 'white', strokeWidth: 1 },
        encoding: {
          y,
          x: {
            field: 'start',
            type: 'quantitative',
            scale: { domain: [0, scaleMax], nice: false },
            axis: { title: t(lang, 'overview.chart.axis'), tickMinStep: 1, format: 'd', grid: true, gridColor: '#E6E6E6', domain: false },
          },
          x2: { field: 'end' },
          color: {
            field: 'bucket',
            type: 'nominal',
            scale: { domain: legend, range: OVERVIEW_BUCKETS.map((b) => COLOURS[b].fill) },
            legend: { title: null, orient: 'top', direction: 'horizontal', columns: legendColumns(legend) },
          },
        },
      },
      {
        data: { values: segments },
        transform: [{ filter: 'datum.showCount' }],
        mark: { type: 'text', fontSize: COUNT_SIZE, fontWeight: 'bold', yOffset: BAR_OFFSET, baseline: 'middle' },
        encoding: {
          y,
          x: { field: 'middle', type: 'quantitative' },
          text: { field: 'count', type: 'quantitative' },
          color: { field: 'colour', type: 'nominal', scale: null },
        },
      },
      {
        data: { values: titles },
        mark: { type: 'text', align: 'left', baseline: 'top', fontSize: LABEL_SIZE, lineHeight: LABEL_LINE, yOffset: ROW_GAP - CHART_ROW_HEIGHT / 2, color: '#000000' },
        encoding: { y, x: { datum: 0, type: 'quantitative' }, text: { field: 'lines' } },
      },
    ],
  };
}

/** The chart as SVG text, lv or en. Everything it shows comes from `overview`. */
export async function councilChartSvg(overview: RoundOverview, lang: Language): Promise<string> {
  // vega-lite warns that it drops fitting the height, which grows by the commitments on purpose.
  const { spec } = compile(chartSpec(overview, lang), { logger: vega.logger(vega.Error) });
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The chart as a PNG CHART_WIDTH px wide. */
export async function councilChartPng(overview: RoundOverview, lang: Language): Promise<Buffer> {
  return svgToPng(await councilChartSvg(overview, lang), CHART_WIDTH);
}

/** The chart as a stored file, e.g. `ogp-lv-nap-5-2025-statuss.png`. */
export async function councilChartFile(overview: RoundOverview, lang: Language): Promise<Attachment> {
  return storeFile({
    name: `${roundFileBase(overview, t(lang, 'overview.chart.file'))}.png`,
    mediaType: 'image/png',
    bytes: await councilChartPng(overview, lang),
    origin: `council-chart:${overview.round.id}`,
  });
}

/**
 * For the coordinators' digest: the chart of one round in `lang`, stored, as an attachment; none
 * for a round that does not exist (any more).
 */
export async function councilChartAttachment(roundId: string | Types.ObjectId, lang: Language, now: Date): Promise<Attachment | undefined> {
  const result = await roundOverview({ roundId }, now);
  return result.ok ? councilChartFile(result.overview, lang) : undefined;
}
