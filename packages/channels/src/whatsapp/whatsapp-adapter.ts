import {
  type ActionAnswer,
  type Attachment,
  GridBotError,
  type InboundAction,
  type Jid,
} from '@gridbot/core';
import type { Logger } from 'pino';
import { requiredOption, withStartTimeout } from '../adapter-options.ts';
import type {
  BotIdentity,
  ChannelAdapter,
  FetchedFile,
  IngressHandler,
  OutboundDocument,
  SendOptions,
  TypingIndicator,
} from '../channel-adapter.ts';
import { OrderedDelivery } from '../ordered-delivery.ts';
import { GraphClient } from './graph-client.ts';
import { graphCodeOf, REENGAGEMENT_REQUIRED } from './graph-error.ts';
import {
  type NormalizedChange,
  normalizeWhatsAppWebhook,
  receiptErrorCode,
} from './normalize-webhook.ts';
import { sendWhatsAppDocument, WHATSAPP_MAX_DOCUMENT_BYTES } from './send-document.ts';
import { postWhatsAppMessage, sendWhatsAppText } from './send-text.ts';
import { createWhatsAppWebhook } from './webhook-handler.ts';

/** A message template approved for the account, sent when the 24-hour window has closed. */
export interface WhatsAppTemplate {
  name: string;
  /** Its language code, e.g. `en_US`. */
  language: string;
}

/** Options of a {@link WhatsAppAdapter}; the app maps its environment into these. */
export interface WhatsAppAdapterOptions {
  /** A system user's access token with `whatsapp_business_messaging`. Never logged. */
  accessToken: string;
  /** The business phone number's id (WhatsApp → API Setup), not the number itself. */
  phoneNumberId: string;
  /** The app secret (App settings → Basic): webhooks are verified with it. Never logged. */
  appSecret: string;
  /** The verify token given with the callback URL (Meta's GET verification). */
  verifyToken: string;
  /** Graph API root with its version. Default `https://graph.facebook.com/v23.0`. */
  graphUrl?: string;
  /** Path of the webhook endpoint. Default `/whatsapp/webhook`. */
  webhookPath?: string;
  /**
   * Sent (once an hour per person at most) when a reply failed because the person last wrote
   * more than 24 hours ago; without it the failure is only logged and recorded.
   */
  reengageTemplate?: WhatsAppTemplate | null;
  /** Pause of the outbound queue on a rate limit (WhatsApp sends no `Retry-After`). Default 30 s. */
  rateLimitPauseMs?: number;
  /** How long `start()` waits for the Graph API. Default 30 s. */
  startTimeoutMs?: number;
  logger: Logger;
}

const DEFAULT_GRAPH_URL = 'https://graph.facebook.com/v23.0';
const TEMPLATE_EVERY_MS = 60 * 60 * 1000;
/** Chats whose last message id is kept for the typing indicator. */
const MAX_REMEMBERED_CHATS = 10_000;

/**
 * The WhatsApp channel, on the official Business Cloud API: events arrive on a signed
 * webhook ({@link createWhatsAppWebhook}) and replies go out through
 * `/{phone-number-id}/messages`. Meta delivers a webhook again until it is answered 200,
 * which happens only after every event in it was committed, so `redelivers` is true and
 * no spool is needed. Events of one chat reach ingress one at a time, in arrival order.
 *
 * Receipts (`sent`, `delivered`, `read`, `failed`) become delivery events, recorded on the
 * outbox row. A reply refused because the 24-hour window closed (error 131047, at once or
 * in a failed receipt) is never dropped silently: the row fails with the reason, and the
 * configured template, if any, invites the person to write again.
 */
