/**
 * The shared part of the fake model APIs (`fake-anthropic.ts`, `fake-openai.ts`): a node:http
 * server on 127.0.0.1 that records every request and answers the scripted replies in order.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** One request the fake received: lower-cased headers and the parsed JSON body. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * A tool call the fake model makes. A string `arguments` is sent as is by the OpenAI fake
 * (e.g. broken JSON) and parsed by the Anthropic fake (whose API always sends an object).
 */
export interface FakeToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown> | string;
}

/** A raw HTTP answer: status, JSON body and headers exactly as given. */
export interface FakeRawReply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (for timeouts). */
  delayMs?: number;
}

/** A model answer, rendered into the provider's real response shape. */
export interface FakeAnswer {
  text: string;
  toolCalls?: FakeToolCall[];
  usage?: { input: number; output: number };
  delayMs?: number;
  /** When the request asks to stream: the pause between two text tokens (default 0). */
  tokenIntervalMs?: number;
}

/** One server-sent event of a streamed answer (`event:` line optional). */
export interface StreamEvent {
  event?: string;
  data: unknown;
}

/** An answer's text in tokens as a model streams them: words with their trailing space. */
export function tokensOf(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export type FakeReply = FakeRawReply | FakeAnswer;

/** Replies in order (the last one repeats), or a function of the request body and its index. */
export type FakeScript =
  | FakeReply[]
  | ((body: Record<string, unknown>, index: number) => FakeReply);

export interface FakeLlmServer {
  /** What to pass as the SDK's `baseURL`. */
  baseURL: string;
  requests: RecordedRequest[];
  /** When each streamed answer wrote its first text token (`Date.now()`), in order. */
  firstTokens: number[];
  close(): Promise<void>;
}

/** How one provider's fake differs: where it listens and how an answer looks on the wire. */
export interface FakeDialect {
  /** The endpoint, e.g. `/v1/messages`. */
  path: string;
  /** Appended to the origin to form `baseURL` (`''` or `/v1`). */
  baseURLSuffix: string;
  render(answer: FakeAnswer, body: Record<string, unknown>, index: number): unknown;
  /**
   * The same answer as the API streams it (`stream: true`): events before the text, one per
   * text token (marked `token`), and after. `[DONE]`-style terminators are plain strings.
   */
  stream(
    answer: FakeAnswer,
    body: Record<string, unknown>,
    index: number,
  ): (StreamEvent & { token?: boolean })[];
  notFound(path: string): unknown;
  /** `GET /v1/models`: the list a key check asks for. */
  models: unknown;
}

function isRaw(reply: FakeReply): reply is FakeRawReply {
  return 'status' in reply;
}

function pick(script: FakeScript, body: Record<string, unknown>, index: number): FakeReply {
  if (typeof script === 'function') return script(body, index);
  const reply = script[Math.min(index, script.length - 1)];
  if (!reply) throw new Error('The fake LLM server was given an empty script.');
  return reply;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { _raw: text };
  }
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Starts a fake model API on a free port of 127.0.0.1. */
export async function startFakeLlmServer(
  dialect: FakeDialect,
  script: FakeScript,
): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const firstTokens: number[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let scripted = 0;

  const send = (res: ServerResponse, status: number, json: unknown, headers = {}) => {
    if (res.destroyed || res.writableEnded) return; // the client gave up (timeout, abort)
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(json ?? {}));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ method: req.method ?? 'GET', path, headers: headersOf(req), body });
    if (req.method === 'GET' && path === '/v1/models') return send(res, 200, dialect.models);
    if (req.method !== 'POST' || path !== dialect.path) {
      return send(res, 404, dialect.notFound(path));
    }
    const index = scripted++;
    const reply = pick(script, body, index);
    const answer = () =>
      isRaw(reply)
        ? send(res, reply.status, reply.json, reply.headers)
        : body.stream === true
          ? void streamAnswer(res, dialect.stream(reply, body, index), reply.tokenIntervalMs ?? 0)
          : send(res, 200, dialect.render(reply, body, index));
    if (!reply.delayMs) return answer();
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer();
    }, reply.delayMs);
    timers.add(timer);
  };

  const streamAnswer = async (
    res: ServerResponse,
    events: (StreamEvent & { token?: boolean })[],
    intervalMs: number,
  ) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let first = true;
    for (const item of events) {
      if (res.destroyed) return; // the client gave up (an abort)
      if (item.token && !first && intervalMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, intervalMs);
          timers.add(timer);
        });
      }
      const data = typeof item.data === 'string' ? item.data : JSON.stringify(item.data);
      res.write(`${item.event ? `event: ${item.event}\n` : ''}data: ${data}\n\n`);
      if (item.token && first) firstTokens.push(Date.now());
      if (item.token) first = false;
    }
    res.end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, { fakeServerError: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    baseURL: `http://127.0.0.1:${address.port}${dialect.baseURLSuffix}`,
    requests,
    firstTokens,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
