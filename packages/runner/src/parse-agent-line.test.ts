import { RpcErrorCode } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { parseAgentLine } from './parse-agent-line.ts';

describe('parseAgentLine', () => {
  it('classifies requests, notifications, results and errors', () => {
    expect(parseAgentLine('{"jsonrpc":"2.0","id":1,"method":"chat.send","params":{}}')).toEqual({
      kind: 'request',
      id: 1,
      method: 'chat.send',
      params: {},
    });
    expect(parseAgentLine('{"jsonrpc":"2.0","method":"log"}')).toEqual({
      kind: 'notification',
      method: 'log',
      params: undefined,
    });
    expect(parseAgentLine('{"jsonrpc":"2.0","id":"a","result":null}')).toEqual({
      kind: 'result',
      id: 'a',
      result: null,
    });
    expect(
      parseAgentLine('{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"no"}}'),
    ).toEqual({ kind: 'error', id: 2, error: { code: -32603, message: 'no' } });
  });

  it('answers non-JSON with a parse error and id null', () => {
    expect(parseAgentLine('not json{')).toMatchObject({
      kind: 'invalid',
      id: null,
      code: RpcErrorCode.ParseError,
    });
  });

  it('flags JSON that is not JSON-RPC, keeping a usable id', () => {
    expect(parseAgentLine('[1,2]')).toMatchObject({ kind: 'invalid', id: null });
    expect(parseAgentLine('{"id":7,"method":"x"}')).toMatchObject({
      kind: 'invalid',
      id: 7,
      code: RpcErrorCode.InvalidRequest,
    });
    expect(parseAgentLine('{"jsonrpc":"2.0"}')).toMatchObject({ kind: 'invalid', id: null });
  });
});
