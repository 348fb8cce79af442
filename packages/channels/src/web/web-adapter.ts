import { randomUUID } from 'node:crypto';
import {
  type ActionAnswer,
  type Attachment,
  buildJid,
  type InboundAction,
  type InboundEvent,
  isTimeZone,
  type Jid,
  parseJid,
} from '@gridbot/core';
import type { Logger } from 'pino';
import type {
  BotIdentity,
  ChannelAdapter,
  DraftSurface,
  FetchedFile,
  IngressHandler,
  OutboundDocument,
  SendOptions,
  TypingIndicator,
} from '../channel-adapter.ts';
import {
  type WebDraft,
  type WebLiveEvent,
  type WebReply,
  type WebTyping,
  webLiveEventSchema,
  webUpdateSchema,
} from './web-update.ts';
import type { WebUploads } from './web-uploads.ts';

/** The install's pub/sub, as the web channel uses it (Redis, or Postgres LISTEN/NOTIFY). */
export interface ReplyBus {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
}

export interface WebAdapterOptions {
  /**
   * The channel it is: `web` (the dashboard's chat page, the default) or `cli` (the
   * terminal's `gridbot chat`), which speak the same protocol through the dashboard.
   */
  channel?: 'web' | 'cli';
  /** Carries replies: every dashboard's subscription passes them on to its browsers. */
  bus: ReplyBus;
  /** The install's prefix, so installs sharing a Redis stay apart. */
  prefix: string;
  assistantName: string;
  logger: Logger;
  /** Where images posted with messages are staged; without it a message takes none. */
  uploads?: WebUploads;
}

/** A browser's live view of one chat: its replies and typing state. */
export type ReplyListener = (event: WebLiveEvent) => void;

/**
 * The `web` channel: the dashboard's chat page is its platform. Browsers post messages that
 * `handleUpdate` turns into inbound events; `sendText` publishes replies on the bus, so the
 * dashboard instance holding the browser's event stream delivers them, whichever instance
 * ran the egress job.
 */
export class WebAdapter implements ChannelAdapter {
  readonly channel: 'web' | 'cli';
  readonly maxMessageLength = 16_000;
  /** The page downloads files from the dashboard, which reads them from the outbox. */
  readonly maxDocumentBytes = 20 * 1024 * 1024;
  /** Nothing is redelivered: the gateway spools what it cannot commit. */
  readonly redelivers = false;
  readonly webhook = null;
  readonly #options: WebAdapterOptions;
  readonly #topic: string;
  readonly #listeners = new Map<string, Set<ReplyListener>>();
  #onEvent: IngressHandler | null = null;
  #unsubscribe: (() => Promise<void>) | null = null;

  constructor(options: WebAdapterOptions) {
    this.#options = options;
    this.channel = options.channel ?? 'web';
    this.#topic = `${options.prefix}:${this.channel}:replies`;
  }

