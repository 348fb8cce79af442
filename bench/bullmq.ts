/**
 * BullMQ for the benchmarks: bench/ has no dependency of its own on it, the tests package
 * does, so it is required from there (its ESM build uses directory imports Node rejects
 * when imported by path).
 */
import { createRequire } from 'node:module';
import type * as BullMQ from '../tests/node_modules/bullmq/dist/esm/index.js';

const bullmq = createRequire(new URL('../tests/package.json', import.meta.url))(
  'bullmq',
) as typeof BullMQ;
export const Queue = bullmq.Queue;
export const Worker = bullmq.Worker;
