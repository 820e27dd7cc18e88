import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DeliveryModel, CHANNELS } from './models/index.js';
import type { Outbox } from './jobs/outbox.js';

/**
 * The service's Prometheus metrics (prom-client), served at /metrics. Counts and timings only:
 * never message texts, addresses or names. Counters live in the process that counts (the worker
 * counts 429s, the web role times inbound events); gauges read MongoDB and the queues at scrape.
 */
export const metrics = new Registry();

export const rateLimitedSends = new Counter({
  name: 'ogp_outbox_rate_limited_total',
  help: 'Sends the platform answered with 429 (rate limited), by channel',
  labelNames: ['channel'] as const,
  registers: [metrics],
});

export const inboundSeconds = new Histogram({
  name: 'ogp_inbound_handling_seconds',
  help: 'Time from an inbound event reaching the router to its replies being decided, by kind and outcome',
  labelNames: ['kind', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metrics],
});

export const tickDeliveriesCreated = new Counter({
  name: 'ogp_tick_deliveries_created_total',
  help: 'Deliveries the scheduler tick created, by producer (reminders, meetings, digests)',
  labelNames: ['producer'] as const,
  registers: [metrics],
});

/** Gauges read at scrape time from the stores; registered once the outbox is known. */
export function registerStoreGauges(outbox: Outbox): void {
  if (metrics.getSingleMetric('ogp_deliveries')) return;
  new Gauge({
    name: 'ogp_deliveries',
    help: 'Deliveries by state and channel',
    labelNames: ['state', 'channel'] as const,
    registers: [metrics],
    async collect() {
      const rows = await DeliveryModel.aggregate<{ _id: { state: string; channel: string }; n: number }>([
        { $group: { _id: { state: '$state', channel: '$channel' }, n: { $sum: 1 } } },
      ]);
      this.reset();
      for (const row of rows) this.set({ state: row._id.state, channel: row._id.channel }, row.n);
    },
  });
  new Gauge({
    name: 'ogp_outbox_queue_jobs',
    help: 'Outbox jobs by channel and queue state (waiting includes prioritized)',
    labelNames: ['channel', 'state'] as const,
    registers: [metrics],
    async collect() {
      this.reset();
      for (const channel of CHANNELS) {
        const counts = await outbox.queues[channel].getJobCounts('waiting', 'prioritized', 'delayed', 'active');
        this.set({ channel, state: 'waiting' }, (counts.waiting ?? 0) + (counts.prioritized ?? 0));
        this.set({ channel, state: 'delayed' }, counts.delayed ?? 0);
        this.set({ channel, state: 'active' }, counts.active ?? 0);
      }
    },
  });
  new Gauge({
    name: 'ogp_outbox_oldest_waiting_seconds',
    help: 'Age of the oldest outbox job waiting to be sent, by channel (0 when none waits)',
    labelNames: ['channel'] as const,
    registers: [metrics],
    async collect() {
      for (const channel of CHANNELS) {
        // The next 200 to go: the prioritized set is ordered by class, so the oldest is among them or waits behind better ones.
        const jobs = await outbox.queues[channel].getJobs(['waiting', 'prioritized'], 0, 200, true);
        const oldest = jobs.reduce((min, job) => Math.min(min, job.timestamp), Number.POSITIVE_INFINITY);
        this.set({ channel }, Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0);
      }
    },
  });
}
