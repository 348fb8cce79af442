import { describe, expect, it } from 'vitest';
import { JsonRpcErrorCode } from './json-rpc-message.ts';
import { parseJsonRpcLine } from './parse-json-rpc-line.ts';

describe('parseJsonRpcLine', () => {
  it('classifies requests, notifications, results and errors', () => {
    expect(parseJsonRpcLine('{"jsonrpc":"2.0","id":1,"method":"chat.send","params":{}}')).toEqual({
      kind: 'request',
      id: 1,
      method: 'chat.send',
      params: {},
    });
    expect(parseJsonRpcLine('{"jsonrpc":"2.0","method":"log"}')).toEqual({
      kind: 'notification',
      method: 'log',
      params: undefined,
    });
    expect(parseJsonRpcLine('{"jsonrpc":"2.0","id":"a","result":null}')).toEqual({
      kind: 'result',
      id: 'a',
      result: null,
    });
    expect(
      parseJsonRpcLine('{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"no"}}'),
    ).toEqual({ kind: 'error', id: 2, error: { code: -32603, message: 'no' } });
  });

  it('answers non-JSON with a parse error and id null', () => {
    expect(parseJsonRpcLine('not json{')).toMatchObject({
      kind: 'invalid',
      id: null,
      code: JsonRpcErrorCode.ParseError,
    });
  });

  it('flags JSON that is not JSON-RPC, keeping a usable id', () => {
    expect(parseJsonRpcLine('[1,2]')).toMatchObject({ kind: 'invalid', id: null });
    expect(parseJsonRpcLine('{"id":7,"method":"x"}')).toMatchObject({
      kind: 'invalid',
      id: 7,
      code: JsonRpcErrorCode.InvalidRequest,
    });
    expect(parseJsonRpcLine('{"jsonrpc":"2.0"}')).toMatchObject({ kind: 'invalid', id: null });
  });
});
