import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configurePlanCache, PlanCache, unconfigurePlanCache } from '../../src/domain/plan/plan-cache.js';
import { importPlan } from '../../src/domain/plan/plan-import.js';
import { closeRound } from '../../src/domain/rounds/rounds.js';
import { loadOwnedMeasures } from '../../src/domain/status/reportable-measures.js';
import { CommitmentModel, ContactModel, MeasureModel, PlanModel, ReportingRoundModel, type ContactDoc } from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import { useTestDatabase } from '../support/mongo.js';
import { useCacheTestbed } from '../support/cache-testbed.js';
import { recordDbCommands, type DbCommandRecorder } from '../support/db-commands.js';
import { importDemoContacts, loadShippedPlan, openShippedPlanRound, SHIPPED_PLAN_KEY, shippedPlanText } from '../support/plan.js';

/**
 * The plan cache (src/domain/plan/plan-cache.ts) on the real FerretDB and Redis: repeated loads
 * of a person's measures read no plan data, and every write to it (an import, a round opened or
 * closed) is seen by the next load, in this process and when another process made it.
 */

const db = useTestDatabase({ monitorCommands: true });
const bed = useCacheTestbed({ topic: 'plan', configure: configurePlanCache, unconfigure: unconfigurePlanCache, databaseUri: () => db.uri() });

let recorder: DbCommandRecorder;
/** "find measures", "update reportingrounds", …: every command the driver sends, in order. */
async function commandsOf(work: () => Promise<unknown>): Promise<string[]> {
  return (await recorder.of(work)).map((c) => `${c.name} ${c.collection}`.trim());
}
const planReads = (sent: string[]) => sent.filter((c) => c === 'find measures' || c === 'find reportingrounds');

let arturs: ContactDoc;
const now = new Date('2025-05-01T09:00:00Z');

const MEASURE_13_TITLE = 'Mācību pasākumi "Efektīva un jēgpilna sabiedrības līdzdalība"';
/** The shipped plan file with measure 1.3 under another Latvian title. */
const planWithTitle13 = (title: string) => {
  const text = shippedPlanText();
  if (!text.includes(`lv: ${MEASURE_13_TITLE}`)) throw new Error('measure 1.3 of the shipped plan has another title now; update this test');
  return text.replace(`lv: ${MEASURE_13_TITLE}`, `lv: ${title}`);
};
/** The shipped plan as shipped, with an open round: what each write test starts from, whatever the one before left. */
async function shippedState(): Promise<string> {
  await loadShippedPlan();
  const open = await ReportingRoundModel.findOne({ state: 'open' }).lean();
  if (open) return open.key;
  const key = `r${Date.now()}`;
  await openShippedPlanRound({ key, deadlineDate: '2026-12-31', now });
  return key;
}
const title13 = async (load = () => loadOwnedMeasures(arturs)) => (await load()).find((m) => m.code === '1.3')?.title.lv;
const roundKeys = async (load = () => loadOwnedMeasures(arturs)) => [...new Set((await load()).map((m) => m.round?.key ?? null))];

beforeAll(async () => {
  recorder = recordDbCommands();
  await loadShippedPlan();
  await importDemoContacts();
  await openShippedPlanRound({ key: '2025', deadlineDate: '2025-06-30', now });
  arturs = await ContactModel.findOne({ email: 'arturs.liepins@example.lv' }).orFail();
  expect(arturs.measures).toHaveLength(4);
});

