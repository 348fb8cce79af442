/** Chart data as Chart.js takes it. */
export interface ChartData {
  labels: string[];
  datasets: Array<{ label: string; data: number[] }>;
}

/**
 * Buckets of `stepMs` from `from` to `to` (inclusive of the bucket holding `to`), each
 * dataset filled from rows `{ bucket, series, value }` and 0 where a bucket has no row.
 */
export function fillSeries(
  rows: ReadonlyArray<{ bucket: Date; series: string; value: number }>,
  options: { from: Date; to: Date; stepMs: number; series: string[]; label: (d: Date) => string },
): ChartData {
  const { stepMs } = options;
  const start = Math.floor(options.from.getTime() / stepMs) * stepMs;
  const end = Math.floor(options.to.getTime() / stepMs) * stepMs;
  const buckets: number[] = [];
  for (let t = start; t <= end; t += stepMs) buckets.push(t);
  const index = new Map(buckets.map((t, i) => [t, i]));
  const datasets = options.series.map((label) => ({ label, data: buckets.map(() => 0) }));
  const bySeries = new Map(datasets.map((d) => [d.label, d]));
  for (const row of rows) {
    const i = index.get(Math.floor(row.bucket.getTime() / stepMs) * stepMs);
    const dataset = bySeries.get(row.series);
    if (i !== undefined && dataset) dataset.data[i] = (dataset.data[i] ?? 0) + row.value;
  }
  return { labels: buckets.map((t) => options.label(new Date(t))), datasets };
}
