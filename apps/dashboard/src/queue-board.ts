import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import {
  outboundQueueName,
  type PipelineQueues,
  type QueueTransport,
  SYSTEM_QUEUE,
  TASKS_QUEUE,
  THREADS_QUEUE,
} from '@gridbot/queue';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import { assetPath } from './asset-path.ts';

export interface QueueBoardOptions {
  queues: PipelineQueues;
  /** Lists the queues that exist. */
  transport: QueueTransport;
  /** Where the board is mounted, e.g. `/queues`. */
  basePath: string;
}

/**
 * Bull Board's UI files: beside the bundle when the dashboard runs bundled, otherwise from
 * the package (found through @bull-board/api, which depends on it).
 */
const require = createRequire(import.meta.url);
const uiBasePath = assetPath('bull-board-ui', () =>
  dirname(createRequire(require.resolve('@bull-board/api')).resolve('@bull-board/ui/package.json')),
);

/** Queues every install has, listed even before their first job. */
const CORE_QUEUES = [
  THREADS_QUEUE,
  TASKS_QUEUE,
  SYSTEM_QUEUE,
  outboundQueueName('web'),
  outboundQueueName('cli'),
];

/**
 * Bull Board over every GridBot queue: the core queues plus any queue the transport has
 * (`outbound-telegram` appears once a Telegram gateway has run). Retry
 * and clean are enabled; the dashboard's auth guards it like every other route.
 */
export class QueueBoard {
  readonly app: Hono;
  readonly #options: QueueBoardOptions;
  readonly #board: ReturnType<typeof createBullBoard>;
  readonly #shown = new Set<string>();
  #scannedAt = 0;

  constructor(options: QueueBoardOptions) {
    this.#options = options;
    const server = new HonoAdapter(serveStatic);
    server.setBasePath(options.basePath);
    this.#board = createBullBoard({
      queues: [],
      serverAdapter: server,
      options: {
        uiBasePath,
        uiConfig: {
          boardTitle: 'GridBot queues',
          // Back to the dashboard, and no links to outside hosts.
          miscLinks: [{ text: 'Back to the dashboard', url: '/' }],
          hideDocsLink: true,
          favIcon: { default: '/assets/favicon.svg', alternative: '/assets/favicon.svg' },
        },
      },
    });
    this.app = server.registerPlugin();
  }

  /** The install's queue names, core queues first. */
  async discover(): Promise<string[]> {
    return [...new Set([...CORE_QUEUES, ...(await this.#options.transport.queueNames())])];
  }

  /** The queues shown so far. */
  get names(): string[] {
    return [...this.#shown];
  }

  /** Adds queues that appeared since the last call; `maxAgeMs` skips a scan that recent. */
  async refresh(maxAgeMs = 0): Promise<string[]> {
    if (Date.now() - this.#scannedAt < maxAgeMs) return this.names;
    this.#scannedAt = Date.now();
    const names = await this.discover();
    for (const name of names) {
      if (this.#shown.has(name)) continue;
      this.#shown.add(name);
      this.#board.addQueue(new BullMQAdapter(this.#options.queues.queue(name)));
    }
    return names;
  }
}
