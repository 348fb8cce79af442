import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The metrics every role exposes at `/metrics`. */
export interface ServiceMetrics {
  registry: Registry;
  jobsProcessed: Counter<'queue'>;
  jobsFailed: Counter<'queue'>;
  runDuration: Histogram<'outcome'>;
  queueDepth: Gauge<'queue' | 'state'>;
}

/**
 * Creates the registry with process metrics and GridBot's own. `collectQueueDepth` is called
 * at each scrape to refresh the queue depth gauge.
 */
export function createMetrics(
  role: string,
  collectQueueDepth?: () => Promise<Array<{ queue: string; state: string; count: number }>>,
): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry, prefix: 'gridbot_' });
  const queueDepth = new Gauge({
    name: 'gridbot_queue_depth',
    help: 'Jobs in a queue, by state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!collectQueueDepth) return;
      try {
        for (const row of await collectQueueDepth())
          this.set({ queue: row.queue, state: row.state }, row.count);
      } catch {
        // Redis away: keep the last values rather than failing the scrape.
      }
    },
  });
  return {
    registry,
    queueDepth,
    jobsProcessed: new Counter({
      name: 'gridbot_jobs_processed_total',
      help: 'Jobs completed',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    jobsFailed: new Counter({
      name: 'gridbot_jobs_failed_total',
      help: 'Job attempts that failed',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    runDuration: new Histogram({
      name: 'gridbot_run_duration_seconds',
      help: 'Duration of agent runs',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers: [registry],
    }),
  };
}
