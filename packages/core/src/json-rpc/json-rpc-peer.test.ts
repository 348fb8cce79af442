import { describe, expect, it } from 'vitest';
import { JsonRpcClosedError, JsonRpcEncodeError, JsonRpcError } from './json-rpc-errors.ts';
import { JsonRpcErrorCode } from './json-rpc-message.ts';
import { JsonRpcPeer, type JsonRpcPeerOptions } from './json-rpc-peer.ts';

/** A peer whose output is kept as parsed messages (and raw lines). */
function peerWith(options: Omit<JsonRpcPeerOptions, 'write'> = {}) {
  const lines: string[] = [];
  const peer = new JsonRpcPeer({ ...options, write: (line) => lines.push(line) });
  const sent = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { peer, lines, sent };
}

const line = (message: object) => `${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`;
/** Lets promise callbacks (an async handler's answer) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('JsonRpcPeer framing', () => {
  it('handles a message split over chunks, even inside a multi-byte character', async () => {
    const seen: unknown[] = [];
    const { peer } = peerWith({ onNotification: (n) => seen.push(n.params) });
    const bytes = Buffer.from(line({ method: 'say', params: { text: 'héllo 👋' } }));
    const cut = bytes.indexOf(Buffer.from('👋')) + 2;
    peer.receive(bytes.subarray(0, 5));
    peer.receive(bytes.subarray(5, cut));
    expect(seen).toEqual([]);
    peer.receive(bytes.subarray(cut));
    expect(seen).toEqual([{ text: 'héllo 👋' }]);
  });

  it('handles several lines of one chunk in order, and string chunks', () => {
    const order: string[] = [];
    const { peer } = peerWith({
      onRequest: (r) => {
        order.push(`request ${r.method}`);
        return null;
      },
      onNotification: (n) => order.push(`notification ${n.method}`),
    });
    peer.receive(
      [
        line({ id: 1, method: 'a' }),
        line({ method: 'b' }),
        '\r\n',
        line({ id: 2, method: 'c' }),
      ].join(''),
    );
    expect(order).toEqual(['request a', 'notification b', 'request c']);
  });

  it('refuses an incoming line over the limit as soon as it passes it, then goes on', () => {
    const overflows: number[] = [];
    const seen: string[] = [];
    const { peer, sent } = peerWith({
      maxLineBytes: 64,
      onOverflow: (bytes) => overflows.push(bytes),
      onNotification: (n) => seen.push(n.method),
    });
    peer.receive('x'.repeat(40));
    expect(overflows).toEqual([]);
    peer.receive('x'.repeat(40));
    expect(overflows).toEqual([80]);
    peer.receive('x'.repeat(1000));
    expect(overflows).toEqual([80]);
    peer.receive(`\n${line({ method: 'after' })}`);
    expect(seen).toEqual(['after']);
    expect(sent()).toEqual([]);
  });

  it('accepts a line of exactly the limit', () => {
    const seen: unknown[] = [];
    const { peer } = peerWith({ maxLineBytes: 64, onNotification: (n) => seen.push(n.params) });
    const base = line({ method: 'm', params: '' }).length - 1;
    peer.receive(line({ method: 'm', params: 'y'.repeat(64 - base) }));
    expect(seen).toEqual(['y'.repeat(64 - base)]);
  });

  it('refuses to send a message over the limit, writing nothing', () => {
    const { peer, lines } = peerWith({ maxLineBytes: 64 });
    expect(() => peer.request('big', { text: 'z'.repeat(100) })).toThrow(JsonRpcEncodeError);
    expect(() => peer.notify('big', { text: 'z'.repeat(100) })).toThrow(/over the 64 bytes/);
    expect(() => peer.respond(1, { bigint: 1n })).toThrow(/not JSON/);
    expect(lines).toEqual([]);
  });
});

describe('JsonRpcPeer requests', () => {
  it('numbers its requests and matches answers by id, in any order', async () => {
    const { peer, sent } = peerWith();
    const first = peer.request('one', { n: 1 });
    const second = peer.request('two');
    expect(sent()).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'one', params: { n: 1 } },
      { jsonrpc: '2.0', id: 2, method: 'two' },
    ]);
    peer.receive(line({ id: 2, result: 'B' }) + line({ id: 1, result: 'A' }));
    await expect(first).resolves.toBe('A');
    await expect(second).resolves.toBe('B');
  });

  it('rejects with the error the other side answered', async () => {
    const { peer } = peerWith();
    const call = peer.request('llm.complete', {});
    peer.receive(line({ id: 1, error: { code: -32001, message: 'budget', data: { left: 0 } } }));
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error).toMatchObject({ code: -32001, message: 'budget', data: { left: 0 } });
  });

  it('reports answers to no request of ours', () => {
    const stray: unknown[] = [];
    const { peer } = peerWith({ onStrayResponse: (r) => stray.push(r) });
    peer.receive(
      line({ id: 9, result: 1 }) + line({ id: null, error: { code: -32600, message: 'bad' } }),
    );
    expect(stray).toEqual([
      { kind: 'result', id: 9, result: 1 },
      { kind: 'error', id: null, error: { code: -32600, message: 'bad' } },
    ]);
  });

  it('rejects pending requests on close, and requests made after it', async () => {
    const { peer, lines } = peerWith();
    const pending = peer.request('run.finish', {});
    peer.close('worker closed the connection');
    await expect(pending).rejects.toThrow(JsonRpcClosedError);
    await expect(pending).rejects.toThrow('worker closed the connection');
    await expect(peer.request('again')).rejects.toThrow(JsonRpcClosedError);
    peer.notify('dropped');
    expect(lines).toHaveLength(1);
  });
});

describe('JsonRpcPeer serving', () => {
  it('answers with the handler result, at once when it is not a promise', async () => {
    const { peer, sent } = peerWith({
      onRequest: (r) => (r.method === 'sync' ? { now: true } : Promise.resolve(r.params)),
    });
    peer.receive(line({ id: 1, method: 'sync' }) + line({ id: 'b', method: 'async', params: 7 }));
    expect(sent()).toEqual([{ jsonrpc: '2.0', id: 1, result: { now: true } }]);
    await settle();
    expect(sent()[1]).toEqual({ jsonrpc: '2.0', id: 'b', result: 7 });
  });

  it('answers undefined as null and every request without a handler as MethodNotFound', () => {
    const withHandler = peerWith({ onRequest: () => undefined });
    withHandler.peer.receive(line({ id: 1, method: 'x' }));
    expect(withHandler.sent()).toEqual([{ jsonrpc: '2.0', id: 1, result: null }]);
    const without = peerWith();
    without.peer.receive(line({ id: 1, method: 'x' }));
    expect(without.sent()).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        error: { code: JsonRpcErrorCode.MethodNotFound, message: 'Method not found: x' },
      },
    ]);
  });

  it('turns a thrown JsonRpcError into its error response and hides any other error', async () => {
    const failures: unknown[] = [];
    const { peer, sent } = peerWith({
      onRequest: async (r) => {
        if (r.method === 'refused') throw new JsonRpcError(-32002, 'not here', { data: 'why' });
        throw new Error('password=hunter2');
      },
      onHandlerError: (error, request) => failures.push([(error as Error).message, request.id]),
    });
    peer.receive(line({ id: 1, method: 'refused' }) + line({ id: 2, method: 'broken' }));
    await settle();
    expect(sent()).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32002, message: 'not here', data: 'why' } },
      {
        jsonrpc: '2.0',
        id: 2,
        error: { code: JsonRpcErrorCode.InternalError, message: 'broken failed' },
      },
    ]);
    expect(failures).toEqual([['password=hunter2', 2]]);
  });

  it('answers a result too large for one line with an InternalError', () => {
    const failures: unknown[] = [];
    const { peer, sent } = peerWith({
      maxLineBytes: 1024 * 1024,
      onRequest: () => 'r'.repeat(1024 * 1024),
      onHandlerError: (error) => failures.push(error),
    });
    peer.receive(line({ id: 3, method: 'memory.read' }));
    expect(sent()).toEqual([
      {
        jsonrpc: '2.0',
        id: 3,
        error: {
          code: JsonRpcErrorCode.InternalError,
          message: 'memory.read result is over 1 MiB or not JSON',
        },
      },
    ]);
    expect(failures[0]).toBeInstanceOf(JsonRpcEncodeError);
  });

  it('sends no second answer after respond(), nor any after close()', async () => {
    let release: (value: unknown) => void = () => {};
    const { peer, sent } = peerWith({
      onRequest: (r) => {
        if (r.method === 'early') {
          peer.respond(r.id, 'early answer');
          return 'late answer';
        }
        return new Promise((resolve) => {
          release = resolve;
        });
      },
    });
    peer.receive(line({ id: 1, method: 'early' }) + line({ id: 2, method: 'slow' }));
    peer.close();
    release('too late');
    await settle();
    expect(sent()).toEqual([{ jsonrpc: '2.0', id: 1, result: 'early answer' }]);
  });

  it('stops at the line whose handling closed it', () => {
    const seen: string[] = [];
    const { peer } = peerWith({
      onNotification: (n) => {
        seen.push(n.method);
        if (n.method === 'stop') peer.close();
      },
    });
    peer.receive(line({ method: 'a' }) + line({ method: 'stop' }) + line({ method: 'b' }));
    peer.receive(line({ method: 'c' }));
    expect(seen).toEqual(['a', 'stop']);
  });

  it('sends notifications without an id, and params only when given', () => {
    const { peer, sent } = peerWith();
    peer.notify('shutdown');
    peer.notify('input', { message: 1 });
    expect(sent()).toEqual([
      { jsonrpc: '2.0', method: 'shutdown' },
      { jsonrpc: '2.0', method: 'input', params: { message: 1 } },
    ]);
  });
});

describe('JsonRpcPeer malformed input', () => {
  it('answers each malformed line with an error, then reports it', () => {
    const reports: unknown[] = [];
    const { peer, sent } = peerWith({
      onMalformed: (text, problem) => reports.push([text, problem.code, sent().length]),
    });
    peer.receive('not json{\n[1,2]\n{"id":7,"method":"x"}\n{"jsonrpc":"2.0"}\n');
    expect(sent()).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: JsonRpcErrorCode.ParseError,
          message: 'Parse error: each line must be one JSON object',
        },
      },
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: JsonRpcErrorCode.InvalidRequest,
          message: 'Invalid request: expected a JSON-RPC 2.0 object (batches are not supported)',
        },
      },
      {
        jsonrpc: '2.0',
        id: 7,
        error: {
          code: JsonRpcErrorCode.InvalidRequest,
          message: 'Invalid request: not a valid JSON-RPC 2.0 request',
        },
      },
      {
        jsonrpc: '2.0',
        id: null,
        error: {
          code: JsonRpcErrorCode.InvalidRequest,
          message: 'Invalid request: not a valid JSON-RPC 2.0 message (no method, result or error)',
        },
      },
    ]);
    // Each report comes after its answer was written.
    expect(reports).toEqual([
      ['not json{', JsonRpcErrorCode.ParseError, 1],
      ['[1,2]', JsonRpcErrorCode.InvalidRequest, 2],
      ['{"id":7,"method":"x"}', JsonRpcErrorCode.InvalidRequest, 3],
      ['{"jsonrpc":"2.0"}', JsonRpcErrorCode.InvalidRequest, 4],
    ]);
  });

  it('does not let a malformed line with a salvaged id count as the answer to a request', async () => {
    let release: (value: unknown) => void = () => {};
    const { peer, sent } = peerWith({
      onRequest: () =>
        new Promise((resolve) => {
          release = resolve;
        }),
    });
    peer.receive(`${line({ id: 7, method: 'slow' })}{"id":7,"method":42}\n`);
    release('done');
    await settle();
    expect(sent().map((m) => ('result' in m ? m.result : 'error'))).toEqual(['error', 'done']);
  });
});
