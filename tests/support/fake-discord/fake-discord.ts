/**
 * Over 400 lines: REST, the test API and interactions share one fake platform's state
 * (channels, sent messages), which splitting would have to pass around.
 *
 * A fake Discord for tests: REST (`/api/v10`) and gateway (WebSocket, v10, JSON) on one
 * port of 127.0.0.1, enough for the real discord.js client to log in, receive messages,
 * resume after a dropped connection and send replies.
 *
 *   const discord = await startFakeDiscord({ token: 'test-token' });
 *   // run the bot with apiBase = discord.apiBase (DISCORD_API_BASE in the app)
 *   await discord.waitForConnection();
 *   discord.dispatchMessage(messagePayload({ content: '<@…> hi' }));
 *   await waitFor('a reply', () => discord.sent.length === 1);
 *
 * Dispatches made before the bot has connected are held and sent right after its READY and
 * GUILD_CREATE; those made while it is disconnected are replayed when it resumes. Button
 * presses are interactions: `press()` dispatches one, and its callback is answered once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMultipart, readMultipart } from '../multipart.ts';
import {
  BOT_USER,
  buttonInteractionPayload,
  CHANNELS,
  type FakeUser,
  snowflake,
} from './discord-payloads.ts';
import { FakeGateway } from './fake-gateway.ts';

/** A message the bot created (`POST /channels/:id/messages`), as Discord received it. */
export interface SentDiscordMessage {
  /** The id the fake gave it. */
  id: string;
  channelId: string;
  content: string;
  allowed_mentions: unknown;
  message_reference: { message_id?: string; fail_if_not_exists?: boolean } | undefined;
  flags: number | undefined;
  /** The whole JSON body (`payload_json` of an upload). */
  body: Record<string, unknown>;
  /** Files uploaded with the message (multipart/form-data, `files[n]`). */
  attachments: SentDiscordAttachment[];
  /** Its content after each edit (`PATCH /channels/:c/messages/:m`), in order. */
  edits: string[];
}

/** A file the bot attached to a message, as the fake received it. */
export interface SentDiscordAttachment {
  /** The form field it came in: `files[0]` … */
  field: string;
  filename: string;
  contentType: string;
  /** Its bytes as UTF-8 text. */
  content: string;
  size: number;
}

/** The bot's answer to an interaction (`POST /interactions/:id/:token/callback`). */
export interface InteractionCallback {
  interactionId: string;
  /** 4: a message (with `data.flags` 64, only the presser sees it); 7: the message updated. */
  type: number;
  data: Record<string, unknown>;
}

/** One REST request, whatever its outcome. */
export interface RecordedDiscordRequest {
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  status: number;
  /** When it arrived (`Date.now()`). */
  at: number;
}

/** Options of {@link startFakeDiscord}. */
export interface FakeDiscordOptions {
  /** The bot token REST (`Authorization: Bot …`) and IDENTIFY must carry; any when omitted. */
  token?: string;
  /** HELLO's heartbeat interval (default 41250 ms, Discord's). */
  heartbeatIntervalMs?: number;
  /** Close IDENTIFY with this gateway code, e.g. 4014 (disallowed intents). */
  identifyCloseCode?: number;
  /** Echo each sent message back as a MESSAGE_CREATE, as Discord does (default true). */
  echoSent?: boolean;
}

/** The running fake and its test API. */
export interface FakeDiscord {
  /** REST root including `/api` (discord.js adds `/v10`): `http://127.0.0.1:PORT/api`. */
  readonly apiBase: string;
  /** The gateway URL `GET /gateway/bot` returns: `ws://127.0.0.1:PORT`. */
  readonly gatewayUrl: string;
  /** Messages the bot sent, in order. */
  readonly sent: SentDiscordMessage[];
  /** Every REST request, in order. */
  readonly requests: RecordedDiscordRequest[];
  /** The gateway, for `connections`, `identifies`, `resumes`, `connected`. */
  readonly gateway: FakeGateway;
  /** Sends MESSAGE_CREATE with this `d` (buffered while disconnected, replayed on RESUME). */
  dispatchMessage(payload: Record<string, unknown>): void;
  /** Sends MESSAGE_UPDATE with this `d`. */
  dispatchUpdate(payload: Record<string, unknown>): void;
  /** Sends any dispatch. */
  dispatch(t: string, d: unknown): void;
  /** Closes the live WebSocket with a resumable code (4000); discord.js reconnects and resumes. */
  dropConnection(code?: number): void;
  /** Resolves once the bot is identified or resumed on the gateway. */
  waitForConnection(): Promise<void>;
  /** Makes a channel known to REST (`GET /channels/:id`, posting) without announcing it on the gateway. */
  addChannel(channel: { id: string; type: number } & Record<string, unknown>): void;
  /** The bot's interaction callbacks, in order. */
  readonly callbacks: InteractionCallback[];
  /**
   * Puts a file on the fake CDN and returns its URL (`/attachments/<channel>/<id>/<name>`,
   * signed as Discord's are), for an attachment of a message a person sends.
   */
  addCdnFile(
    channelId: string,
    attachmentId: string,
    fileName: string,
    data: Buffer,
    contentType: string,
  ): string;
  /** CDN downloads, by path. */
  readonly cdnDownloads: string[];
  /**
   * Presses a button (`customId`) of the bot's message `message` as `user`: an
   * INTERACTION_CREATE on the gateway, answerable once, within 3 seconds, with its token
   * (Discord, Receiving and Responding). A type 7 answer updates `message` in `sent`
   * (content and components). Returns the interaction id.
   */
  press(message: SentDiscordMessage, customId: string, user: FakeUser): string;
  /** Answers the next `times` message sends with 429 and `retry_after` (seconds). */
  rateLimitNext(retryAfterSec: number, times?: number): void;
  /**
   * Runs `hook` after the next message is created and before the bot is answered: the
   * moment a crash leaves a message sent but not recorded by the sender.
   */
  afterNextCreate(hook: () => Promise<void>): void;
  close(): Promise<void>;
}