describe('reading the plan data', () => {
  it('reads measures and open rounds once; the next load for a person sends none of them, only the reported marks', async () => {
    const first = await commandsOf(() => loadOwnedMeasures(arturs));
    expect(planReads(first)).toEqual(expect.arrayContaining(['find measures', 'find reportingrounds']));
    const owned = await loadOwnedMeasures(arturs);
    const second = await commandsOf(() => loadOwnedMeasures(arturs));
    expect(planReads(second)).toEqual([]);
    // The round is open, so whether each measure is answered is asked every time.
    expect(second).toEqual(['find statusreports']);
    expect(owned.map((m) => m.code)).toEqual(['1.3', '1.4', '2.1', '3.5']);
    expect(owned.every((m) => m.round?.key === '2025')).toBe(true);
  });

  it('another person is served from the same copy', async () => {
    await loadOwnedMeasures(arturs);
    const marta = await ContactModel.findOne({ email: 'marta.zarina@example.lv' }).orFail();
    const sent = await commandsOf(() => loadOwnedMeasures(marta));
    expect(planReads(sent)).toEqual([]);
    expect((await loadOwnedMeasures(marta)).map((m) => m.code)).toEqual(['1.3', '4.1']);
  });

  it('not configured, it holds nothing: every load reads the plan data', async () => {
    unconfigurePlanCache();
    await loadOwnedMeasures(arturs);
    expect(planReads(await commandsOf(() => loadOwnedMeasures(arturs)))).toEqual(['find measures', 'find reportingrounds']);
  });

  it('when Redis does not answer, a load reads the database and the trouble is logged once', async () => {
    const dead = createRedis('redis://127.0.0.1:1');
    dead.on('error', () => undefined);
    const warnings: unknown[] = [];
    const errors: unknown[] = [];
    configurePlanCache({ redis: dead, prefix: bed.prefix, redisWaitMs: 50, log: { warn: (details) => warnings.push(details), error: (details) => errors.push(details) } });
    try {
      for (let i = 0; i < 3; i++) {
        const sent = await commandsOf(async () => expect(await title13()).toBe(MEASURE_13_TITLE));
        expect(planReads(sent)).toEqual(['find measures', 'find reportingrounds']);
      }
      expect(warnings).toHaveLength(1);
      expect(errors).toHaveLength(0);
    } finally {
      dead.disconnect();
    }
  });
});

