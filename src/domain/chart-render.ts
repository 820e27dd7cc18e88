import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import * as vega from 'vega';

/**
 * What the charts are drawn and rasterised with, the same on every machine: one font shipped as an
 * npm package (DejaVu Sans, from `dejavu-fonts-ttf`, which covers Latvian's ā č ē ģ ī ķ ļ ņ š ū ž),
 * used both to measure text while vega lays the chart out and to draw it in resvg's WebAssembly
 * build. A fresh server may have no system fonts at all, and resvg-wasm reads none: it draws with
 * exactly the font files given here.
 */

const require = createRequire(import.meta.url);

/** The family name the SVG asks for; resvg finds it among the fonts loaded below. */
export const CHART_FONT_FAMILY = 'DejaVu Sans';

export const CHART_FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
} as const;

type Weight = keyof typeof CHART_FONT_FILES;

function openFont(path: string): fontkit.Font {
  const font = fontkit.openSync(path);
  if (!('layout' in font)) throw new TypeError(`${path} is a font collection, not one font`);
  return font;
}

let fonts: Record<Weight, fontkit.Font> | undefined;
function font(weight: Weight): fontkit.Font {
  fonts ??= { regular: openFont(CHART_FONT_FILES.regular), bold: openFont(CHART_FONT_FILES.bold) };
  return fonts[weight];
}

const widths = new Map<string, number>();

/** The advance width of `text` in px, shaped (kerning included) as resvg will draw it. */
export function textWidth(text: string, fontSize: number, weight: Weight = 'regular'): number {
  const key = `${weight}|${text}`;
  let units = widths.get(key);
  if (units === undefined) {
    const f = font(weight);
    units = f.layout(text).advanceWidth / f.unitsPerEm;
    // Labels repeat across charts; the cap only keeps a long-running process from growing.
    if (widths.size > 10_000) widths.clear();
    widths.set(key, units);
  }
  return units * fontSize;
}

/**
 * Words into at most `maxLines` lines no wider than `width` px; the last line that does not fit
 * ends in "…". A single word longer than a line is cut too.
 */
export function wrapText(text: string, width: number, fontSize: number, maxLines: number, weight: Weight = 'regular'): string[] {
  const fits = (line: string) => textWidth(line, fontSize, weight) <= width;
  const lines: string[] = [];
  let line = '';
  const words = text.split(/\s+/).filter(Boolean);
  for (const [i, word] of words.entries()) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line && lines.length < maxLines - 1) {
      lines.push(line);
      line = '';
      if (fits(word)) {
        line = word;
        continue;
      }
    }
    // The last line is full, or one word is wider than a line: cut what is left.
    lines.push(cutToWidth([line, ...words.slice(i)].filter(Boolean).join(' '), width, fontSize, weight));
    return lines;
  }
  if (line) lines.push(line);
  return lines;
}

function cutToWidth(text: string, width: number, fontSize: number, weight: Weight): string {
  const chars = [...text];
  let n = chars.length;
  while (n > 0 && textWidth(`${chars.slice(0, n).join('').trimEnd()}…`, fontSize, weight) > width) n -= 1;
  return `${chars.slice(0, n).join('').trimEnd()}…`;
}

/**
 * Vega lays text out by its width (legend columns, axis labels, `limit` cuts). Without a canvas
 * package, which needs a native build, it guesses 0.8 × font size per character, about 1.5 times
 * the real width in DejaVu Sans; the hook vega leaves for this (`textMetrics.width`, which vl-convert also
 * sets) gets the real width instead. The width asked for may be longer than the item's `limit`:
 * vega then cuts the text to the limit, so the width it will take is at most that.
 */
interface TextItem {
  fontSize?: number | string;
  fontWeight?: string | number;
  limit?: number;
}
const { textMetrics } = vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } };
textMetrics.width = (item, text) => {
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const line = text == null ? '' : String(text).trim();
  if (size <= 0 || !line) return 0;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  const width = textWidth(line, size, bold ? 'bold' : 'regular');
  return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width;
};

let wasmReady: Promise<void> | undefined;
let fontBuffers: Promise<Uint8Array[]> | undefined;

/**
 * The SVG as a PNG `width` px wide (the height follows the SVG's proportions), on white. resvg's
 * WebAssembly build: one npm package with its .wasm inside, nothing built or fetched at install,
 * the same on every platform. The first call loads the WebAssembly and the font (about 1 s here);
 * a chart takes 0.1–0.3 s after that.
 */
export async function svgToPng(svg: string, width: number): Promise<Buffer> {
  wasmReady ??= readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')).then((wasm) => initWasm(wasm));
  fontBuffers ??= Promise.all(Object.values(CHART_FONT_FILES).map(async (path) => new Uint8Array(await readFile(path))));
  const [, buffers] = await Promise.all([wasmReady, fontBuffers]);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: 'white',
    font: { fontBuffers: buffers, defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY },
  });
  try {
    const image = resvg.render();
    try {
      return Buffer.from(image.asPng());
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
