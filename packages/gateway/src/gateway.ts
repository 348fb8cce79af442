import { join } from 'node:path';
import type { ChannelAdapter } from '@gridbot/channels';
import type { InboundEvent } from '@gridbot/core';
import type { Database } from '@gridbot/db';
import type { PipelineQueues, QueueTransport } from '@gridbot/queue';
import type { ArtifactStore, Logger, RoleRuntime, ServiceMetrics } from '@gridbot/service';
import { inSpan, SpanKind } from '@gridbot/telemetry';
import type { Kysely } from 'kysely';
import { DrainRequester } from './drain-requester.ts';
import { Egress } from './egress.ts';
import { Ingress } from './ingress.ts';
import { IngressSpool } from './ingress-spool.ts';
import type { PluginHost } from './plugins/plugin-host.ts';
import { TypingRelay } from './typing-relay.ts';

export interface GatewayOptions {
  adapter: ChannelAdapter;
  db: Kysely<Database>;
  queues: PipelineQueues;
  transport: QueueTransport;
  assistantName: string;
  allowedUsers: ReadonlySet<string>;
  /** Platform user ids of the channel's admins (`ADMIN_USERS`). */
  adminUsers?: ReadonlySet<string>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Sends per second to the platform. */
  maxPerSecond?: number;
  /** Chats served at once by egress. */
  outboundConcurrency?: number;
  /** See `IngressOptions.userTriggersPerMinute`. */
  userTriggersPerMinute?: number;
  /**
   * Where events that cannot be committed are spooled (a platform that does not redeliver
   * only), e.g. `$DATA_DIR/spool`; the channel gets a directory of its own inside.
   */
  spoolDir?: string;
  /** The plugins loaded at start (`loadPlugins`); none unless given. */
  plugins?: PluginHost;
  /**
   * Where people's images are kept (`$DATA_DIR/artifacts`), for a platform the adapter can
   * download from; without it images stay references the model cannot see.
   */
  artifactStore?: ArtifactStore;
  /** Whether streamed replies are shown as they are written (`STREAM_REPLIES`). Default true. */
  streamReplies?: boolean;
}

/** One channel account: ingress from the platform into Postgres and the queue, egress back out. */
export class Gateway {
  readonly adapter: ChannelAdapter;
  readonly drains: DrainRequester;
  readonly ingress: Ingress;
  readonly egress: Egress;
  /** Set when the platform does not redeliver and a spool directory was given. */
  readonly spool: IngressSpool | null;
  /** Set when the platform has a typing state. */
  readonly typing: TypingRelay | null;
  readonly #logger: Logger;

  /** A gateway on a role's runtime: its database, queues, transport and metrics. */
  static onRuntime(
    runtime: RoleRuntime,
    options: Omit<GatewayOptions, 'db' | 'queues' | 'transport' | 'metrics'>,
  ): Gateway {
    return new Gateway({
      ...options,
      db: runtime.db,
      queues: runtime.queues,
      transport: runtime.transport,
      metrics: runtime.metrics,
    });
  }

  constructor(options: GatewayOptions) {
    this.adapter = options.adapter;
    this.#logger = options.logger;
    this.drains = new DrainRequester(options.queues, options.logger.child({ component: 'drains' }));
    this.ingress = new Ingress({
      db: options.db,
      drains: this.drains,
      assistantName: options.assistantName,
      allowedUsers: options.allowedUsers,
      ...(options.adminUsers && { adminUsers: options.adminUsers }),
      ...(options.userTriggersPerMinute !== undefined && {
        userTriggersPerMinute: options.userTriggersPerMinute,
      }),
      ...(options.plugins && { plugins: options.plugins }),
      botUsername: () => {
        try {
          return options.adapter.identity().username;
        } catch {
          return null; // not connected yet (a spooled event replayed at start)
        }
      },
      maxDocumentBytes: options.adapter.maxDocumentBytes,
      ...(options.artifactStore &&
        options.adapter.fetchAttachment && {
          images: {
            fetch: (attachment) => options.adapter.fetchAttachment!(attachment),
            store: options.artifactStore,
            logger: options.logger.child({ component: 'images' }),
          },
        }),
      answerAction: (action, answer) => options.adapter.answerAction(action, answer),
      publish: (threadId, event) => options.queues.publishThreadEvent(threadId, event),
      queues: options.queues,
      logger: options.logger.child({ component: 'ingress' }),
    });
    this.egress = new Egress({
      db: options.db,
      adapter: options.adapter,
      queues: options.queues,
      transport: options.transport,
      logger: options.logger.child({ component: 'egress' }),
      metrics: options.metrics,
      ...(options.plugins && { plugins: options.plugins }),
      ...(options.maxPerSecond && { maxPerSecond: options.maxPerSecond }),
      ...(options.outboundConcurrency && { concurrency: options.outboundConcurrency }),
    });
    this.spool =
      options.spoolDir && !options.adapter.redelivers
        ? new IngressSpool({
            dir: join(options.spoolDir, options.adapter.channel),
            handle: (event) => this.#commit(event),
            logger: options.logger.child({ component: 'spool' }),
          })
        : null;
    const { typing } = options.adapter;
    this.typing = typing
      ? new TypingRelay({
          channel: options.adapter.channel,
          typing,
          ...(options.streamReplies !== false &&
            options.adapter.drafts && { drafts: options.adapter.drafts }),
          queues: options.queues,
          logger: options.logger.child({ component: 'typing' }),
        })
      : null;
  }

  async start(): Promise<void> {
    this.egress.start();
    await this.typing?.start();
    await this.spool?.open();
    const spool = this.spool;
    await this.adapter.start(spool ? spool.accept : (event) => this.#commit(event));
    const identity = this.adapter.identity();
    this.#logger.info({ channel: this.adapter.channel, bot: identity.username }, 'gateway started');
  }

  /** Commits one event; a message that triggered a run shows typing at once. */
  async #commit(event: InboundEvent): Promise<void> {
    const attributes = {
      'gridbot.channel': this.adapter.channel,
      'gridbot.event': event.kind,
      'gridbot.jid': event.chat.jid,
    };
    const outcome = await inSpan(
      'gridbot.ingress',
      { kind: SpanKind.CONSUMER, attributes },
      async (span) => {
        const outcome = await this.ingress.handle(event);
        span.setAttribute('gridbot.outcome', outcome);
        return outcome;
      },
    );
    if (outcome === 'triggered') this.typing?.acknowledge(event.chat.jid);
  }

  /** Stops receiving first, then finishes the delivery in flight. */
  async stop(): Promise<void> {
    await this.adapter.stop();
    await this.spool?.close();
    this.drains.stop();
    await this.typing?.stop();
    await this.egress.stop();
  }
}