describe('a write to the plan data in this process', () => {
  it('an imported new measure title is seen by the next load', async () => {
    await shippedState();
    expect(await title13()).toBe(MEASURE_13_TITLE);
    const imported = await importPlan(planWithTitle13('Mācību pasākumi (jauns nosaukums)'), { actor: 'test' });
    expect(imported.ok).toBe(true);
    expect(await title13()).toBe('Mācību pasākumi (jauns nosaukums)');
    const restored = await importPlan(shippedPlanText(), { actor: 'test' });
    expect(restored.ok).toBe(true);
    expect(await title13()).toBe(MEASURE_13_TITLE);
  });

  it('a round closed and another opened are seen by the next load', async () => {
    const open = await shippedState();
    expect(await roundKeys()).toEqual([open]);
    expect((await closeRound({ planKey: SHIPPED_PLAN_KEY, key: open }, 'test', now)).ok).toBe(true);
    expect(await roundKeys()).toEqual([null]);
    await openShippedPlanRound({ key: '2026', deadlineDate: '2026-06-30', now });
    expect(await roundKeys()).toEqual(['2026']);
  });

  it('every kind of write moves the generation, a failed one too', async () => {
    const generation = () => bed.redis.get(`${bed.prefix}:cache:plan`);
    await loadOwnedMeasures(arturs);
    const plan = await PlanModel.create({ key: 'cache-writes', number: 99, title: { lv: 'Pārbaude' }, startYear: 2030, endYear: 2031 });
    const commitment = await CommitmentModel.create({ plan: plan._id, number: 1, title: { lv: 'Saistība' } });
    const measure = (code: string) => ({ plan: plan._id, commitment: commitment._id, commitmentNumber: 1, code, order: 1000, title: { lv: code } });
    const writes: [string, () => Promise<unknown>][] = [
      ['Plan updateOne', () => PlanModel.updateOne({ _id: plan._id }, { $set: { endYear: 2032 } })],
      ['Commitment updateMany', () => CommitmentModel.updateMany({ plan: plan._id }, { $set: { 'title.en': 'Commitment' } })],
      ['Measure create (save)', () => MeasureModel.create(measure('1.1'))],
      ['Measure insertMany', () => MeasureModel.insertMany([measure('1.2'), measure('1.3')])],
      ['Measure bulkWrite', () => MeasureModel.bulkWrite([{ updateOne: { filter: { plan: plan._id, code: '1.2' }, update: { $set: { order: 1002 } } } }])],
      ['Measure findOneAndUpdate', () => MeasureModel.findOneAndUpdate({ plan: plan._id, code: '1.3' }, { $set: { order: 1003 } })],
      ['Measure replaceOne', () => MeasureModel.replaceOne({ plan: plan._id, code: '1.3' }, measure('1.3'))],
      ['Measure document updateOne', async () => (await MeasureModel.findOne({ plan: plan._id, code: '1.3' }).orFail()).updateOne({ $set: { order: 1004 } })],
      ['Measure document deleteOne', async () => (await MeasureModel.findOne({ plan: plan._id, code: '1.3' }).orFail()).deleteOne()],
      ['Measure deleteOne', () => MeasureModel.deleteOne({ plan: plan._id, code: '1.2' })],
      ['Measure failed insert (duplicate code)', () => MeasureModel.create(measure('1.1')).catch((error: unknown) => error)],
      ['Measure deleteMany', () => MeasureModel.deleteMany({ plan: plan._id })],
      ['ReportingRound findOneAndDelete', () => ReportingRoundModel.findOneAndDelete({ plan: plan._id })],
      ['Commitment deleteMany', () => CommitmentModel.deleteMany({ plan: plan._id })],
      ['Plan document save', async () => {
        const doc = await PlanModel.findById(plan._id).orFail();
        doc.endYear = 2033;
        await doc.save();
      }],
      ['Plan deleteOne', () => PlanModel.deleteOne({ _id: plan._id })],
      ['Plan find (a read: the control)', () => PlanModel.find({ key: 'cache-writes' })],
    ];
    const unmoved: string[] = [];
    for (const [name, write] of writes) {
      const before = await generation();
      await write();
      if ((await generation()) === before) unmoved.push(name);
    }
    expect(unmoved).toEqual(['Plan find (a read: the control)']);
  });
});

describe('a write made by another process', () => {
  const { cli } = bed;

  it('the CLI importing a new measure title: the next load here sees it', async () => {
    await shippedState();
    expect(await title13()).toBe(MEASURE_13_TITLE);
    const file = join(bed.dir, 'plan.yaml');
    writeFileSync(file, planWithTitle13('Mācību pasākumi (no citas komandrindas)'));
    const { stdout } = await cli('import-plan', file);
    expect(stdout).toContain('measures:     26 (0 new, 1 changed)');
    expect(await title13()).toBe('Mācību pasākumi (no citas komandrindas)');
    writeFileSync(file, shippedPlanText());
    await cli('import-plan', file);
    expect(await title13()).toBe(MEASURE_13_TITLE);
  });

  it('rounds closed and opened by a second cache instance on the same prefix: seen by the next load of the first', async () => {
    // `reader` stands in for a web process: this process's writes do not touch its copy (only the
    // configured cache hears the write hooks), so all it learns comes through Redis.
    const reader = new PlanCache({ redis: bed.otherRedis, prefix: bed.prefix });
    const load = () => loadOwnedMeasures(arturs, () => reader.get());
    const open = await shippedState();
    expect(await roundKeys(load)).toEqual([open]);
    expect(planReads(await commandsOf(load))).toEqual([]);

    expect((await closeRound({ planKey: SHIPPED_PLAN_KEY, key: open }, 'test', now)).ok).toBe(true);
    expect(await roundKeys(load)).toEqual([null]);
    await openShippedPlanRound({ key: 'other-process', deadlineDate: '2026-09-30', now });
    expect(await roundKeys(load)).toEqual(['other-process']);
    expect(planReads(await commandsOf(load))).toEqual([]);
  });
});