  async start(onEvent: IngressHandler): Promise<void> {
    const { bus, logger } = this.#options;
    this.#unsubscribe = await bus.subscribe(this.#topic, (raw) => {
      const parsed = webLiveEventSchema.safeParse(safeJson(raw));
      if (!parsed.success) {
        logger.warn({ topic: this.#topic }, 'ignored a malformed web reply');
        return;
      }
      for (const listener of this.#listeners.get(parsed.data.jid) ?? []) listener(parsed.data);
    });
    this.#onEvent = onEvent;
  }

  async stop(): Promise<void> {
    if (!this.#onEvent) return;
    this.#onEvent = null;
    this.#listeners.clear();
    await this.#unsubscribe?.().catch(() => undefined);
    this.#unsubscribe = null;
  }

  identity(): BotIdentity {
    if (!this.#onEvent) throw new Error('WebAdapter.identity() called before start()');
    return { id: 'assistant', username: this.#options.assistantName };
  }

  /**
   * Normalizes one update from a browser. Malformed updates are logged and skipped; an
   * error of the ingress handler (say Postgres is down) propagates, so the browser is told
   * that its message was not taken and may send it again.
   */
  async handleUpdate(update: unknown): Promise<void> {
    const onEvent = this.#onEvent;
    if (!onEvent) throw new Error('WebAdapter.handleUpdate() called before start()');
    const parsed = webUpdateSchema.safeParse(update);
    if (!parsed.success) {
      this.#options.logger.warn(
        { issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
        'skipped a malformed web update',
      );
      return;
    }
    const event = this.#normalize(parsed.data);
    if (event) await onEvent(event);
  }

  #normalize(update: ReturnType<typeof webUpdateSchema.parse>): InboundEvent | null {
    const chat = {
      jid: buildJid(this.channel, update.chatId),
      platformChatId: update.chatId,
      title: update.chatTitle ?? null,
      isGroup: update.isGroup,
    };
    if (update.type === 'edit') {
      return {
        kind: 'edit',
        channel: this.channel,
        chat,
        platformMessageId: update.messageId,
        text: update.text,
        editedAt: update.editedAt ?? new Date(),
      };
    }
    if (update.from.isBot) return null;
    const sender = {
      platformUserId: update.from.id,
      name: update.from.name,
      username: null,
      isBot: false,
      ...(update.from.timeZone && isTimeZone(update.from.timeZone)
        ? { timeZone: update.from.timeZone }
        : {}),
    };
    if (update.type === 'action') {
      return {
        kind: 'action',
        channel: this.channel,
        chat,
        sender,
        actionId: update.actionId,
        actionToken: null,
        platformMessageId: update.messageId,
        data: update.data,
      };
    }
    const mention = new RegExp(`@${escapeRegExp(this.#options.assistantName)}\\b`, 'i');
    return {
      kind: 'message',
      channel: this.channel,
      chat,
      sender,
      platformMessageId: update.messageId,
      text: update.text,
      replyTo: update.replyTo
        ? { platformMessageId: update.replyTo.messageId, fromBot: update.replyTo.fromBot }
        : null,
      mentionsBot: update.mentionsBot || mention.test(update.text),
      sentAt: update.sentAt ?? new Date(),
      attachments: update.uploads.map(
        (upload): Attachment => ({
          kind: upload.mimeType.startsWith('image/') ? 'image' : 'file',
          platformFileId: upload.uploadId,
          mimeType: upload.mimeType,
          fileName: upload.fileName,
          width: null,
          height: null,
          sizeBytes: upload.sizeBytes,
        }),
      ),
    };
  }

  /** An image posted with a message, from where the dashboard staged it. */
  async fetchAttachment(attachment: Attachment): Promise<FetchedFile> {
    const { uploads } = this.#options;
    if (!uploads) throw new Error('this web chat stages no uploads');
    return { data: await uploads.get(attachment.platformFileId), mimeType: attachment.mimeType };
  }

  async sendText(jid: Jid, text: string, options: SendOptions): Promise<string> {
    const { channel } = parseJid(jid);
    if (channel !== this.channel) throw new Error(`WebAdapter cannot send to ${jid}`);
    const reply: WebReply = {
      jid,
      messageId: `a-${randomUUID()}`,
      text,
      replyTo: options.replyTo,
      sentAt: new Date().toISOString(),
      ...(options.actions?.length && { actions: [...options.actions] }),
    };
    await this.#options.bus.publish(this.#topic, JSON.stringify(reply));
    return reply.messageId;
  }

  /**
   * Answers a press to the chat's pages: a reply naming the pressed message, with the notice
   * for the person who pressed and the message's new text (the page removes its buttons).
   */
  async answerAction(action: InboundAction, answer: ActionAnswer): Promise<void> {
    const reply: WebReply = {
      jid: action.chat.jid,
      messageId: action.platformMessageId,
      text: '',
      replyTo: null,
      sentAt: new Date().toISOString(),
      answer: { actionId: action.actionId, text: answer.text, edit: answer.edit },
    };
    await this.#options.bus.publish(this.#topic, JSON.stringify(reply));
  }

  /**
   * Announces a file to the chat's pages: the reply names the document (its outbox row) and
   * the page offers it as a download from the dashboard; the content stays in Postgres.
   */
  async sendDocument(jid: Jid, document: OutboundDocument, options: SendOptions): Promise<string> {
    const { channel } = parseJid(jid);
    if (channel !== this.channel) throw new Error(`WebAdapter cannot send to ${jid}`);
    const reply: WebReply = {
      jid,
      messageId: `a-${randomUUID()}`,
      text: document.caption ?? '',
      replyTo: options.replyTo,
      sentAt: new Date().toISOString(),
      document: {
        id: document.id,
        fileName: document.fileName,
        mimeType: document.mimeType,
        bytes: document.data.byteLength,
      },
    };
    await this.#options.bus.publish(this.#topic, JSON.stringify(reply));
    return reply.messageId;
  }

  /** "typing…" on the chat's pages, until it lapses, a reply arrives or `clear`. */
  readonly typing: TypingIndicator = {
    intervalMs: 4_000,
    show: (jid) => this.#publishTyping(jid, true),
    clear: (jid) => this.#publishTyping(jid, false),
  };

  /** The reply as the model writes it, on the chat's pages; `end` takes it away. */
  readonly drafts: DraftSurface = {
    show: (jid, text) => this.#publishDraft(jid, text),
    end: (jid) => this.#publishDraft(jid, null),
  };

  async #publishDraft(jid: Jid, draft: string | null): Promise<void> {
    const event: WebDraft = { jid, draft };
    await this.#options.bus.publish(this.#topic, JSON.stringify(event));
  }

  async #publishTyping(jid: Jid, typing: boolean): Promise<void> {
    const event: WebTyping = { jid, typing };
    await this.#options.bus.publish(this.#topic, JSON.stringify(event));
  }

  /** Calls `listener` with every reply and typing change of `jid` from now on; returns the unsubscribe. */
  watch(jid: string, listener: ReplyListener): () => void {
    let listeners = this.#listeners.get(jid);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(jid, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(jid);
    };
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
