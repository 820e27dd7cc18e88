import { describe, expect, it } from 'vitest';
import * as fontkit from 'fontkit';
import { PNG } from 'pngjs';
import { CHART_FONT_FAMILY, CHART_FONT_FILES, svgToPng, textWidth, wrapText } from '../../src/domain/chart-render.js';

const LATVIAN = 'āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ';
/** Also in the chart's texts: Latvian and English quotes, the ellipsis of a cut title, the middle dot. */
const PUNCTUATION = '„”“…·';

describe('the chart font', () => {
  it('is the family the charts ask for, and has a glyph for every Latvian letter, regular and bold', () => {
    for (const path of Object.values(CHART_FONT_FILES)) {
      const font = fontkit.openSync(path) as fontkit.Font;
      expect(font.familyName).toBe(CHART_FONT_FAMILY);
      for (const char of LATVIAN + PUNCTUATION) expect(font.hasGlyphForCodePoint(char.codePointAt(0)!), `${char} in ${path}`).toBe(true);
      // The check can fail: the font has no Chinese.
      expect(font.hasGlyphForCodePoint('中'.codePointAt(0)!)).toBe(false);
    }
  });

  it('is what the rasteriser draws with: each Latvian letter is drawn, and differs from its base letter and from a missing glyph', async () => {
    const draw = async (text: string) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><text x="8" y="38" font-family="${CHART_FONT_FAMILY}" font-size="32">${text}</text></svg>`;
      return PNG.sync.read(await svgToPng(svg, 48)).data;
    };
    const inked = (pixels: Buffer) => pixels.filter((v, i) => i % 4 === 0 && v < 128).length;
    const missing = await draw('中');
    for (const letter of LATVIAN) {
      const pixels = await draw(letter);
      expect(inked(pixels), letter).toBeGreaterThan(20);
      expect(pixels.equals(missing), `${letter} is not the missing-glyph drawing`).toBe(false);
      expect(pixels.equals(await draw(letter.normalize('NFD')[0]!)), `${letter} has its diacritic`).toBe(false);
    }
  });
});

describe('text measured with the chart font', () => {
  it('gives widths that follow the font: wider letters, bold and larger sizes measure wider', () => {
    expect(textWidth('', 16)).toBe(0);
    expect(textWidth('WWW', 16)).toBeGreaterThan(textWidth('iii', 16) * 2);
    expect(textWidth('Pasākumi', 16, 'bold')).toBeGreaterThan(textWidth('Pasākumi', 16));
    expect(textWidth('Pasākumi', 32)).toBeCloseTo(2 * textWidth('Pasākumi', 16), 6);
  });

  it('wraps words into lines no wider than asked, cutting the last line with an ellipsis', () => {
    const text = 'Veicināt datu pieejamību un saprotamību, palielinot iedzīvotāju iespējas izmantot tos un veidot datos balstītus risinājumus';
    expect(wrapText(text, 2000, 16, 2)).toEqual([text]);
    const two = wrapText(text, 400, 16, 2);
    expect(two).toHaveLength(2);
    for (const line of two) expect(textWidth(line, 16)).toBeLessThanOrEqual(400);
    expect(two[0]).not.toContain('…');
    expect(two[1]?.endsWith('…')).toBe(true);
    expect(text.startsWith(`${two[0]} ${two[1]?.slice(0, -1)}`)).toBe(true);
    const three = wrapText(text, 400, 16, 3);
    expect(three).toHaveLength(3);
    expect(three.slice(0, 2)).toEqual([two[0], expect.stringMatching(/[^…]$/)]);
    // A word wider than a line is cut too.
    expect(wrapText('Pašvaldībās', 40, 16, 2)).toEqual([expect.stringMatching(/^Pa.*…$/)]);
  });
});
