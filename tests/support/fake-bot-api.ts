/**
 * A tiny Bot API server for the cases
 * telegram-test-api cannot play (errors, real offset semantics, hanging long polls).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Logger, pino } from 'pino';
import { freePort } from './free-port.ts';
import { isMultipart, readMultipart } from './multipart.ts';

/** One request the fake received. */
export interface RecordedCall {
  method: string;
  body: Record<string, unknown>;
}

/** What a fake method answers: a status and JSON body (after `delayMs`), or `'hang'` / `'drop'` the connection. */
export type FakeAnswer = { status?: number; json: unknown; delayMs?: number } | 'hang' | 'drop';
export type FakeMethod = (body: Record<string, unknown>, call: RecordedCall[]) => FakeAnswer;

export interface FakeBotApi {
  apiRoot: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

const ok = (result: unknown): FakeAnswer => ({ json: { ok: true, result } });

/** Default answers for the calls every adapter start makes. */
export const BASIC_METHODS: Record<string, FakeMethod> = {
  getMe: () => ok({ id: 666, is_bot: true, first_name: 'Grid', username: 'GridTestBot' }),
  deleteWebhook: () => ok(true),
  setWebhook: () => ok(true),
  getUpdates: () => ok([]),
};

/**
 * A request's parameters: JSON, or a multipart/form-data upload (its fields as strings, each
 * file under its field's name as a `FormFile`).
 */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (isMultipart(req)) {
    const { fields, files } = await readMultipart(req);
    const byField = new Map(files.map((file) => [file.field, file]));
    // A parameter may name a file of the form as `attach://<field>` (grammY does).
    const resolve = (value: string) =>
      value.startsWith('attach://') ? (byField.get(value.slice(9)) ?? value) : value;
    return {
      ...Object.fromEntries(byField),
      ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, resolve(v)])),
    };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** Starts a fake Bot API on a free port; `methods` override {@link BASIC_METHODS}. */
export async function startFakeBotApi(methods: Record<string, FakeMethod>): Promise<FakeBotApi> {
  const all = { ...BASIC_METHODS, ...methods };
  const calls: RecordedCall[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    readJson(req).then((body) => {
      const method = (req.url ?? '').split('/').pop() ?? '';
      const call = { method, body };
      calls.push(call);
      const answer = all[method]?.(body, calls) ?? {
        status: 404,
        json: { ok: false, error_code: 404, description: 'Not Found' },
      };
      if (answer === 'hang') return void hanging.add(res);
      if (answer === 'drop') return void req.socket.destroy();
      const respond = () => {
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.json));
      };
      if (answer.delayMs) setTimeout(respond, answer.delayMs);
      else respond();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A pino logger whose records land in `records`, for asserting on warnings. */
export function captureLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, records };
}