export class WhatsAppAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp';
  readonly maxMessageLength = 4096;
  readonly maxDocumentBytes = WHATSAPP_MAX_DOCUMENT_BYTES;
  readonly redelivers = true;
  readonly webhook: NonNullable<ChannelAdapter['webhook']>;
  /**
   * WhatsApp's typing indicator hangs on the person's last message (which it also marks
   * read) and lasts up to 25 s or until the reply; a chat whose last message this replica
   * did not receive shows none.
   */
  readonly typing: TypingIndicator = {
    intervalMs: 20_000,
    show: (jid) => this.#showTyping(jid),
  };

  readonly #graph: GraphClient;
  readonly #phoneNumberId: string;
  readonly #template: WhatsAppTemplate | null;
  readonly #logger: Logger;
  readonly #startTimeoutMs: number;
  readonly #delivery = new OrderedDelivery();
  /** The last message each chat sent (for the typing indicator), newest chats last. */
  readonly #lastInbound = new Map<string, string>();
  /** When the re-engagement template last went to each chat. */
  readonly #templateSentAt = new Map<string, number>();
  #identity: BotIdentity | null = null;
  #displayNumber: string | null = null;
  #onEvent: IngressHandler | null = null;
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  #stopping: Promise<void> | null = null;

  /** Throws `GridBotError` when a token, id or secret is missing or malformed. */
  constructor(options: WhatsAppAdapterOptions) {
    const accessToken = requiredOption(
      options.accessToken,
      /^[A-Za-z0-9_.|-]{20,}$/,
      'The WhatsApp access token is missing or malformed: pass a system user token with whatsapp_business_messaging as `accessToken`.',
    );
    this.#phoneNumberId = requiredOption(
      options.phoneNumberId,
      /^\d{5,20}$/,
      'The WhatsApp phone number id is missing or malformed: pass the id shown under WhatsApp → API Setup (digits, not the phone number) as `phoneNumberId`.',
    );
    const appSecret = requiredOption(
      options.appSecret,
      /^\S{8,}$/,
      'The WhatsApp app secret is missing: without it no webhook can be verified (App settings → Basic → App secret).',
    );
    const verifyToken = requiredOption(
      options.verifyToken,
      /^\S{8,}$/,
      'The WhatsApp verify token is missing or shorter than 8 characters: choose one and enter it with the callback URL.',
    );
    const graphUrl = (options.graphUrl ?? DEFAULT_GRAPH_URL).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(graphUrl)) {
      throw new GridBotError(
        `The WhatsApp Graph API URL ${JSON.stringify(graphUrl)} is not an http(s) URL (e.g. ${DEFAULT_GRAPH_URL}).`,
      );
    }
    const path = options.webhookPath ?? '/whatsapp/webhook';
    if (!path.startsWith('/')) {
      throw new GridBotError(
        `The WhatsApp webhook path ${JSON.stringify(path)} must start with "/".`,
      );
    }
    this.#template = options.reengageTemplate ?? null;
    this.#logger = options.logger.child({ component: 'whatsapp-adapter' });
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#graph = new GraphClient({
      graphUrl,
      accessToken,
      rateLimitPauseMs: options.rateLimitPauseMs ?? 30_000,
      timeoutMs: 30_000,
    });
    this.webhook = {
      path,
      handler: createWhatsAppWebhook({
        appSecret,
        verifyToken,
        accepting: () => this.#state === 'running',
        handleBody: (body) => this.handleUpdate(body),
        logger: this.#logger,
      }),
    };
  }

  /**
   * Checks the token and the phone number id (`GET /{phone-number-id}`), learning the
   * display number; webhooks are accepted from then on. Throws `GridBotError` (with the
   * cause) when the Graph API refuses or cannot be reached in time; the adapter is then stopped.
   */
  async start(onEvent: IngressHandler): Promise<void> {
    if (this.#state !== 'new') {
      throw new GridBotError(`WhatsAppAdapter.start() called twice (state: ${this.#state}).`);
    }
    this.#state = 'starting';
    this.#onEvent = onEvent;
    try {
      const number = await withStartTimeout(
        this.#graph.get<{ display_phone_number?: unknown; verified_name?: unknown }>(
          `${this.#phoneNumberId}?fields=display_phone_number,verified_name`,
        ),
        this.#startTimeoutMs,
        'WhatsApp',
      );
      const display =
        typeof number.display_phone_number === 'string' ? number.display_phone_number : null;
      this.#displayNumber = display?.replace(/\D/g, '') || null;
      this.#identity = {
        id: this.#phoneNumberId,
        username: typeof number.verified_name === 'string' ? number.verified_name : display,
      };
    } catch (error) {
      await this.stop();
      const reason = (error instanceof Error ? error.message : String(error)).replace(
        /[.!]?$/,
        '.',
      );
      throw new GridBotError(
        `Could not reach WhatsApp at ${this.#graph.graphUrl}: ${reason} Check WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID and the network.`,
        { cause: error },
      );
    }
    if (this.#stopping !== null) return;
    this.#state = 'running';
    this.#logger.info(
      { phoneNumberId: this.#phoneNumberId, displayNumber: this.#displayNumber },
      'whatsapp adapter started',
    );
  }

  /** Refuses further webhooks (503, so Meta retries) and waits for those being handled. */
  stop(): Promise<void> {
    if (this.#stopping !== null) return this.#stopping;
    this.#state = 'stopped';
    this.#stopping = this.#delivery.close();
    return this.#stopping;
  }

  /**
   * Normalizes a webhook body and passes its events to ingress, each after the earlier
   * ones of its chat. Malformed and unsupported entries are logged and skipped; it throws
   * only when ingress failed on one (the webhook then answers 500 and Meta redelivers).
   */
  async handleUpdate(update: unknown): Promise<void> {
    const onEvent = this.#onEvent;
    if (onEvent === null || this.#identity === null) {
      throw new GridBotError('WhatsAppAdapter.handleUpdate() called before start() finished.');
    }
    const changes = normalizeWhatsAppWebhook(update, {
      phoneNumberId: this.#phoneNumberId,
      displayNumber: this.#displayNumber,
    });
    // Queued synchronously, in the body's order, so a chat's events keep their order.
    const handled = changes.map((change) => this.#dispatch(change, onEvent));
    const results = await Promise.allSettled(handled);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Sends one chunk; see {@link sendWhatsAppText}. */
  async sendText(jid: Jid, text: string, options: SendOptions): Promise<string> {
    this.#assertRunning();
    try {
      return await sendWhatsAppText(this.#graph, this.#phoneNumberId, jid, text, options);
    } catch (error) {
      if (graphCodeOf(error) === REENGAGEMENT_REQUIRED) await this.#reengage(jid);
      throw error;
    }
  }

  /** Uploads and sends one file; see {@link sendWhatsAppDocument}. */
  async sendDocument(jid: Jid, document: OutboundDocument, options: SendOptions): Promise<string> {
    this.#assertRunning();
    return sendWhatsAppDocument(this.#graph, this.#phoneNumberId, jid, document, options);
  }

  /**
   * WhatsApp can neither edit a sent message nor show a notice to one person, so the answer
   * goes to the chat as a reply to the pressed message; failures are logged, never thrown.
   */
  async answerAction(action: InboundAction, answer: ActionAnswer): Promise<void> {
    try {
      await postWhatsAppMessage(
        this.#graph,
        this.#phoneNumberId,
        action.chat.jid as Jid,
        { type: 'text', text: { body: answer.text, preview_url: false } },
        action.platformMessageId,
      );
    } catch (error) {
      this.#logger.warn(
        { err: error, messageId: action.platformMessageId },
        'could not answer a whatsapp button press',
      );
    }
  }

  /** Downloads a file a person sent, by its media id; see {@link WhatsAppAdapter.downloadMedia}. */
  async fetchAttachment(attachment: Attachment): Promise<FetchedFile> {
    const media = await this.downloadMedia(attachment.platformFileId);
    return { data: media.data, mimeType: attachment.mimeType ?? media.mimeType };
  }

  /** The phone number id and the business's verified name; throws before `start()`. */
  identity(): BotIdentity {
    if (this.#identity === null) {
      throw new GridBotError(
        'The WhatsApp identity is not known yet: call `await adapter.start(onEvent)` first.',
      );
    }
    return this.#identity;
  }

  /**
   * Downloads an inbound file by its media id (an attachment's `platformFileId`): the
   * Graph API names a short-lived URL, fetched with the same token.
   */
  async downloadMedia(mediaId: string): Promise<{ data: Uint8Array; mimeType: string | null }> {
    if (!/^[A-Za-z0-9_.-]{1,512}$/.test(mediaId)) {
      throw new GridBotError(`${JSON.stringify(mediaId)} is not a WhatsApp media id.`);
    }
    const media = await this.#graph.get<{ url?: unknown; mime_type?: unknown }>(mediaId);
    if (typeof media.url !== 'string') {
      throw new GridBotError(`WhatsApp named no download URL for media ${mediaId}.`);
    }
    return this.#graph.download(
      media.url,
      typeof media.mime_type === 'string' ? media.mime_type : null,
    );
  }

  #assertRunning(): void {
    if (this.#state === 'stopped') {
      throw new GridBotError('The WhatsApp adapter is stopped; it sends nothing.');
    }
  }

  #dispatch({ result, status }: NormalizedChange, onEvent: IngressHandler): Promise<void> {
    if (result.outcome !== 'event') {
      const fields = { messageId: result.id, reason: result.reason };
      if (result.outcome === 'ignored') this.#logger.debug(fields, 'ignoring whatsapp entry');
      else this.#logger.warn(fields, `skipping malformed whatsapp entry: ${result.reason}`);
      return Promise.resolve();
    }
    const event = result.event;
    const windowClosed =
      event.kind === 'delivery' && receiptErrorCode(status) === REENGAGEMENT_REQUIRED;
    return this.#delivery.run(event.chat.jid, async () => {
      await onEvent(event);
      if (event.kind === 'message') this.#rememberInbound(event.chat.jid, event.platformMessageId);
      if (windowClosed) await this.#reengage(event.chat.jid as Jid);
    });
  }

  #rememberInbound(jid: string, messageId: string): void {
    this.#lastInbound.delete(jid);
    this.#lastInbound.set(jid, messageId);
    if (this.#lastInbound.size > MAX_REMEMBERED_CHATS) {
      const oldest = this.#lastInbound.keys().next().value;
      if (oldest !== undefined) this.#lastInbound.delete(oldest);
    }
  }

  async #showTyping(jid: Jid): Promise<void> {
    const messageId = this.#lastInbound.get(jid);
    if (messageId === undefined || this.#state !== 'running') return;
    await this.#graph.post(`${this.#phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: messageId,
      typing_indicator: { type: 'text' },
    });
  }

  /** Sends the re-engagement template to a chat whose 24-hour window closed (once an hour). */
  async #reengage(jid: Jid): Promise<void> {
    if (this.#template === null) {
      this.#logger.warn(
        { jid },
        'a reply could not be sent because the person last wrote more than 24 hours ago; set WHATSAPP_REENGAGE_TEMPLATE to invite them back with a template',
      );
      return;
    }
    const last = this.#templateSentAt.get(jid);
    if (last !== undefined && Date.now() - last < TEMPLATE_EVERY_MS) return;
    this.#templateSentAt.set(jid, Date.now());
    try {
      await postWhatsAppMessage(
        this.#graph,
        this.#phoneNumberId,
        jid,
        {
          type: 'template',
          template: { name: this.#template.name, language: { code: this.#template.language } },
        },
        null,
      );
      this.#logger.warn(
        { jid, template: this.#template.name },
        'the 24-hour window had closed: sent the re-engagement template instead of the reply',
      );
    } catch (error) {
      this.#logger.error(
        { err: error, jid, template: this.#template.name },
        'the 24-hour window had closed and the re-engagement template could not be sent',
      );
    }
  }
}