const MAX_CONTENT = 2000;
/** A server without boosts takes files up to this size from a bot. */
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const API_PREFIX = /^\/api(?:\/v\d+)?(?=\/)/;

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function notFound(res: ServerResponse): Promise<number> {
  json(res, 404, { message: '404: Not Found', code: 0 });
  return 404;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

const invalidForm = (field: string, message: string) => ({
  code: 50035,
  message: 'Invalid Form Body',
  errors: { [field]: { _errors: [{ code: 'BASE_TYPE_INVALID', message }] } },
});

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? null;
  const sent: SentDiscordMessage[] = [];
  /** Messages created with a nonce, by nonce (the fake never forgets, Discord after minutes). */
  const nonces = new Map<string, Record<string, unknown>>();
  let afterCreate: (() => Promise<void>) | null = null;
  const requests: RecordedDiscordRequest[] = [];
  /** Channels messages may be posted to: the fixture's, plus any a dispatched message came from. */
  const channels = new Map<string, Record<string, unknown>>(
    Object.values(CHANNELS).map((channel) => [channel.id, { ...channel }]),
  );
  let rateLimited: { retryAfterSec: number; times: number } | null = null;
  const callbacks: InteractionCallback[] = [];
  const cdn = new Map<string, { data: Buffer; contentType: string; signature: string }>();
  const cdnDownloads: string[] = [];
  /** Interactions not answered yet: their token, message, and when they stop taking an answer. */
  const interactions = new Map<
    string,
    { token: string; message: SentDiscordMessage; deadline: number }
  >();

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const gatewayUrl = `ws://127.0.0.1:${port}`;
  const gateway = new FakeGateway({
    server,
    url: gatewayUrl,
    token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    identifyCloseCode: options.identifyCloseCode ?? null,
  });

  /** Answers one REST request; returns the status for the record. */
  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<number> {
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/gateway') {
      json(res, 200, { url: gatewayUrl });
      return 200;
    }
    const callback = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    // The interaction token is the credential here: no bot token is needed (or checked).
    if (method === 'POST' && callback !== null)
      return answerInteraction(res, callback[1]!, callback[2]!, await readBody(req));
    if (token !== null && req.headers.authorization !== `Bot ${token}`) {
      json(res, 401, { message: '401: Unauthorized', code: 0 });
      return 401;
    }
    if (method === 'GET' && path === '/gateway/bot') {
      json(res, 200, {
        url: gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
      return 200;
    }
    if (method === 'GET' && path === '/users/@me') {
      json(res, 200, { ...BOT_USER, discriminator: '0', avatar: null });
      return 200;
    }
    const edit = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    if (method === 'PATCH' && edit !== null) {
      // Edit Message: only the bot's own; content within the limit.
      const message = sent.find((m) => m.channelId === edit[1] && m.id === edit[2]);
      if (!message) {
        json(res, 404, { message: 'Unknown Message', code: 10008 });
        return 404;
      }
      const body = await readBody(req);
      const content = typeof body.content === 'string' ? body.content : message.content;
      if (content.length > MAX_CONTENT) {
        json(res, 400, invalidForm('content', `Must be ${MAX_CONTENT} or fewer in length.`));
        return 400;
      }
      message.content = content;
      message.edits.push(content);
      if (body.components !== undefined)
        message.body = { ...message.body, components: body.components };
      json(res, 200, { id: message.id, channel_id: message.channelId, content, author: BOT_USER });
      return 200;
    }
    const typing = /^\/channels\/(\d+)\/typing$/.exec(path);
    if (method === 'POST' && typing !== null) {
      // Trigger Typing Indicator: 204, shown for 10 s or until the bot posts.
      const known = channels.has(typing[1]!);
      res.writeHead(known ? 204 : 404, known ? {} : { 'content-type': 'application/json' });
      res.end(known ? undefined : JSON.stringify({ message: 'Unknown Channel', code: 10003 }));
      return known ? 204 : 404;
    }
    const channelMatch = /^\/channels\/(\d+)(\/messages)?$/.exec(path);
    const channel = channelMatch === null ? undefined : channels.get(channelMatch[1] as string);
    if (channelMatch !== null && channel === undefined) {
      json(res, 404, { message: 'Unknown Channel', code: 10003 });
      return 404;
    }
    if (channel !== undefined && method === 'GET' && channelMatch?.[2] === undefined) {
      json(res, 200, channel);
      return 200;
    }
    if (channel !== undefined && method === 'POST' && channelMatch?.[2] !== undefined) {
      if (!isMultipart(req)) return createMessage(res, String(channel.id), await readBody(req));
      // Uploading Files: the message's JSON in `payload_json`, each file in `files[n]`.
      const form = await readMultipart(req);
      const attachments = form.files
        .filter((f) => /^files\[\d+\]$/.test(f.field))
        .map((f) => ({
          field: f.field,
          filename: f.name,
          contentType: f.type,
          content: f.text,
          size: f.bytes,
        }));
      if (attachments.some((a) => a.size > MAX_UPLOAD_BYTES)) {
        json(res, 413, { message: 'Request entity too large', code: 40005 });
        return 413;
      }
      const body = JSON.parse(form.fields.payload_json ?? '{}') as Record<string, unknown>;
      return createMessage(res, String(channel.id), body, attachments);
    }
    return notFound(res);
  }

  /** Takes one answer to an interaction in time; a second one, or a late one, is refused. */
  function answerInteraction(
    res: ServerResponse,
    id: string,
    interactionToken: string,
    body: Record<string, unknown>,
  ): number {
    const open = interactions.get(id);
    if (open === undefined || open.token !== interactionToken || Date.now() > open.deadline) {
      json(res, 404, { message: 'Unknown interaction', code: 10062 });
      return 404;
    }
    const type = typeof body.type === 'number' ? body.type : 0;
    const data = (body.data ?? {}) as Record<string, unknown>;
    if (type !== 4 && type !== 7) {
      json(res, 400, invalidForm('type', 'Value must be one of {4, 5, 6, 7, 9, 10, 12}.'));
      return 400;
    }
    interactions.delete(id);
    callbacks.push({ interactionId: id, type, data });
    if (type === 7) {
      if (typeof data.content === 'string') open.message.content = data.content;
      if (data.components !== undefined)
        open.message.body = { ...open.message.body, components: data.components };
    }
    res.writeHead(204);
    res.end();
    return 204;
  }

  function createMessage(
    res: ServerResponse,
    channelId: string,
    body: Record<string, unknown>,
    attachments: SentDiscordAttachment[] = [],
  ): number | Promise<number> {
    if (rateLimited !== null) {
      const { retryAfterSec } = rateLimited;
      rateLimited.times -= 1;
      if (rateLimited.times <= 0) rateLimited = null;
      json(
        res,
        429,
        { message: 'You are being rate limited.', retry_after: retryAfterSec, global: false },
        { 'retry-after': String(retryAfterSec), 'x-ratelimit-scope': 'user' },
      );
      return 429;
    }
    const content = typeof body.content === 'string' ? body.content : '';
    if (content === '' && attachments.length === 0) {
      json(res, 400, { message: 'Cannot send an empty message', code: 50006 });
      return 400;
    }
    if (content.length > MAX_CONTENT) {
      json(res, 400, invalidForm('content', `Must be ${MAX_CONTENT} or fewer in length.`));
      return 400;
    }
    // `enforce_nonce`: a nonce the bot used in the last few minutes returns that message
    // instead of creating another (Discord's documented dedupe of retried sends).
    const nonce =
      typeof body.nonce === 'string' || typeof body.nonce === 'number' ? String(body.nonce) : null;
    if (nonce !== null && String(nonce).length > 25) {
      json(res, 400, invalidForm('nonce', 'Must be 25 or fewer in length.'));
      return 400;
    }
    const earlier = nonce !== null && body.enforce_nonce === true ? nonces.get(nonce) : undefined;
    if (earlier !== undefined) {
      json(res, 200, earlier);
      return 200;
    }
    const reference = body.message_reference as SentDiscordMessage['message_reference'];
    const id = snowflake();
    sent.push({
      id,
      channelId,
      content,
      allowed_mentions: body.allowed_mentions,
      message_reference: reference,
      flags: typeof body.flags === 'number' ? body.flags : undefined,
      body,
      attachments,
      edits: [],
    });
    const message = {
      id,
      type: reference === undefined ? 0 : 19,
      channel_id: channelId,
      author: { ...BOT_USER, discriminator: '0', avatar: null },
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: attachments.map((a) => ({
        id: snowflake(),
        filename: a.filename,
        size: a.size,
        content_type: a.contentType,
        url: `https://cdn.discordapp.com/attachments/${channelId}/${a.filename}`,
        proxy_url: `https://media.discordapp.net/attachments/${channelId}/${a.filename}`,
      })),
      embeds: [],
      pinned: false,
      flags: typeof body.flags === 'number' ? body.flags : 0,
      ...(reference === undefined
        ? {}
        : { message_reference: { ...reference, channel_id: channelId } }),
    };
    if (nonce !== null) nonces.set(nonce, message);
    const respond = () => {
      json(res, 200, message);
      if (options.echoSent ?? true) gateway.dispatch('MESSAGE_CREATE', message);
      return 200;
    };
    const hook = afterCreate;
    afterCreate = null;
    return hook ? hook().then(respond) : respond();
  }

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const file = req.method === 'GET' ? cdn.get(url.pathname) : undefined;
    if (file) {
      // The CDN checks the signature, not the bot token.
      const valid = url.searchParams.get('hm') === file.signature;
      if (valid) cdnDownloads.push(url.pathname);
      res.writeHead(valid ? 200 : 404, { 'content-type': valid ? file.contentType : 'text/plain' });
      res.end(valid ? file.data : 'This content is no longer available.');
      return;
    }
    const prefix = API_PREFIX.exec(url.pathname);
    const path = prefix === null ? url.pathname : url.pathname.slice(prefix[0].length);
    const record: RecordedDiscordRequest = {
      method: req.method ?? 'GET',
      path,
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    const answer = prefix === null ? notFound(res) : route(req, res, path);
    answer.then(
      (status) => {
        record.status = status;
      },
      (error: unknown) => {
        record.status = 500;
        if (!res.headersSent) json(res, 500, { message: String(error), code: 0 });
      },
    );
  });

  const register = (payload: Record<string, unknown>): void => {
    const id = payload.channel_id;
    if (typeof id === 'string' && !channels.has(id)) {
      const guildId = payload.guild_id;
      channels.set(
        id,
        typeof guildId === 'string'
          ? { id, type: 0, guild_id: guildId, name: `channel-${id}`, position: 0 }
          : { id, type: 1 },
      );
    }
  };

  return {
    apiBase: `http://127.0.0.1:${port}/api`,
    gatewayUrl,
    sent,
    requests,
    gateway,
    dispatchMessage(payload) {
      register(payload);
      gateway.dispatch('MESSAGE_CREATE', payload);
    },
    dispatchUpdate(payload) {
      register(payload);
      gateway.dispatch('MESSAGE_UPDATE', payload);
    },
    callbacks,
    cdnDownloads,
    addCdnFile(channelId, attachmentId, fileName, data, contentType) {
      const path = `/attachments/${channelId}/${attachmentId}/${encodeURIComponent(fileName)}`;
      const signature = `sig${attachmentId.slice(-6)}`;
      cdn.set(path, { data, contentType, signature });
      const expires = Math.floor(Date.now() / 1000 + 86_400).toString(16);
      return `http://127.0.0.1:${port}${path}?ex=${expires}&is=${expires}&hm=${signature}`;
    },
    press(message, customId, user) {
      const id = snowflake();
      const interactionToken = `itoken-${id}`;
      interactions.set(id, { token: interactionToken, message, deadline: Date.now() + 3_000 });
      gateway.dispatch(
        'INTERACTION_CREATE',
        buttonInteractionPayload({
          id,
          token: interactionToken,
          user,
          customId,
          channelId: message.channelId,
          message: {
            id: message.id,
            channel_id: message.channelId,
            author: { ...BOT_USER, discriminator: '0', avatar: null },
            content: message.content,
            components: message.body.components ?? [],
          },
        }),
      );
      return id;
    },
    dispatch: (t, d) => gateway.dispatch(t, d),
    dropConnection: (code) => gateway.drop(code),
    waitForConnection: () => gateway.waitForConnection(),
    addChannel(channel) {
      channels.set(channel.id, { ...channel });
    },
    rateLimitNext(retryAfterSec, times = 1) {
      rateLimited = { retryAfterSec, times };
    },
    afterNextCreate(hook) {
      afterCreate = hook;
    },
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
