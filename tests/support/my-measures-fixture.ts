import type { MyMeasures } from '../../src/domain/status/my-measures.js';

const ROUND = '65a000000000000000000001';
const MEASURE = '65a0000000000000000000aa';

/** A person with `count` measures, each answered in an open round: for the App Home's block limit. */
export function manyMeasures(count: number): MyMeasures {
  return {
    language: 'lv',
    timeZone: 'Europe/Riga',
    measures: Array.from({ length: count }, (_, i) => ({
      id: MEASURE,
      planId: ROUND,
      code: `1.${i}`,
      title: { lv: `Pasākums ${i}`, en: `Measure ${i}` },
      round: { id: ROUND, key: '2025', title: { lv: 'Kārta', en: 'Round' }, deadline: new Date('2026-02-13T10:00:00Z'), timeZone: 'Europe/Riga' },
      reported: true,
      currentStatus: null,
      lastAnswer: { status: 'completed' as const, note: 'Piezīme', links: [], at: new Date('2026-02-01T10:00:00Z'), roundId: ROUND },
    })),
  };
}
